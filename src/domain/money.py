"""Money, declared: a field typed ``Money`` holds an amount of the ledger's currency.

``Money`` is a Decimal with a mark (``typing.Annotated``): the arithmetic sees a Decimal,
and whoever presents a shape (``present.money``) asks the declaration which of its fields
are money instead of guessing from their names. A quantity or a unit cost is a plain
Decimal and is written as held; money is written at the currency's places (SPEC §7).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, get_args, get_type_hints


class MoneyMark:
    """The mark ``Money`` carries; one instance, ``MONEY``."""

    def __repr__(self) -> str:
        return "MONEY"


MONEY = MoneyMark()
Money = Annotated[Decimal, MONEY]


def is_money(hint: Any) -> bool:
    """True for ``Money`` and for a union holding it (``Money | None``)."""
    if any(mark is MONEY for mark in getattr(hint, "__metadata__", ())):
        return True
    return any(is_money(arg) for arg in get_args(hint) if arg is not MONEY)


def money_fields(*shapes: type) -> frozenset[str]:
    """The names of the fields declared ``Money`` on any of ``shapes``."""
    return frozenset(
        name
        for shape in shapes
        for name, hint in get_type_hints(shape, include_extras=True).items()
        if is_money(hint)
    )
