"""Valuation arithmetic (SPEC §3): moving weighted average, value-tracked, no residue.

Pure functions over Decimal. Money is rounded half-up to the currency's minor unit;
quantities carry at most 3 places and unit costs at most 6.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from domain.errors import ValidationError

ZERO = Decimal(0)
QUANTITY_PLACES = 3
COST_PLACES = 6
_COST_QUANTUM = Decimal(1).scaleb(-COST_PLACES)


def places_of(amount: Decimal) -> int:
    """Number of decimal places ``amount`` is written with (0 for integers)."""
    exponent = amount.as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def round_money(amount: Decimal, places: int) -> Decimal:
    """Round to the currency's minor unit, half away from zero."""
    return amount.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def round_cost(amount: Decimal) -> Decimal:
    """Round a unit cost to 6 places for display and recording."""
    return amount.quantize(_COST_QUANTUM, rounding=ROUND_HALF_UP)


def check_quantity(quantity: Decimal, field: str = "quantity", *, allow_zero: bool = False) -> None:
    """Refuses non-finite values, more than 3 places, and values ≤ 0 (or < 0 with allow_zero)."""
    if not quantity.is_finite():
        raise ValidationError(f"{field} must be a finite number")
    if places_of(quantity.normalize()) > QUANTITY_PLACES:
        raise ValidationError(f"{field} has more than {QUANTITY_PLACES} decimal places")
    if quantity < 0 or (quantity == 0 and not allow_zero):
        bound = "≥ 0" if allow_zero else "> 0"
        raise ValidationError(f"{field} must be {bound}")


def check_unit_cost(cost: Decimal, field: str = "unit_cost") -> None:
    """Refuses non-finite or negative costs and more than 6 places."""
    if not cost.is_finite():
        raise ValidationError(f"{field} must be a finite number")
    if places_of(cost.normalize()) > COST_PLACES:
        raise ValidationError(f"{field} has more than {COST_PLACES} decimal places")
    if cost < 0:
        raise ValidationError(f"{field} must be ≥ 0")


def inbound_value(quantity: Decimal, unit_cost: Decimal, places: int) -> Decimal:
    """Value of units received at a given cost: round(q × unit_cost)."""
    return round_money(quantity * unit_cost, places)


def outbound_value(quantity: Decimal, on_hand: Decimal, value: Decimal, places: int) -> Decimal:
    """Value taken by an outbound movement, as a negative amount.

    Taking every unit takes exactly the whole value, so no residue is ever left;
    otherwise the share is round(q × value / on_hand).
    """
    if quantity == on_hand:
        return -value
    return -round_money(quantity * value / on_hand, places)


def average_cost(value: Decimal, on_hand: Decimal) -> Decimal | None:
    """value / on_hand at 6 places, or None for an empty position."""
    if on_hand == 0:
        return None
    return round_cost(value / on_hand)


def return_value(
    quantity: Decimal,
    shipped_qty: Decimal,
    shipped_value: Decimal,
    returned_qty: Decimal,
    returned_value: Decimal,
    places: int,
) -> Decimal:
    """Value given back by returning ``quantity`` of a SHIP line (positive amount).

    ``shipped_value`` is the absolute value shipped; the return that completes the line
    takes exactly what remains, so a fully returned line gives back exactly its value.
    """
    if returned_qty + quantity == shipped_qty:
        return shipped_value - returned_value
    return round_money(quantity * shipped_value / shipped_qty, places)
