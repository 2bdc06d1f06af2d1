"""The machinery every movement of a stock position goes through (SPEC §3, §7): the figures
after it, the bounds, the hash chain link, and the outbound rule; ``StockItem`` (an
aggregate) and its owed-consumption commands (``domain.owed``) build on it."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from domain import bounds
from domain import valuation as v
from domain.codes import UnknownPositionError, field_of
from domain.errors import InsufficientStockError
from domain.movements import GENESIS_HASH, Kind, Movement, Source, chained, movement_figures
from domain.text import check_text


def owed_total(entries: list[dict[str, Any]]) -> Decimal:
    return sum((Decimal(entry["quantity"]) for entry in entries), v.ZERO)


class Holding:
    """What a position holds (on hand, of which reserved, and their value) and what follows
    from it: the position itself and every row that reads one (``projections.balances``)."""

    on_hand: Decimal
    reserved: Decimal
    value: Decimal

    @property
    def available(self) -> Decimal:
        return self.on_hand - self.reserved

    @property
    def average(self) -> Decimal | None:
        """The moving average cost (None when nothing is on hand)."""
        return v.average_cost(self.value, self.on_hand)


class Position(Holding):
    """What a stock position is made of and how it records a movement (mixed into the
    StockItem aggregate, which gives it its id, version and ``trigger_event``)."""

    sku: str
    location: str
    last_average: Decimal | None
    chain: str
    # What sales owe the position, in order (domain.owed); a position restored from a
    # snapshot taken before SPEC §17 owes nothing (never changed in place).
    owed: list[dict[str, Any]] = []  # noqa: RUF012

    def _need_available(self, quantity: Decimal) -> None:
        if quantity > self.available:
            raise self._short(quantity)

    def _short(self, quantity: Decimal) -> InsufficientStockError:
        if self.chain == GENESIS_HASH:  # never moved: the SKU is unknown here
            return UnknownPositionError.of(self.sku, self.location, quantity)
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
        owed_delta: Decimal = v.ZERO,
    ) -> Decimal:
        unit_cost = self.average or v.ZERO
        value = v.outbound_value(quantity, self.on_hand, self.value, places)
        self._move(
            event_class,
            kind,
            quantity,
            -quantity,
            -reserved,
            unit_cost,
            value,
            src,
            at,
            owed_delta=owed_delta,
        )
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
        *,
        owed_delta: Decimal = v.ZERO,
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
        owed = owed_total(self.owed)
        if owed or owed_delta:
            figures["owed_after"] = owed + owed_delta
        aggregate: Any = self
        fields = chained(
            figures, self.chain, aggregate.id, aggregate.version + 1, at, src.anchor_key
        )
        aggregate.trigger_event(event_class, timestamp=at, **fields)


def costed(q: Decimal, cost: Decimal, src: Source, places: int) -> tuple[Decimal, Decimal]:
    per = src.entered.factor if src.entered else None
    return v.costed(q, cost, places, field_of(src, "quantity"), per)
