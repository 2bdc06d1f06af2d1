"""Valuation arithmetic (SPEC §3): moving weighted average, value-tracked, no residue.

Pure functions over Decimal. Money is rounded half-up to the currency's minor unit;
quantities carry at most 3 places and unit costs at most 6.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from domain import bounds

ZERO = Decimal(0)
QUANTITY_PLACES = bounds.QUANTITY_PLACES
COST_PLACES = bounds.COST_PLACES
_COST_QUANTUM = Decimal(1).scaleb(-COST_PLACES)
places_of = bounds.places


def round_money(amount: Decimal, places: int) -> Decimal:
    """Round to the currency's minor unit, half away from zero."""
    return amount.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def round_cost(amount: Decimal) -> Decimal:
    """Round a unit cost to 6 places for display and recording."""
    return amount.quantize(_COST_QUANTUM, rounding=ROUND_HALF_UP)


def check_quantity(quantity: Decimal, field: str = "quantity", *, allow_zero: bool = False) -> None:
    """Refuses non-finite values, more than 3 places, beyond 10^12, and values ≤ 0
    (or < 0 with allow_zero)."""
    bounds.check_quantity(quantity, field, allow_zero=allow_zero)


def check_unit_cost(cost: Decimal, field: str = "unit_cost") -> None:
    """Refuses non-finite or negative costs, more than 6 places, and beyond 10^9."""
    bounds.check_unit_cost(cost, field)


def inbound_value(
    quantity: Decimal,
    unit_cost: Decimal,
    places: int,
    field: str = "quantity",
    per: Decimal = Decimal(1),
) -> Decimal:
    """Value of units received at a given cost: round(q × unit_cost), computed exactly and
    refused beyond the money bound. With ``per`` (a pack factor) the cost is per pack of
    ``per`` base units: round(q × unit_cost / per), i.e. round(packs × cost) as entered."""
    value = bounds.exact(lambda: quantity * unit_cost / per, bounds.money_quantum(places))
    bounds.check_money(value, places, field)
    return value


def costed(
    quantity: Decimal, unit_cost: Decimal, places: int, field: str, per: Decimal | None
) -> tuple[Decimal, Decimal]:
    """(value, recorded unit cost) of ``quantity`` base units at ``unit_cost``. With ``per``
    (the factor of the pack unit the line was entered in) the cost is per pack: the value is
    round(packs × cost), what the invoice says, and the recorded cost is value / quantity
    per base unit, 6 places, for display (SPEC §8)."""
    if per is None:
        return inbound_value(quantity, unit_cost, places, field), round_cost(unit_cost)
    value = inbound_value(quantity, unit_cost, places, field, per)
    return value, round_cost(value / quantity)


def outbound_value(quantity: Decimal, on_hand: Decimal, value: Decimal, places: int) -> Decimal:
    """Value taken by an outbound movement, as a negative amount.

    Taking every unit takes exactly the whole value, so no residue is ever left;
    otherwise the share is round(q × value / on_hand), computed exactly.
    """
    if quantity == on_hand:
        return -value
    return -bounds.exact(lambda: quantity * value / on_hand, bounds.money_quantum(places))


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
    return bounds.exact(
        lambda: quantity * shipped_value / shipped_qty, bounds.money_quantum(places)
    )
