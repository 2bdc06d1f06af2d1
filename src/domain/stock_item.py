"""StockItem: the stock position of one SKU at one location (SPEC §2–3).

Every change is one typed movement event recording its deltas, its value fixed at posting,
the balances after it and a link in the position's hash chain. Commands refuse anything that
would break an invariant: 0 ≤ reserved ≤ on_hand, on_hand = 0 ⇒ value = 0, value ≥ 0.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain import bounds
from domain import valuation as v
from domain.codes import check_code, field_of, require_note
from domain.errors import InsufficientStockError, NoCostBasisError, ValidationError
from domain.ids import named_id
from domain.movements import GENESIS_HASH, Kind, Movement, Source, chained, movement_figures
from domain.text import check_text

__all__ = ["MOVEMENT_TOPICS", "Movement", "StockItem"]


class StockItem(Aggregate):
    """One (sku, location) position: on_hand, reserved and the value of the units on hand."""

    TOPIC = "stockledger:StockItem"

    class Created(Aggregate.Created):
        TOPIC = "stockledger:StockItem.Created"
        sku: str
        location: str

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

    @property
    def available(self) -> Decimal:
        return self.on_hand - self.reserved

    @property
    def average(self) -> Decimal | None:
        return v.average_cost(self.value, self.on_hand)

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

    def transfer_in(self, quantity: Decimal, value: Decimal, src: Source, at: datetime) -> None:
        """TRANSFER_IN at the destination, worth exactly what left the source."""
        v.check_quantity(quantity)
        if value < 0:
            raise ValidationError("a transfer in cannot carry a negative value")
        self._move(
            self.TransferredIn,
            Kind.TRANSFER_IN,
            quantity,
            quantity,
            v.ZERO,
            v.round_cost(value / quantity),
            value,
            src,
            at,
        )

    def take_back(self, quantity: Decimal, value: Decimal, src: Source, at: datetime) -> None:
        """RETURN of shipped units, carrying the share of the SHIP's value given back."""
        v.check_quantity(quantity)
        if value < 0:
            raise ValidationError("a return cannot carry a negative value")
        self._move(
            self.Returned,
            Kind.RETURN,
            quantity,
            quantity,
            v.ZERO,
            v.round_cost(value / quantity),
            value,
            src,
            at,
        )

    def adjust(
        self, delta: Decimal, unit_cost: Decimal | None, src: Source, at: datetime, places: int
    ) -> None:
        """ADJUSTMENT by a signed delta ≠ 0, with a note.

        Negative: the outbound rule, refused when available < |delta|. Positive: at the
        given unit cost, else the current average, else the last average the position had;
        refused (NoCostBasisError) when it never held stock and no cost is given.
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

    def revalue(self, amount: Decimal, src: Source, at: datetime) -> None:
        """REVALUE (SPEC §10): the value on hand changes by ``amount``, the units do not, so
        the average of what is left changes from now on. Refuses an empty position and a
        value below zero."""
        if self.on_hand == 0 or self.value + amount < 0:
            raise ValidationError("a revaluation needs stock on hand and leaves value ≥ 0")
        cost = v.round_cost((self.value + amount) / self.on_hand)
        self._move(self.Revalued, Kind.REVALUE, v.ZERO, v.ZERO, v.ZERO, cost, amount, src, at)

    def record_variance(self, amount: Decimal, src: Source, at: datetime) -> None:
        """VARIANCE (SPEC §10): ``amount`` goes to this period's COGS; the position's units
        and value are unchanged."""
        cost = self._display_cost()
        self._move(
            self.CostVaried, Kind.VARIANCE, v.ZERO, v.ZERO, v.ZERO, cost, v.ZERO, src, at, amount
        )

    # -- internals --------------------------------------------------------------------------

    def _need_available(self, quantity: Decimal) -> None:
        if quantity > self.available:
            raise self._short(quantity)

    def _short(self, quantity: Decimal) -> InsufficientStockError:
        return InsufficientStockError.at(
            self.sku, self.location, quantity, self.available, self.on_hand, self.reserved
        )

    def _display_cost(self) -> Decimal:
        return self.average or self.last_average or v.ZERO

    def _outbound(
        self,
        event_class: type[Movement],
        kind: Kind,
        quantity: Decimal,
        src: Source,
        at: datetime,
        places: int,
        *,
        reserved: Decimal = v.ZERO,
    ) -> Decimal:
        unit_cost = self.average or v.ZERO
        value = v.outbound_value(quantity, self.on_hand, self.value, places)
        self._move(event_class, kind, quantity, -quantity, -reserved, unit_cost, value, src, at)
        return value

    def _move(
        self,
        event_class: type[Movement],
        kind: Kind,
        quantity: Decimal,
        on_hand_delta: Decimal,
        reserved_delta: Decimal,
        unit_cost: Decimal,
        value: Decimal,
        src: Source,
        at: datetime,
        variance: Decimal | None = None,
    ) -> None:
        check_text(src.note, "note")  # defence in depth: the API refuses it first
        after = (self.on_hand + on_hand_delta, self.reserved + reserved_delta, self.value + value)
        bounds.check_position(*after, field_of(src, "quantity"))
        figures = movement_figures(
            self.sku,
            self.location,
            kind,
            quantity,
            (on_hand_delta, reserved_delta, value),
            unit_cost,
            after,
            src,
            variance,
        )
        fields = chained(figures, self.chain, self.id, self.version + 1, at, src.anchor_key)
        self.trigger_event(event_class, timestamp=at, **fields)


def _costed(q: Decimal, cost: Decimal, src: Source, places: int) -> tuple[Decimal, Decimal]:
    per = src.entered.factor if src.entered else None
    return v.costed(q, cost, places, field_of(src, "quantity"), per)


# The stored topics of every movement kind, found once from StockItem's event classes.
MOVEMENT_TOPICS = frozenset(
    cls.TOPIC  # type: ignore[attr-defined]
    for cls in vars(StockItem).values()
    if isinstance(cls, type) and issubclass(cls, Movement)
)
