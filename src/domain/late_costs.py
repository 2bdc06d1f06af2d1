"""Late costs (SPEC §10): how a cost posted against a receipt is shared out, forward only.

``allocate`` shares the amount over the receipt's lines by weight (value or quantity),
rounded to the currency's places with the residue on the last line, so the shares sum
exactly to the amount. ``split`` divides a line's share between the stock still on hand
at the receipt's position (a REVALUE) and the current period's COGS (a cost variance):
``to_stock = round(share × min(on_hand, received) / received)``, never below −value, and
``to_cogs = share − to_stock``. Nothing here reads a store or a clock.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from domain import valuation as v
from domain.errors import ValidationError
from domain.money import Money

BASES = ("value", "quantity")


@dataclass(frozen=True)
class Allocation:
    """One receipt line's part of a late cost, as a cost document records it."""

    sku: str
    location: str
    share: Money
    to_stock: Money
    to_cogs: Money


def check_cost(amount: Decimal, by: str) -> None:
    """Refuses an amount of 0 and an unknown basis."""
    if amount == 0:
        raise ValidationError("a cost's amount must not be 0", [{"field": "amount"}])
    if by not in BASES:
        raise ValidationError("by must be value or quantity", [{"field": "by"}])


def allocate(amount: Decimal, weights: Sequence[Decimal], places: int) -> list[Decimal]:
    """Shares of ``amount`` in proportion to ``weights``; the last takes the residue.
    Refuses weights that sum to 0 (a receipt worth nothing cannot share by value)."""
    total = sum(weights, v.ZERO)
    if total <= 0:
        raise ValidationError(
            "the receipt's lines weigh nothing on this basis: allocate by quantity",
            [{"field": "by"}],
        )
    shares = [v.round_money(amount * weight / total, places) for weight in weights[:-1]]
    return [*shares, amount - sum(shares, v.ZERO)]


def split(
    share: Decimal, received: Decimal, on_hand: Decimal, value: Decimal, places: int
) -> tuple[Decimal, Decimal]:
    """(to_stock, to_cogs) of one line's share at a position holding ``on_hand`` units worth
    ``value``; an empty position takes nothing to stock."""
    held = min(on_hand, received)
    to_stock = v.round_money(share * held / received, places) if held > 0 else v.ZERO
    to_stock = max(to_stock, -value)
    return to_stock, share - to_stock
