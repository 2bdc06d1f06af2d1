"""Suggested orders (SPEC §14): pure arithmetic.

A position needs ordering when available + on order ≤ its reorder point. It then needs
``par`` − available − on order (or ``reorder_qty`` when the entry has no par), rounded up
to whole supplier packs, never negative.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal

ZERO = Decimal(0)


@dataclass(frozen=True)
class Need:
    """What one position should order: ``packs`` of ``factor`` base units each."""

    packs: Decimal
    quantity: Decimal  # base units: packs × factor


def suggest(
    available: Decimal,
    on_order: Decimal,
    reorder_point: Decimal,
    par: Decimal | None,
    reorder_qty: Decimal,
    factor: Decimal,
) -> Need | None:
    """The suggestion for one position, None when it needs none (above its reorder point,
    or nothing short of par)."""
    if available + on_order > reorder_point:
        return None
    short = par - available - on_order if par is not None else reorder_qty
    if short <= 0:
        return None
    packs = (short / factor).to_integral_value(rounding=ROUND_CEILING)
    return Need(packs, packs * factor)
