"""Food cost arithmetic (SPEC §9), as pure functions: the ``food_cost`` read model, period
close and ``verify`` fold the ledger with the same functions.

One row per (period, location, menu item): ``sold_qty`` and ``revenue`` from the sale
documents (each sale line's revenue is recorded on its sale, at the line's location), ``cost``
from the sale's CONSUME movements (Σ −value, so positive; a settlement of owed consumption
counts when it settles, SPEC §17). A void (§17) subtracts, in its own period, its lines'
quantity and revenue (its document) and the value its VOID movements took back.
``food_cost_pct`` = cost / revenue × 100 to 2 places, None when revenue is 0. A sale's lines
and movements carry the same instant (the document's ``posted_at`` is its movements' recorded
time), so both land in one period.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from domain.documents import DocumentDetails
from domain.money import Money
from domain.movements import DocType, Kind
from domain.rollforward import period_of

ZERO = Decimal(0)


@dataclass(frozen=True)
class Sold:
    """What a (period, location, menu item) row sums, declared once."""

    sold_qty: Decimal
    revenue: Money
    cost: Money


@dataclass(frozen=True)
class FoodCostAmounts(Sold):
    """The report's amounts: the sums and the cost % (None when revenue is 0)."""

    food_cost_pct: Decimal | None


AMOUNTS = tuple(f.name for f in fields(Sold))
REPORT_AMOUNTS = tuple(f.name for f in fields(FoodCostAmounts))
_PCT = Decimal("0.01")

Key = tuple[str, str, str]
Row = dict[str, Any]


SOLD_DOCUMENTS = {DocType.SALE.value: 1, DocType.VOID.value: -1}


def _line_keys(event: Any, zone: ZoneInfo) -> list[tuple[Key, dict[str, Any]]]:
    """A sale's or a void's lines, each with its row key."""
    details = DocumentDetails.of(event.details)
    assert details.posted_at is not None
    period = period_of(datetime.fromisoformat(details.posted_at), zone)
    return [
        ((period, ln.get("location") or str(details.location), ln["menu_item"]), ln)
        for ln in event.lines
    ]


def keys_of(event: Any, zone: ZoneInfo) -> list[Key]:
    """The (period, location, menu item) rows a recorded event changes: a sale's CONSUME
    and a void's VOID its menu item's, a sale or void document each of its lines';
    nothing for any other event."""
    if getattr(event, "doc_type", None) in SOLD_DOCUMENTS:
        return list(dict.fromkeys(key for key, _ in _line_keys(event, zone)))
    kind, document = getattr(event, "kind", None), getattr(event, "document_type", None)
    if (kind, document) in ((Kind.CONSUME, DocType.SALE), (Kind.VOID, DocType.VOID)):
        return [(period_of(event.timestamp, zone), event.location, event.menu_item)]
    return []


def fold(rows: dict[Any, Row], event: Any, zone: ZoneInfo) -> None:
    """Adds ``event`` (see ``keys_of``) to ``rows``."""
    sign = SOLD_DOCUMENTS.get(getattr(event, "doc_type", None) or "")
    if sign is not None:
        for key, line in _line_keys(event, zone):
            row = _row(rows, key)
            row["sold_qty"] += sign * Decimal(line["quantity"])
            row["revenue"] += sign * Decimal(line["revenue"])
        return
    keys = keys_of(event, zone)
    if keys:
        _row(rows, keys[0])["cost"] -= event.value


def _row(rows: dict[Any, Row], key: Key) -> Row:
    if key not in rows:
        rows[key] = {"period": key[0], "location": key[1], "menu_item": key[2]}
        rows[key].update({name: ZERO for name in AMOUNTS})
    return rows[key]


def food_cost_pct(cost: Decimal, revenue: Decimal) -> Decimal | None:
    """cost / revenue × 100, half-up to 2 places; None when revenue is 0."""
    if revenue == 0:
        return None
    return (cost * 100 / revenue).quantize(_PCT, rounding=ROUND_HALF_UP)


def totals(rows: Iterable[Row], period: str) -> dict[str, Decimal]:
    """The period's summed amounts (what a period close records)."""
    out = {name: ZERO for name in AMOUNTS}
    for row in rows:
        if row["period"] == period:
            for name in AMOUNTS:
                out[name] += row[name]
    return out
