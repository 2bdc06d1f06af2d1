"""The bounds of SPEC §7, in one place: what a number may be, for the API and the domain.

Quantities are at most 10^12 with 3 places; unit costs and prices at most 10^9 with 6
places; money at most 10^15 with the currency's places. Every figure the ledger can record
then fits well inside Decimal's default 28 digits, except the products and quotients that
value a movement (q × unit cost, q × value / on_hand): those are computed by ``exact``-ly
in a wide local context, rounded, and checked against the bound before anything is kept,
so arithmetic never silently rounds.

Pure: no I/O. Each check raises ``ValidationError`` naming the field.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sized
from decimal import ROUND_HALF_UP, Decimal, localcontext

from domain.errors import ValidationError

QUANTITY_PLACES = 3
COST_PLACES = 6
MAX_QUANTITY = Decimal(10) ** 12
MAX_UNIT_COST = Decimal(10) ** 9
MAX_MONEY = Decimal(10) ** 15
MAX_LINES = 1000

# What a decimal written in a request may look like: no sign but '-', no padding, no
# exponent, no '_' separators, no leading zeros, no NaN or Infinity.
CANONICAL = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?")
MAX_DECIMAL_CHARS = 64
CANONICAL_PATTERN = f"^{CANONICAL.pattern}$"

# Wide enough for the product of the largest quantity and cost, and their quotients.
_WIDE = 80


def places(amount: Decimal) -> int:
    """Decimal places ``amount`` needs (trailing zeros do not count); no context rounding."""
    _, digits, exponent = amount.as_tuple()
    if not isinstance(exponent, int):
        return 0
    trimmed = list(digits)
    while exponent < 0 and len(trimmed) > 1 and trimmed[-1] == 0:
        trimmed.pop()
        exponent += 1
    return max(0, -exponent)


def check_lines(lines: Sized, too_many: str = f"lines has more than {MAX_LINES} lines") -> None:
    """Refuses a document of no lines, and of more than MAX_LINES (``too_many`` says so)."""
    if not lines:
        raise ValidationError("at least one line is required", [{"field": "lines"}])
    if len(lines) > MAX_LINES:
        raise ValidationError(too_many, [{"field": "lines"}])


def _refuse(field: str, problem: str) -> ValidationError:
    return ValidationError(f"{field}: {problem}", [{"field": field, "message": problem}])


def _check(amount: Decimal, field: str, limit: Decimal, most: int, what: str) -> None:
    if not amount.is_finite():
        raise _refuse(field, "must be a finite number")
    if places(amount) > most:
        raise _refuse(field, f"has more than {most} decimal places")
    if abs(amount) > limit:
        raise _refuse(field, f"is beyond the bound of {what} ({_plain(limit)})")


def _plain(amount: Decimal) -> str:
    return format(amount, "f")


def check_quantity(
    quantity: Decimal, field: str = "quantity", *, allow_zero: bool = False, signed: bool = False
) -> None:
    """Finite, ≤ 3 places, |q| ≤ 10^12; > 0 (≥ 0 with allow_zero; ≠ 0 when signed)."""
    _check(quantity, field, MAX_QUANTITY, QUANTITY_PLACES, "a quantity")
    if signed:
        if quantity == 0:
            raise _refuse(field, "must not be 0")
    elif quantity < 0 or (quantity == 0 and not allow_zero):
        raise _refuse(field, "must be ≥ 0" if allow_zero else "must be > 0")


def check_unit_cost(cost: Decimal, field: str = "unit_cost") -> None:
    """Finite, ≤ 6 places, 0 ≤ cost ≤ 10^9."""
    _check(cost, field, MAX_UNIT_COST, COST_PLACES, "a unit cost")
    if cost < 0:
        raise _refuse(field, "must be ≥ 0")


def check_money(amount: Decimal, currency_places: int, field: str) -> None:
    """Finite, at most the currency's places, |amount| ≤ 10^15."""
    _check(amount, field, MAX_MONEY, currency_places, "money")


def money_quantum(currency_places: int) -> Decimal:
    return Decimal(1).scaleb(-currency_places)


def exact(compute: Callable[[], Decimal], quantum: Decimal) -> Decimal:
    """``compute()`` evaluated in a wide context, rounded half-up to ``quantum``.

    The default context (28 digits) would round q × unit cost silently once it is large;
    here nothing is lost before the one rounding the rules ask for.
    """
    with localcontext() as wide:
        wide.prec = _WIDE
        return compute().quantize(quantum, rounding=ROUND_HALF_UP)


def check_position(on_hand: Decimal, reserved: Decimal, value: Decimal, field: str) -> None:
    """A position after a movement must stay inside the bounds (on hand, value)."""
    if max(abs(on_hand), abs(reserved)) > MAX_QUANTITY:
        raise _refuse(field, f"would take the position beyond {_plain(MAX_QUANTITY)} units")
    if abs(value) > MAX_MONEY:
        raise _refuse(field, f"would take the position's value beyond {_plain(MAX_MONEY)}")
