"""The valuation roll-forward and COGS arithmetic of SPEC §5, as pure functions.

One roll-forward row per (period, location, sku) holds signed columns (outbound columns are
negative), so closing = opening + Σ columns to the cent. The ``cogs`` read model folds
movements with ``roll``; period close and ``verify`` fold the ledger with the same function;
the COGS report derives its positive costs with ``cogs_of``. Nothing here reads a clock or a
store.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from datetime import datetime
from decimal import Decimal
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from domain.money import Money
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
    Kind.VOID: "voids",
    Kind.PRODUCTION_IN: "production_in",
    Kind.PRODUCTION_OUT: "production_out",
}


def _cogs(source: str | None, *kinds: Kind) -> dict[str, Any]:
    """A COGS column's metadata: the roll-forward column it is read from and the movement
    kinds whose movements are behind it (what a drill-down lists)."""
    return {"source": source, "kinds": kinds}


@dataclass(frozen=True)
class Valuation:
    """The roll-forward of one position in one period, declared once: the report's amounts,
    its API schema, CSV and console columns and its SQL sums are these fields, in order.
    Signed columns (outbound negative): closing = opening + Σ the flows between them."""

    opening_qty: Decimal
    opening_value: Money
    receipts_qty: Decimal
    receipts_value: Money
    returns_qty: Decimal
    returns_value: Money
    transfers_in_qty: Decimal
    transfers_in_value: Money
    transfers_out_qty: Decimal
    transfers_out_value: Money
    shipped_qty: Decimal
    shipped_value: Money
    consumed_qty: Decimal
    consumed_value: Money
    waste_qty: Decimal
    waste_value: Money
    adjustments_qty: Decimal
    adjustments_value: Money
    revaluation_qty: Decimal
    revaluation_value: Money
    voids_qty: Decimal
    voids_value: Money
    # A production (SPEC §16): its output in, its ingredients out; not COGS.
    production_in_qty: Decimal
    production_in_value: Money
    production_out_qty: Decimal
    production_out_value: Money
    closing_qty: Decimal
    closing_value: Money


@dataclass(frozen=True)
class CogsAmounts:
    """The COGS report's amounts (positive costs), declared once, each with the
    roll-forward column ``cogs_of`` reads it from and the kinds of the movements behind it."""

    shipped_qty: Decimal = field(metadata=_cogs("shipped_qty", Kind.SHIP))
    shipped_value: Money = field(metadata=_cogs("shipped_value", Kind.SHIP))
    returned_qty: Decimal = field(metadata=_cogs("returns_qty", Kind.RETURN))
    returned_value: Money = field(metadata=_cogs("returns_value", Kind.RETURN))
    consumed_qty: Decimal = field(metadata=_cogs("consumed_qty", Kind.CONSUME))
    consumed_value: Money = field(metadata=_cogs("consumed_value", Kind.CONSUME))
    waste_qty: Decimal = field(metadata=_cogs("waste_qty", Kind.WASTE))
    waste_value: Money = field(metadata=_cogs("waste_value", Kind.WASTE))
    variance_value: Money = field(metadata=_cogs("variance_value", Kind.VARIANCE))
    # Sales' consumption taken back by voids (SPEC §17), positive; net COGS subtracts it.
    voided_value: Money = field(metadata=_cogs("voids_value", Kind.VOID))
    net_cogs: Money = field(
        metadata=_cogs(None, Kind.SHIP, Kind.RETURN, Kind.CONSUME, Kind.VARIANCE, Kind.VOID)
    )


AMOUNTS = tuple(f.name for f in fields(Valuation))
FLOWS = tuple(name[: -len("_qty")] for name in AMOUNTS[2:-2:2])
COGS_AMOUNTS = tuple(f.name for f in fields(CogsAmounts))
# The roll-forward columns ``cogs_of`` reads, and the kinds behind each COGS column.
SOURCE_OF = {f.name: f.metadata["source"] for f in fields(CogsAmounts) if f.metadata["source"]}
COGS_SOURCES = tuple(SOURCE_OF.values())
# Positive as recorded (a return gives stock back; a variance is a cost); the rest negated.
INWARD = frozenset({"returns_qty", "returns_value", "variance_value", "voids_value"})
COGS_KINDS: dict[str, tuple[Kind, ...]] = {f.name: f.metadata["kinds"] for f in fields(CogsAmounts)}
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
    net COGS = shipped − returned + consumed + variance − voided."""
    out = {
        name: row.get(source, ZERO) if source in INWARD else -row[source]
        for name, source in SOURCE_OF.items()
    }
    out["net_cogs"] = (
        out["shipped_value"]
        - out["returned_value"]
        + out["consumed_value"]
        + out["variance_value"]
        - out["voided_value"]
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
