"""``cogs``: per (period, location, sku) the valuation roll-forward of SPEC §5, from which
the COGS report is derived.

A period is the calendar month of the movement's recorded time in the ledger's zone. The
roll-forward columns are signed (outbound columns negative), so
closing = opening + Σ columns. The opening of a row is the position's state just before the
first movement of the period, which every movement records (after − delta), so a row never
needs to look at another row. RESERVE and RELEASE touch the row but move no stock or value.
"""

from __future__ import annotations

from datetime import datetime

from domain.rollforward import AMOUNTS, COGS_AMOUNTS, cogs_of, period_of, roll
from domain.stock_item import Movement
from projections.base import Column, Key, Projection, Rows

__all__ = ["AMOUNTS", "COGS_AMOUNTS", "Cogs", "cogs_of", "period_of"]


class Cogs(Projection):
    NAME = "cogs"
    VERSION = 1
    COLUMNS = (
        Column("period", "text"),
        Column("location", "text"),
        Column("sku", "text"),
        *(Column(name, "num") for name in AMOUNTS),
        Column("last_position", "int"),
    )
    KEY = ("period", "location", "sku")
    INDEXES = (("location", "sku", "period"),)

    def settled(self, rows: Rows, newest: datetime) -> list[Key]:
        """Rows of periods two months before the newest time read: ledger times follow
        positions up to commit skew, which is far below a month."""
        at = newest.astimezone(self.zone)
        year, month = (at.year, at.month - 2) if at.month > 2 else (at.year - 1, at.month + 10)
        horizon = f"{year:04d}-{month:02d}"
        return [key for key in rows if key[0] < horizon]

    def key_of(self, event: Movement, position: int) -> Key:
        return (period_of(event.timestamp, self.zone), event.location, event.sku)

    def fold(self, rows: Rows, event: Movement, position: int) -> None:
        key = self.key_of(event, position)
        rows[key] = roll(rows.get(key), key[0], event, position)
