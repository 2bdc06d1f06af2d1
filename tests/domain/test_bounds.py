"""SPEC §7 Bounds in the domain itself: the aggregates refuse what the API would, so a
caller that skips the API (CLI, import, a future endpoint) cannot lose precision either."""

from __future__ import annotations

from decimal import Decimal, localcontext

import pytest

from domain import bounds
from domain.errors import ValidationError
from domain.stock_item import StockItem
from tests.domain.helpers import AT, PLACES, D, src, stocked


@pytest.mark.parametrize(
    ("quantity", "cost", "field"),
    [
        ("1e25", "1", "lines[0].quantity"),  # beyond 10^12
        ("1000000000000.001", "0", "lines[0].quantity"),
        ("1", "1000000000.5", "lines[0].unit_cost"),  # beyond 10^9
        ("1", "0.0000001", "lines[0].unit_cost"),  # 7 places
        ("1000000000000", "1000.01", "lines[0].quantity"),  # value beyond 10^15
    ],
)
def test_a_receipt_out_of_bounds_is_refused_naming_the_field(
    quantity: str, cost: str, field: str
) -> None:
    item = StockItem("SKU-1", "main")
    with pytest.raises(ValidationError) as refused:
        item.receive(D(quantity), D(cost), src(), AT, PLACES)
    assert refused.value.errors[0]["field"] == field
    assert not item.pending_events[1:]


def test_a_small_receipt_onto_a_full_position_is_refused_not_swallowed() -> None:
    item = stocked("1000000000000", "0.001")
    with pytest.raises(ValidationError, match="beyond 1000000000000 units"):
        item.receive(D("0.001"), D(1), src(line=3), AT, PLACES)
    assert item.on_hand == D("1000000000000")


def test_an_adjustment_names_its_own_field() -> None:
    item = stocked("1", "1")
    with pytest.raises(ValidationError) as refused:
        item.adjust(D("2000000000000"), None, src("adjustment", note="n"), AT, PLACES)
    assert refused.value.errors[0]["field"] == "quantity"


def test_value_products_are_exact_even_in_a_narrow_context() -> None:
    with localcontext() as narrow:
        narrow.prec = 10  # a caller's context must not round q × cost before the rule does
        value = bounds.exact(lambda: D("999999.999") * D("999999999.999999"), D("0.01"))
    assert value == Decimal("999999998999999.00")


@pytest.mark.parametrize(
    ("amount", "places"),
    [(D("1.500"), 1), (D("1.000000000000000000000000000001"), 30), (D(100), 0), (D("1E+2"), 0)],
)
def test_places_ignore_trailing_zeros_without_context_rounding(
    amount: Decimal, places: int
) -> None:
    assert bounds.places(amount) == places
