"""StockItem: the stock position of one SKU at one location (SPEC §2–3).

Every change is one typed movement event recording its deltas, its value fixed at posting,
the balances after it and a link in the position's hash chain. Commands refuse anything that
would break an invariant: 0 ≤ reserved ≤ on_hand, on_hand = 0 ⇒ value = 0, value ≥ 0.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from domain import valuation as v
from domain.codes import check_code, field_of, require_note
from domain.errors import InsufficientStockError, NoCostBasisError, ValidationError
from domain.ids import named_id
from domain.late_costs import split
from domain.movements import GENESIS_HASH, Kind, Movement, Source
from domain.owed import Owing, entry_of, reduced
from domain.position import costed as _costed
from domain.recorded import Recorded

__all__ = ["MOVEMENT_TOPICS", "Movement", "StockItem"]


class StockItem(Owing, Recorded):
    """One (sku, location) position: on_hand, reserved, the value of the units on hand, and
    what sales owe it (SPEC §17, ``domain.owed``)."""

    TOPIC = "stockledger:StockItem"

    class Received(Movement):
        TOPIC = "stockledger:StockItem.Received"

    class Reserved(Movement):
        TOPIC = "stockledger:StockItem.Reserved"

    class Released(Movement):
        TOPIC = "stockledger:StockItem.Released"

    class Shipped(Movement):
        TOPIC = "stockledger:StockItem.Shipped"

    class Returned(Movement):
        TOPIC = "stockledger:StockItem.Returned"

    class Consumed(Movement):
        TOPIC = "stockledger:StockItem.Consumed"

    class Wasted(Movement):
        TOPIC = "stockledger:StockItem.Wasted"

    class TransferredOut(Movement):
        TOPIC = "stockledger:StockItem.TransferredOut"

    class TransferredIn(Movement):
        TOPIC = "stockledger:StockItem.TransferredIn"

    class Adjusted(Movement):
        TOPIC = "stockledger:StockItem.Adjusted"

    class Revalued(Movement):
        TOPIC = "stockledger:StockItem.Revalued"

    class CostVaried(Movement):
        TOPIC = "stockledger:StockItem.CostVaried"

    class Owed(Movement):
        """OWED: what a sale could not take from the shelf (SPEC §17); no units, no value."""

        TOPIC = "stockledger:StockItem.Owed"

        def apply(self, aggregate: Any) -> None:
            super().apply(aggregate)
            aggregate.owed = [*aggregate.owed, entry_of(self)]

    class Settled(Movement):
        """A CONSUME of a sale line settling what it owed, after an inbound movement."""

        TOPIC = "stockledger:StockItem.Settled"

        def apply(self, aggregate: Any) -> None:
            super().apply(aggregate)
            aggregate.owed = reduced(aggregate.owed, self.document_id, self.line, self.quantity)

    class OwedCancelled(Settled):
        """OWED_CANCELLED: a void cancels what its sale line still owed; no units, no value."""

        TOPIC = "stockledger:StockItem.OwedCancelled"

    class Voided(Movement):
        TOPIC = "stockledger:StockItem.Voided"

    class ProducedOut(Movement):
        TOPIC = "stockledger:StockItem.ProducedOut"

    class ProducedIn(Movement):
        TOPIC = "stockledger:StockItem.ProducedIn"

    @staticmethod
    def create_id(sku: str, location: str) -> UUID:
        """Deterministic: never change this formula once data exists."""
        return named_id(f"stock-item:{sku}@{location}")

    def __init__(self, sku: str, location: str) -> None:
        check_code(sku, "sku")
        check_code(location, "location")
        self.sku = sku
        self.location = location
        self.on_hand = v.ZERO
        self.reserved = v.ZERO
        self.value = v.ZERO
        self.last_average: Decimal | None = None
        self.chain = GENESIS_HASH
        self.owed = []

    # -- commands ---------------------------------------------------------------------------

    def receive(
        self, quantity: Decimal, unit_cost: Decimal, src: Source, at: datetime, places: int
    ) -> None:
        """RECEIVE: +q on hand at the given unit cost (required, ≥ 0); a cost per entered
        pack (``src.entered``) values the pack count, recording the cost per base unit."""
        v.check_quantity(quantity, field_of(src, "quantity"))
        v.check_unit_cost(unit_cost, field_of(src, "unit_cost"))
        value, cost = _costed(quantity, unit_cost, src, places)
        self._move(self.Received, Kind.RECEIVE, quantity, quantity, v.ZERO, cost, value, src, at)
        self.settle(src.anchor_key, at, places)

    def reserve(self, quantity: Decimal, src: Source, at: datetime) -> None:
        """RESERVE for a quote line: refuses when available < quantity."""
        v.check_quantity(quantity)
        self._need_available(quantity)
        self._move(
            self.Reserved,
            Kind.RESERVE,
            quantity,
            v.ZERO,
            quantity,
            self._display_cost(),
            v.ZERO,
            src,
            at,
        )

    def release(self, quantity: Decimal, src: Source, at: datetime) -> None:
        """RELEASE an undelivered reservation: refuses more than is reserved."""
        v.check_quantity(quantity)
        if quantity > self.reserved:
            raise InsufficientStockError(
                f"cannot release {quantity} of {self.sku}@{self.location}: "
                f"only {self.reserved} reserved"
            )
        self._move(
            self.Released,
            Kind.RELEASE,
            quantity,
            v.ZERO,
            -quantity,
            self._display_cost(),
            v.ZERO,
            src,
            at,
        )

    def ship(
        self,
        quantity: Decimal,
        src: Source,
        at: datetime,
        places: int,
        *,
        reserved: Decimal = v.ZERO,
    ) -> Decimal:
        """SHIP: without a quote it draws on available stock; against a quote line it
        consumes ``reserved`` of the reservation and needs q ≤ on_hand and r ≤ reserved.
        Returns the (negative) value shipped."""
        v.check_quantity(quantity)
        if reserved:
            if reserved > self.reserved or quantity > self.on_hand:
                raise self._short(quantity)
            if quantity - reserved > self.available:
                raise self._short(quantity)
        else:
            self._need_available(quantity)
        return self._outbound(self.Shipped, Kind.SHIP, quantity, src, at, places, reserved=reserved)

    def consume(self, quantity: Decimal, src: Source, at: datetime, places: int) -> None:
        """CONSUME (recipe/production use): refuses when available < quantity."""
        v.check_quantity(quantity)
        self._need_available(quantity)
        self._outbound(self.Consumed, Kind.CONSUME, quantity, src, at, places)

    def waste(self, quantity: Decimal, src: Source, at: datetime, places: int) -> None:
        """WASTE: needs a note; refuses when available < quantity."""
        require_note(src.note)
        v.check_quantity(quantity)
        self._need_available(quantity)
        self._outbound(self.Wasted, Kind.WASTE, quantity, src, at, places)

    def transfer_out(self, quantity: Decimal, src: Source, at: datetime, places: int) -> Decimal:
        """TRANSFER_OUT at the source; returns the (negative) value it took."""
        v.check_quantity(quantity)
        self._need_available(quantity)
        return self._outbound(self.TransferredOut, Kind.TRANSFER_OUT, quantity, src, at, places)

    def transfer_in(
        self, quantity: Decimal, value: Decimal, src: Source, at: datetime, places: int = 2
    ) -> None:
        """TRANSFER_IN at the destination, worth exactly what left the source; then what
        the position owes is settled (at the currency's ``places``)."""
        self.carry_in(self.TransferredIn, Kind.TRANSFER_IN, quantity, value, src, at, places)

    def take_back(
        self, quantity: Decimal, value: Decimal, src: Source, at: datetime, places: int = 2
    ) -> None:
        """RETURN of shipped units, carrying the share of the SHIP's value given back; then
        what the position owes is settled."""
        self.carry_in(self.Returned, Kind.RETURN, quantity, value, src, at, places)

    def produce_out(self, quantity: Decimal, src: Source, at: datetime, places: int) -> Decimal:
        """PRODUCTION_OUT of an ingredient (SPEC §16), like a transfer out: its value."""
        v.check_quantity(quantity)
        self._need_available(quantity)
        return self._outbound(self.ProducedOut, Kind.PRODUCTION_OUT, quantity, src, at, places)

    def produce_in(
        self, quantity: Decimal, value: Decimal, src: Source, at: datetime, places: int
    ) -> None:
        """PRODUCTION_IN of the output, worth what its ingredients took; settles owed."""
        self.carry_in(self.ProducedIn, Kind.PRODUCTION_IN, quantity, value, src, at, places)

    def adjust(
        self, delta: Decimal, unit_cost: Decimal | None, src: Source, at: datetime, places: int
    ) -> None:
        """ADJUSTMENT by a signed delta ≠ 0, with a note.

        Negative: the outbound rule, refused when available < |delta|. Positive: at the
        given unit cost, else the current average, else the last average the position had;
        refused (NoCostBasisError) when it never held stock and no cost is given; then what
        the position owes is settled.
        """
        require_note(src.note)
        if delta == 0:
            raise ValidationError("an adjustment's quantity must not be 0")
        v.check_quantity(abs(delta), field_of(src, "quantity"))
        if delta < 0:
            self._need_available(-delta)
            self._outbound(self.Adjusted, Kind.ADJUSTMENT, -delta, src, at, places)
            return
        if unit_cost is not None:
            v.check_unit_cost(unit_cost, field_of(src, "unit_cost"))
            value, cost = _costed(delta, unit_cost, src, places)
            self._move(self.Adjusted, Kind.ADJUSTMENT, delta, delta, v.ZERO, cost, value, src, at)
            self.settle(src.anchor_key, at, places)
            return
        if self.average is not None:
            cost = self.average
        elif self.last_average is not None:
            cost = self.last_average
        else:
            raise NoCostBasisError(
                f"{self.sku}@{self.location} has never held stock: give a unit_cost",
                [{"field": "unit_cost"}],
            )
        value = v.inbound_value(delta, cost, places, field_of(src, "quantity"))
        self._move(
            self.Adjusted, Kind.ADJUSTMENT, delta, delta, v.ZERO, v.round_cost(cost), value, src, at
        )
        self.settle(src.anchor_key, at, places)

    def revalue(self, amount: Decimal, src: Source, at: datetime) -> None:
        """REVALUE (SPEC §10): the value on hand changes by ``amount``, the units do not, so
        the average of what is left changes from now on. Refuses an empty position and a
        value below zero."""
        if self.on_hand == 0 or self.value + amount < 0:
            raise ValidationError("a revaluation needs stock on hand and leaves value ≥ 0")
        cost = v.round_cost((self.value + amount) / self.on_hand)
        self._move(self.Revalued, Kind.REVALUE, v.ZERO, v.ZERO, v.ZERO, cost, amount, src, at)

    def take_late_cost(
        self, amount: Decimal, received: Decimal, src: Source, at: datetime, places: int
    ) -> tuple[Decimal, Decimal]:
        """A late cost of ``amount`` on a receipt line of ``received`` units (SPEC §10): a
        REVALUE of the share still on hand here and a VARIANCE of the rest (either left out
        when nothing); answers (to stock, to COGS) as ``late_costs.split`` shares them."""
        to_stock, to_cogs = split(amount, received, self.on_hand, self.value, places)
        if to_stock:
            self.revalue(to_stock, src, at)
        if to_cogs:
            self.record_variance(to_cogs, src, at)
        return to_stock, to_cogs

    def record_variance(self, amount: Decimal, src: Source, at: datetime) -> None:
        """VARIANCE (SPEC §10): ``amount`` goes to this period's COGS; the position's units
        and value are unchanged."""
        cost = self._display_cost()
        self._move(
            self.CostVaried, Kind.VARIANCE, v.ZERO, v.ZERO, v.ZERO, cost, v.ZERO, src, at, amount
        )


# The stored topics of every movement kind, found once from StockItem's event classes.
MOVEMENT_TOPICS = frozenset(
    cls.TOPIC  # type: ignore[attr-defined]
    for cls in vars(StockItem).values()
    if isinstance(cls, type) and issubclass(cls, Movement)
)
