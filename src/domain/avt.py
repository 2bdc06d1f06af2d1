"""Actual versus theoretical usage (SPEC §13), as pure arithmetic over a location's ledger
between two approved full counts.

The interval is by ledger position: after the opening count, up to and including the
closing count. Per SKU, in base units and in money at the movements' own values:

    actual = opening + received + transfers_in + production_in
             − transfers_out − shipped − closing

which, because the book's on-hand and value are the sums of the movements' deltas, is
exactly minus the interval's usage movements (CONSUME, WASTE, ADJUSTMENT, PRODUCTION_OUT,
VOID). Its parts: ``theoretical`` (CONSUME of sales, owed settlements included, less VOID),
``production`` (PRODUCTION_OUT), ``waste``, ``other_consumed`` (CONSUME of other documents),
and ``unexplained`` = actual − theoretical − production − waste − other_consumed (minus the
interval's adjustments, counts included).

Which kind feeds which column is declared once (``FLOWS``, ``USAGE``): a kind the ledger
does not record yet (PRODUCTION_IN, PRODUCTION_OUT, VOID) is declared already and simply
contributes nothing until it appears; a kind declared nowhere is refused, so a new kind
cannot silently break the identity.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, make_dataclass
from decimal import ROUND_HALF_UP, Decimal

from domain.money import Money

ZERO = Decimal(0)
_PCT = Decimal("0.01")

# The report's columns in API.md's order (each as ``_qty`` and ``_value``).
COLUMNS = (
    "opening",
    "received",
    "transfers_in",
    "production_in",
    "transfers_out",
    "shipped",
    "closing",
    "actual",
    "theoretical",
    "production",
    "waste",
    "other_consumed",
    "unexplained",
)
# The report's money, declared (``present.money.SHAPES``): every ``_value`` column, the
# revenue and the unmapped revenue; quantities and percentages are not money.
AvtAmounts = make_dataclass(
    "AvtAmounts",
    [(f"{name}_value", Money) for name in COLUMNS]
    + [("revenue", Money), ("unmapped_revenue", Money)],
    frozen=True,
)
# Flows in and out of the shelf: kind → (column, sign applied to the on-hand delta/value).
FLOWS: dict[str, tuple[str, int]] = {
    "RECEIVE": ("received", 1),
    "RETURN": ("received", 1),
    "REVALUE": ("received", 1),  # value only: its on-hand delta is 0
    "TRANSFER_IN": ("transfers_in", 1),
    "PRODUCTION_IN": ("production_in", 1),
    "TRANSFER_OUT": ("transfers_out", -1),
    "SHIP": ("shipped", -1),
}
# Usage: (kind, of a sale?) → column; the column is minus the movements' deltas. A CONSUME
# is a sale's when its document is a sale or it names a menu item (an owed settlement).
USAGE: dict[tuple[str, bool], str] = {
    ("CONSUME", True): "theoretical",
    ("CONSUME", False): "other_consumed",
    ("VOID", True): "theoretical",
    ("VOID", False): "theoretical",
    ("PRODUCTION_OUT", False): "production",
    ("PRODUCTION_OUT", True): "production",
    ("WASTE", False): "waste",
    ("WASTE", True): "waste",
    ("ADJUSTMENT", False): "unexplained",
    ("ADJUSTMENT", True): "unexplained",
}
# Kinds that never change on-hand or value: nothing to say about usage.
STILL = frozenset({"RESERVE", "RELEASE", "VARIANCE", "OWED", "OWED_CANCELLED"})
SALE_DOCUMENTS = frozenset({"sale"})
# Documents whose lines carry revenue, and its sign (a void takes revenue back).
REVENUE_DOCUMENTS: dict[str, int] = {"sale": 1, "void": -1}


def column_of(kind: str, of_sale: bool) -> tuple[str, int] | None:
    """The column a movement feeds and the sign on its delta; None for a still kind."""
    if kind in FLOWS:
        return FLOWS[kind]
    if (kind, of_sale) in USAGE:
        return USAGE[(kind, of_sale)], -1
    if kind in STILL:
        return None
    raise ValueError(f"AvT does not know the movement kind {kind}")


def kinds_of(column: str) -> list[tuple[str, bool | None]]:
    """The (kind, of a sale? — None for either) a column drills down to."""
    found: list[tuple[str, bool | None]] = [(k, None) for k, (c, _) in FLOWS.items() if c == column]
    found += [(kind, sale) for (kind, sale), name in USAGE.items() if name == column]
    merged: dict[str, bool | None] = {}
    for kind, sale in found:
        merged[kind] = None if kind in merged and merged[kind] != sale else sale
    return list(merged.items())


@dataclass(frozen=True)
class Sums:
    """The interval's movements of one SKU of one (kind, of a sale?) class."""

    kind: str
    of_sale: bool
    quantity: Decimal  # Σ on-hand delta
    value: Decimal  # Σ value


@dataclass(frozen=True)
class Book:
    """A SKU's book on-hand and value at a boundary."""

    on_hand: Decimal
    value: Decimal


def pct(part: Decimal, whole: Decimal) -> Decimal | None:
    """part / whole × 100, half-up to 2 places; None when ``whole`` is 0."""
    if whole == 0:
        return None
    return (part * 100 / whole).quantize(_PCT, rounding=ROUND_HALF_UP)


def row(opening: Book, closing: Book, sums: Iterable[Sums]) -> dict[str, Decimal | None]:
    """One SKU's AvT amounts: every column as ``_qty`` and ``_value``, and ``variance_pct``."""
    qty = dict.fromkeys(COLUMNS, ZERO)
    val = dict.fromkeys(COLUMNS, ZERO)
    qty["opening"], val["opening"] = opening.on_hand, opening.value
    qty["closing"], val["closing"] = closing.on_hand, closing.value
    for part in sums:
        found = column_of(part.kind, part.of_sale)
        if found is None or found[0] == "unexplained":
            continue  # unexplained is derived below (it equals minus the adjustments)
        column, sign = found
        qty[column] += sign * part.quantity
        val[column] += sign * part.value
    for figures in (qty, val):
        figures["actual"] = (
            figures["opening"]
            + figures["received"]
            + figures["transfers_in"]
            + figures["production_in"]
            - figures["transfers_out"]
            - figures["shipped"]
            - figures["closing"]
        )
        figures["unexplained"] = (
            figures["actual"]
            - figures["theoretical"]
            - figures["production"]
            - figures["waste"]
            - figures["other_consumed"]
        )
    out: dict[str, Decimal | None] = {}
    for name in COLUMNS:
        out[f"{name}_qty"] = qty[name]
        out[f"{name}_value"] = val[name]
    out["variance_pct"] = pct(val["unexplained"], val["theoretical"])
    return out


def usage(sums: Iterable[Sums]) -> tuple[Decimal, Decimal]:
    """Minus the sum of the usage movements (quantity, value): what ``actual`` must equal."""
    quantity = value = ZERO
    for part in sums:
        found = column_of(part.kind, part.of_sale)
        if found is not None and part.kind not in FLOWS:
            quantity -= part.quantity
            value -= part.value
    return quantity, value


def totals(
    rows: Iterable[Mapping[str, Decimal | None]], revenue: Decimal, unmapped_revenue: Decimal
) -> dict[str, Decimal | None]:
    """The location's totals: every ``_value`` column summed, the revenue of the interval's
    sales (net of voids; unmapped lines included), theoretical and actual food cost % of it,
    and the revenue of unmapped sale lines."""
    out: dict[str, Decimal | None] = {f"{name}_value": ZERO for name in COLUMNS}
    for found in rows:
        for name in COLUMNS:
            key = f"{name}_value"
            amount = found[key]
            assert amount is not None and out[key] is not None
            out[key] = out[key] + amount  # type: ignore[operator]
    theoretical, actual = out["theoretical_value"], out["actual_value"]
    assert theoretical is not None and actual is not None
    out["variance_pct"] = pct(out["unexplained_value"] or ZERO, theoretical)
    out["revenue"] = revenue
    out["theoretical_food_cost_pct"] = pct(theoretical, revenue)
    out["actual_food_cost_pct"] = pct(actual, revenue)
    out["unmapped_revenue"] = unmapped_revenue
    return out
