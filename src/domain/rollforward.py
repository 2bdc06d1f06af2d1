"""The valuation roll-forward and COGS arithmetic of SPEC §5, as pure functions.

One roll-forward row per (period, location, sku) holds signed columns (outbound columns are
negative), so closing = opening + Σ columns to the cent. The ``cogs`` read model folds
movements with ``roll``; period close and ``verify`` fold the ledger with the same function;
the COGS report derives its positive costs with ``cogs_of``. Nothing here reads a clock or a
store.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from domain.movements import Kind

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
    Kind.REVALUE: "revaluation",
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
    "variance_value",
    "net_cogs",
)
# A row's amounts: the roll-forward's, and the cost variance (SPEC §10), which moves no
# stock and so stays out of closing = opening + Σ columns.
ROW_AMOUNTS = (*AMOUNTS, "variance_value")

Row = dict[str, Any]


class MovementFigures(Protocol):
    """What the roll-forward needs of a movement."""

    sku: str
    location: str
    kind: str
    on_hand_delta: Decimal
    value: Decimal
    on_hand_after: Decimal
    value_after: Decimal


def period_of(at: datetime, zone: ZoneInfo) -> str:
    """The calendar month of ``at`` in ``zone`` (``YYYY-MM``)."""
    local = at.astimezone(zone)
    return f"{local.year:04d}-{local.month:02d}"  # strftime costs twice as much per event


def roll(row: Row | None, period: str, movement: MovementFigures, position: int) -> Row:
    """The roll-forward row of ``period`` after ``movement``: a new row opens at the state
    just before the movement (after − delta, which every movement records), so a row never
    needs to look at another row. RESERVE and RELEASE touch the row but move nothing; a
    VARIANCE adds its cost variance to the row's ``variance_value``."""
    if row is None:
        row = {name: ZERO for name in ROW_AMOUNTS}
        row.update(period=period, location=movement.location, sku=movement.sku)
        row["opening_qty"] = movement.on_hand_after - movement.on_hand_delta
        row["opening_value"] = movement.value_after - movement.value
    flow = COLUMN_OF_KIND.get(Kind(movement.kind))
    if flow is not None:
        row[f"{flow}_qty"] += movement.on_hand_delta
        row[f"{flow}_value"] += movement.value
    variance = getattr(movement, "variance", None)  # only a VARIANCE carries one
    if variance is not None:
        row["variance_value"] += variance
    row["closing_qty"] = movement.on_hand_after
    row["closing_value"] = movement.value_after
    row["last_position"] = position
    return row


def cogs_of(row: Row) -> dict[str, Decimal]:
    """COGS columns (positive costs) from a roll-forward row:
    net COGS = shipped − returned + consumed + variance."""
    out = {
        "shipped_qty": -row["shipped_qty"],
        "shipped_value": -row["shipped_value"],
        "returned_qty": row["returns_qty"],
        "returned_value": row["returns_value"],
        "consumed_qty": -row["consumed_qty"],
        "consumed_value": -row["consumed_value"],
        "waste_qty": -row["waste_qty"],
        "waste_value": -row["waste_value"],
        "variance_value": row.get("variance_value", ZERO),
    }
    out["net_cogs"] = (
        out["shipped_value"] - out["returned_value"] + out["consumed_value"] + out["variance_value"]
    )
    return out


def valuation_rows(rows: Iterable[Row], period: str) -> list[Row]:
    """Roll-forward rows of ``period`` from rows of periods ≤ ``period``.

    A position without movements in the period carries its last closing into it unchanged;
    it is left out when it holds nothing.
    """
    latest: dict[tuple[str, str], Row] = {}
    for row in rows:
        if row["period"] > period:
            continue
        key = (row["location"], row["sku"])
        if key not in latest or latest[key]["period"] < row["period"]:
            latest[key] = row
    out = []
    for key in sorted(latest):
        row = latest[key]
        if row["period"] == period:
            out.append(dict(row))
            continue
        if row["closing_qty"] == 0 and row["closing_value"] == 0:
            continue
        carried: Row = {name: ZERO for name in ROW_AMOUNTS}
        carried.update(period=period, location=row["location"], sku=row["sku"])
        carried["opening_qty"] = carried["closing_qty"] = row["closing_qty"]
        carried["opening_value"] = carried["closing_value"] = row["closing_value"]
        carried["last_position"] = row["last_position"]
        out.append(carried)
    return out


def period_totals(rows: Iterable[Row], period: str) -> dict[str, dict[str, Decimal]]:
    """Sums over the period's valuation rows: ``valuation`` (the signed roll-forward
    columns) and ``cogs`` (the COGS report columns, positive costs)."""
    valuation = {name: ZERO for name in AMOUNTS}
    cogs = {name: ZERO for name in COGS_AMOUNTS}
    for row in valuation_rows(rows, period):
        for name in AMOUNTS:
            valuation[name] += row[name]
        for name, amount in cogs_of(row).items():
            cogs[name] += amount
    return {"valuation": valuation, "cogs": cogs}
