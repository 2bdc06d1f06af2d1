"""``movements``: one row per movement event with the balances after it; and
``MovementView``, its queries: the history of a position (oldest first, cursor = last
position seen) and stock-at-time (the state just after the last movement recorded at or
before a given instant).

The columns are the movement's position and time, then ``domain.movements.MOVEMENT_SHAPE``
in order. One mapping: the shape's ``user`` is the column ``actor``, because ``user`` is a
reserved word in PostgreSQL (the table's shape, and so its VERSION, are unchanged by it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from application.records import MovementRecord
from domain.errors import ValidationError
from domain.movements import MOVEMENT_SHAPE, Kind
from domain.stock_item import Movement
from projections.base import Column, Key, Projection, Rows
from projections.db import Session
from projections.live_read import (
    Page,
    View,
    check_limit,
    check_time,
    paged,
    read_cursor,
    read_live,
)

ZERO = Decimal(0)
# Shape field -> column, where they differ (reserved words).
COLUMN_OF = {"user": "actor"}
FIELDS = tuple((f.name, COLUMN_OF.get(f.name, f.name)) for f in MOVEMENT_SHAPE)


class Movements(Projection):
    NAME = "movements"
    # 2: the unit figures (SPEC §8) joined the movement shape; 3: a sale's menu item and
    # recipe version (SPEC §9); 4: the journal's day filter reads the recorded_at index;
    # 5: a VARIANCE's amount to COGS (``variance``), so a COGS drill-down adds up.
    VERSION = 5
    COLUMNS = (
        Column("position", "int"),
        Column("recorded_at", "time"),
        *(
            Column(COLUMN_OF.get(f.name, f.name), f.kind.rstrip("?"), f.kind.endswith("?"))
            for f in MOVEMENT_SHAPE
        ),
        Column("variance", "num", True),
    )
    KEY = ("position",)
    INDEXES = (
        ("sku", "location", "position"),
        ("sku", "location", "recorded_at"),
        ("recorded_at",),
    )
    APPEND_ONLY = True
    REBUILD_COST = 3

    def key_of(self, event: Movement, position: int) -> Key:
        return (position,)

    def fold(self, rows: Rows, event: Movement, position: int) -> None:
        row: dict[str, Any] = {"position": position, "recorded_at": event.timestamp}
        for name, column in FIELDS:
            row[column] = getattr(event, name, None)
        row["variance"] = getattr(event, "variance", None)
        rows[(position,)] = row


@dataclass(frozen=True)
class StockAt:
    """A position's state just after the last movement recorded at or before ``time``."""

    sku: str
    location: str
    time: datetime
    on_hand: Decimal
    reserved: Decimal
    value: Decimal
    position: int


class MovementView(View[Movements]):
    """Movement histories and stock at a time, each from one snapshot."""

    def _rows(self, where: str, params: list[Any]) -> tuple[list[dict[str, Any]], int]:
        def work(session: Session, table: str) -> list[dict[str, Any]]:
            encode = session.dialect.encode
            values = [encode(v, "time") if isinstance(v, datetime) else v for v in params]
            return self.projection.select(session, table, where, values)

        return read_live(self.db, self.projection, work)

    def stock_at(self, sku: str, location: str, time: datetime) -> StockAt:
        check_time(time, "time")
        rows, position = self._rows(
            "sku = ? AND location = ? AND recorded_at <= ? "
            "ORDER BY recorded_at DESC, position DESC LIMIT 1",
            [sku, location, time],
        )
        if not rows:
            return StockAt(sku, location, time, ZERO, ZERO, ZERO, position)
        row = rows[0]
        return StockAt(
            sku,
            location,
            time,
            row["on_hand_after"],
            row["reserved_after"],
            row["value_after"],
            position,
        )

    def history(
        self,
        sku: str,
        location: str,
        from_: datetime | None,
        to: datetime | None,
        kind: str | None,
        limit: int,
        cursor: str | None,
    ) -> Page[MovementRecord]:
        """Movements of a position, oldest first; ``from_`` ≤ recorded_at ≤ ``to``."""
        check_limit(limit)
        check_time(from_, "from")
        check_time(to, "to")
        if kind is not None and kind not in Kind.__members__:
            raise ValidationError(f"unknown kind {kind}", [{"field": "kind"}])
        after = read_cursor(cursor, lambda v: isinstance(v, int) and not isinstance(v, bool))
        where: list[str] = ["sku = ?", "location = ?"]
        params: list[Any] = [sku, location]
        for clause, value in (
            ("recorded_at >= ?", from_),
            ("recorded_at <= ?", to),
            ("kind = ?", kind),
            ("position > ?", after),
        ):
            if value is not None:
                where.append(clause)
                params.append(value)
        rows, position = self._rows(
            " AND ".join(where) + f" ORDER BY position LIMIT {limit + 1}", params
        )
        items = [_record(row) for row in rows]
        return paged(items, limit, position, lambda m: m.position)


def _record(row: dict[str, Any]) -> MovementRecord:
    figures = {name: row[column] for name, column in FIELDS}
    return MovementRecord(
        position=row["position"],
        recorded_at=row["recorded_at"],
        variance=row.get("variance"),
        **figures,
    )
