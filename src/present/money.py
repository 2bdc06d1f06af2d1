"""Money in answers carries the currency's places ("0.00", never "0"): SPEC §7.

The read models and the ledger keep exact Decimals (a sum of nothing is ``Decimal(0)``);
every edge (the API's answers and CSV, the console, the feed's events) writes each money
figure at the currency's places (``STOCKLEDGER_CURRENCY_DECIMALS``) with ``with_places``.
Which figures are money is declared, not guessed: the fields typed ``domain.money.Money``
on the shapes an answer is made of (``SHAPES``).

Quantities (``is_quantity``: by name, ``QUANTITY_KEYS`` and every ``…_qty``/``…_quantity``)
are written in one canonical form (issue 35.3, ``canonical``): the shortest plain decimal
that is exactly the value — no trailing zeros, no exponent, never "-0": "6" not "6.000",
"0.5" not "0.500", "72" not "72.0". So a quantity reads the same in the API's JSON and
CSV, the console and the feed, however it was entered or summed. Unit costs, factors and
percentages are written as held.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from starlette.requests import Request

from application.sale_view import SaleState
from domain.avt import AvtAmounts
from domain.bounds import exact, money_quantum
from domain.food_cost import FoodCostAmounts
from domain.late_costs import Allocation
from domain.money import money_fields
from domain.movements import Movement
from domain.rollforward import CogsAmounts, Valuation
from domain.supplier_invoice import BillingAmounts

# The shapes answers are made of: a movement, a report's amounts, a late cost's allocation,
# AvT's values, a match's and GRNI's values, a sale's revenue.
SHAPES = (
    Movement,
    Valuation,
    CogsAmounts,
    FoodCostAmounts,
    Allocation,
    AvtAmounts,
    BillingAmounts,
    SaleState,
)
MONEY_KEYS = money_fields(*SHAPES)


def is_money(key: str) -> bool:
    return key in MONEY_KEYS


# Quantities by name: a movement's and a position's figures, and every report column
# named ``…_qty`` or ``…_quantity`` (issue 35.3).
QUANTITY_KEYS = frozenset(
    {
        "quantity",
        "on_hand",
        "reserved",
        "available",
        "counted",
        "expected",
        "owed",
        "requested",
        "entered",
        "on_hand_delta",
        "reserved_delta",
        "on_hand_after",
        "reserved_after",
        "owed_after",
        "reorder_point",
        "reorder_qty",
    }
)


def is_quantity(key: str) -> bool:
    return key in QUANTITY_KEYS or key.endswith(("_qty", "_quantity"))


def places_of(request: Request) -> int:
    places: int = request.app.state.settings.currency_decimals
    return places


def with_places(body: Any, places: int, *, as_text: bool = False) -> Any:
    """``body`` with every Decimal under a money key written at ``places`` (exact: a
        recorded amount already has at most that many places, so nothing is rounded). With
        ``as_text``, every Decimal also becomes its JSON text (``plain``), in the same walk, for
        an answer the stdlib encoder writes whole (``api.dependencies.json_answer``). The one
    public way to place money: the API's answers, the console and the feed call it."""
    return _walk(body, money_quantum(places), plain if as_text else None)


def plain(value: Decimal) -> str:
    """A decimal as a response writes it: plain digits, never an exponent (``format(value,
    "f")``, which ``str`` already is unless it would use an exponent: a third of the cost)."""
    text = str(value)
    return text if "E" not in text else format(value, "f")


def canonical(value: Decimal) -> Decimal:
    """A number that is not money in its canonical form: exactly ``value`` with no trailing
    zeros (``plain`` writes it without an exponent); zero is ``0``."""
    if not value.is_finite():
        return value
    if value == value.to_integral_value():
        return value.quantize(_ONE) if value else _ZERO
    return value.normalize()


_ONE, _ZERO = Decimal(1), Decimal(0)


def _at(amount: Decimal, quantum: Decimal) -> Decimal:
    """``amount`` at the quantum's places, rounded as the rules round (``exact``). In the
    thread's context when the figure fits it (every bounded amount does): a report writes
    100,000 amounts, and opening ``exact``'s wide context for each was most of its time."""
    try:
        return amount.quantize(quantum, rounding=ROUND_HALF_UP)
    except InvalidOperation:
        return exact(lambda: amount, quantum)


def _walk(node: Any, quantum: Decimal, finish: Callable[[Decimal], Any] | None) -> Any:
    if isinstance(node, dict):
        placed = {}
        for key, value in node.items():
            if isinstance(value, Decimal):
                if key in MONEY_KEYS:
                    value = _at(value, quantum)
                elif is_quantity(key):
                    value = canonical(value)
                placed[key] = value if finish is None else finish(value)
            elif isinstance(value, dict | list):
                placed[key] = _walk(value, quantum, finish)
            else:
                placed[key] = value
        return placed
    if isinstance(node, list):
        return [_walk(item, quantum, finish) for item in node]
    if isinstance(node, Decimal) and finish is not None:
        return finish(node)
    return node
