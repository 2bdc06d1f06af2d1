"""``balances``: one row per (sku, location) with on_hand, reserved and value after its last
movement; and ``StockView``, its queries. Available and unit cost are derived when read
(available = on_hand − reserved, unit cost = value / on_hand, or None when nothing is on
hand); a position never used reads as zeros."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from domain.stock_item import Movement
from domain.valuation import average_cost
from projections.base import Column, Key, Projection, Rows
from projections.db import Database, Session
from projections.live_read import Page, check_limit, paged, read_cursor, read_live

ZERO = Decimal(0)


class Balances(Projection):
    NAME = "balances"
    VERSION = 1
    COLUMNS = (
        Column("sku", "text"),
        Column("location", "text"),
        Column("on_hand", "num"),
        Column("reserved", "num"),
        Column("value", "num"),
        Column("last_position", "int"),
        Column("updated_at", "time"),
    )
    KEY = ("sku", "location")
    INDEXES = (("location", "sku"),)

    def key_of(self, event: Movement, position: int) -> Key:
        return (event.sku, event.location)

    def fold(self, rows: Rows, event: Movement, position: int) -> None:
        # The movement records the balances after it, so the row is simply its latest state.
        rows[(event.sku, event.location)] = {
            "sku": event.sku,
            "location": event.location,
            "on_hand": event.on_hand_after,
            "reserved": event.reserved_after,
            "value": event.value_after,
            "last_position": position,
            "updated_at": event.timestamp,
        }


@dataclass(frozen=True)
class Balance:
    """A position's balance as of ``position`` (the read model's position)."""

    sku: str
    location: str
    on_hand: Decimal
    reserved: Decimal
    value: Decimal
    position: int

    @property
    def available(self) -> Decimal:
        return self.on_hand - self.reserved

    @property
    def unit_cost(self) -> Decimal | None:
        return average_cost(self.value, self.on_hand)


@dataclass(frozen=True)
class SkuStock:
    """One SKU at every location where it was ever moved, with totals over them."""

    sku: str
    locations: list[Balance]
    position: int

    @property
    def total(self) -> dict[str, Decimal]:
        return {
            name: sum((getattr(b, name) for b in self.locations), ZERO)
            for name in ("on_hand", "reserved", "available", "value")
        }


class StockView:
    """Balances, one position, one SKU or a page, each from one snapshot."""

    def __init__(self, db: Database, projection: Balances) -> None:
        self.db = db
        self.projection = projection

    def _read(
        self, where: str, params: list[Any] | tuple[Any, ...], order: str = ""
    ) -> tuple[list[Balance], int]:
        def work(session: Session, table: str) -> list[dict[str, Any]]:
            return self.projection.select(session, table, where, params, order=order)

        rows, position = read_live(self.db, self.projection, work)
        return [_balance(row, position) for row in rows], position

    def page(
        self, location: str | None, sku_prefix: str | None, limit: int, cursor: str | None
    ) -> Page[Balance]:
        """Balances ordered by (sku, location), optionally of one location or SKU prefix."""
        check_limit(limit)
        after = read_cursor(
            cursor,
            lambda v: isinstance(v, list) and len(v) == 2 and all(isinstance(x, str) for x in v),
        )
        where: list[str] = ["1 = 1"]
        params: list[Any] = []
        if location is not None:
            where.append("location = ?")
            params.append(location)
        if sku_prefix:
            where.append("substr(sku, 1, ?) = ?")
            params += [len(sku_prefix), sku_prefix]
        if after is not None:
            where.append("(sku > ? OR (sku = ? AND location > ?))")
            params += [after[0], after[0], after[1]]
        clause = " AND ".join(where) + f" ORDER BY sku, location LIMIT {limit + 1}"
        items, position = self._read(clause, params)
        return paged(items, limit, position, lambda b: [b.sku, b.location])

    def of_sku(self, sku: str) -> SkuStock:
        items, position = self._read("sku = ?", (sku,), order="location")
        return SkuStock(sku, items, position)

    def balance(self, sku: str, location: str) -> Balance:
        items, position = self._read("sku = ? AND location = ?", (sku, location))
        return items[0] if items else Balance(sku, location, ZERO, ZERO, ZERO, position)


def _balance(row: dict[str, Any], position: int) -> Balance:
    return Balance(
        row["sku"], row["location"], row["on_hand"], row["reserved"], row["value"], position
    )
