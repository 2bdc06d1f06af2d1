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
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from domain.movements import Kind
from domain.stock_item import Movement
from projections.base import Column, Key, Projection, Rows

ZERO = Decimal(0)

# Roll-forward column (without _qty/_value) for each kind that moves stock.
COLUMN_OF_KIND = {
    Kind.RECEIVE: "receipts",
    Kind.RETURN: "returns",
    Kind.TRANSFER_IN: "transfers_in",
    Kind.TRANSFER_OUT: "transfers_out",
    Kind.SHIP: "shipped",
    Kind.CONSUME: "consumed",
    Kind.WASTE: "waste",
    Kind.ADJUSTMENT: "adjustments",
}
FLOWS = tuple(COLUMN_OF_KIND.values())
AMOUNTS = (
    "opening_qty",
    "opening_value",
    *(f"{flow}_{part}" for flow in FLOWS for part in ("qty", "value")),
    "closing_qty",
    "closing_value",
)
COGS_AMOUNTS = (
    "shipped_qty",
    "shipped_value",
    "returned_qty",
    "returned_value",
    "consumed_qty",
    "consumed_value",
    "waste_qty",
    "waste_value",
    "net_cogs",
)


def period_of(at: datetime, zone: ZoneInfo) -> str:
    local = at.astimezone(zone)
    return f"{local.year:04d}-{local.month:02d}"  # strftime costs twice as much per event


def cogs_of(row: dict[str, Any]) -> dict[str, Decimal]:
    """COGS columns (positive costs) from a roll-forward row."""
    out = {
        "shipped_qty": -row["shipped_qty"],
        "shipped_value": -row["shipped_value"],
        "returned_qty": row["returns_qty"],
        "returned_value": row["returns_value"],
        "consumed_qty": -row["consumed_qty"],
        "consumed_value": -row["consumed_value"],
        "waste_qty": -row["waste_qty"],
        "waste_value": -row["waste_value"],
    }
    out["net_cogs"] = out["shipped_value"] - out["returned_value"] + out["consumed_value"]
    return out


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
        row = rows.get(key)
        if row is None:
            row = {name: ZERO for name in AMOUNTS}
            row.update(period=key[0], location=event.location, sku=event.sku)
            row["opening_qty"] = event.on_hand_after - event.on_hand_delta
            row["opening_value"] = event.value_after - event.value
            rows[key] = row
        flow = COLUMN_OF_KIND.get(Kind(event.kind))
        if flow is not None:
            row[f"{flow}_qty"] += event.on_hand_delta
            row[f"{flow}_value"] += event.value
        row["closing_qty"] = event.on_hand_after
        row["closing_value"] = event.value_after
        row["last_position"] = position
