"""``cogs``: per (period, location, sku) the valuation roll-forward of SPEC §5.

A period is the calendar month of the movement's recorded time in the ledger's zone. The
fold is ``domain.rollforward.roll``. The reports read from it are ``CogsView``'s
(projections.cogs_view).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from domain.rollforward import (
    AMOUNTS,
    COGS_AMOUNTS,
    ROW_AMOUNTS,
    cogs_of,
    period_of,
    roll,
)
from domain.stock_item import Movement
from projections.base import Column, Key, Projection, Rows
from projections.db import Session

__all__ = ["AMOUNTS", "COGS_AMOUNTS", "OPEN", "Cogs", "cogs_of", "link", "period_of"]

OPEN = "9999-99"  # the ``until`` of a position's newest row: no later row yet


class Cogs(Projection):
    """Each row also holds ``until``, the period of its position's next row (``OPEN`` for
    the newest): a position's valuation in period P is its row with period <= P < until,
    one range over an index instead of a newest-per-position search."""

    NAME = "cogs"
    # 2: revaluation and variance columns (SPEC §10); 3: until; 4: voids (§17);
    # 5: production_in, production_out (§16)
    VERSION = 5
    COLUMNS = (
        Column("period", "text"),
        Column("location", "text"),
        Column("sku", "text"),
        *(Column(name, "num") for name in ROW_AMOUNTS),
        Column("last_position", "int"),
        Column("until", "text"),
    )
    KEY = ("period", "location", "sku")
    INDEXES = (("location", "sku", "period"), ("period", "until"))
    REBUILD_COST = 4

    def settles_by(self, newest: datetime) -> Any:
        return period_of(newest, self.zone)

    def settled(self, rows: Rows, newest: datetime) -> list[Key]:
        """Rows of periods two months before the newest time read, once their position has
        a later row (which fixes ``until``): ledger times follow positions up to commit
        skew, which is far below a month."""
        at = newest.astimezone(self.zone)
        year, month = (at.year, at.month - 2) if at.month > 2 else (at.year - 1, at.month + 10)
        horizon = f"{year:04d}-{month:02d}"
        link(rows)
        return [key for key, row in rows.items() if key[0] < horizon and row["until"] != OPEN]

    def complete(self, rows: Rows) -> None:
        link(rows)

    def written(self, session: Session, table: str, created: Sequence[Key]) -> None:
        """A new row is its position's next row for the row before it: each position with
        a new row has its rows' ``until`` set again from the stored rows."""
        following = (
            f"COALESCE((SELECT MIN(n.period) FROM {table} n WHERE n.location = {table}.location"
            f" AND n.sku = {table}.sku AND n.period > {table}.period), ?)"
        )
        positions = list(dict.fromkeys((key[1], key[2]) for key in created))
        for start in range(0, len(positions), 300):
            chunk = positions[start : start + 300]
            marks = ", ".join("(?, ?)" for _ in chunk)
            session.execute(
                f"UPDATE {table} SET until = {following} WHERE (location, sku) IN "
                f"(VALUES {marks}) AND until <> {following}",
                [OPEN, *(value for position in chunk for value in position), OPEN],
            )

    def key_of(self, event: Movement, position: int) -> Key:
        return (period_of(event.timestamp, self.zone), event.location, event.sku)

    def fold(self, rows: Rows, event: Movement, position: int) -> None:
        key = self.key_of(event, position)
        row = rows[key] = roll(rows.get(key), key[0], event, position)
        row.setdefault("until", OPEN)


def link(rows: Rows) -> None:
    """Sets each row's ``until`` to the period of its position's next row among ``rows``."""
    following: dict[tuple[str, str], str] = {}
    for key in sorted(rows, reverse=True):  # newest period first
        period, location, sku = key
        rows[key]["until"] = following.get((location, sku), OPEN)
        following[(location, sku)] = period
