"""domain.valuation on its own: rounding, the outbound rule, returns, input checks."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain import valuation as v
from domain.errors import ValidationError
from tests.domain.helpers import D


@pytest.mark.parametrize(
    ("amount", "places", "expected"),
    [
        ("3.335", 2, "3.34"),
        ("3.334999", 2, "3.33"),
        ("-3.335", 2, "-3.34"),
        ("0.005", 2, "0.01"),
        ("0.0049", 2, "0.00"),
        ("12.5", 0, "13"),
        ("1.23456", 3, "1.235"),
    ],
)
def test_money_is_rounded_half_away_from_zero_to_the_minor_unit(
    amount: str, places: int, expected: str
) -> None:
    rounded = v.round_money(D(amount), places)
    assert rounded == D(expected)
    assert v.places_of(rounded) == places


def test_a_unit_cost_is_rounded_to_six_places() -> None:
    assert v.round_cost(D(10) / D(3)) == D("3.333333")
    assert v.round_cost(D(20) / D(3)) == D("6.666667")


def test_inbound_value_is_quantity_times_cost_rounded() -> None:
    assert v.inbound_value(D(3), D("3.333333"), 2) == D("10.00")
    assert v.inbound_value(D("0.001"), D("0.004"), 2) == D("0.00")
    assert v.inbound_value(D("1.5"), D("2.25"), 2) == D("3.38")


def test_taking_every_unit_takes_exactly_the_whole_value() -> None:
    assert v.outbound_value(D(3), D(3), D("10.01"), 2) == D("-10.01")
    assert v.outbound_value(D("0.001"), D("0.001"), D("0.07"), 2) == D("-0.07")


def test_taking_part_of_the_stock_takes_the_rounded_proportional_share() -> None:
    assert v.outbound_value(D(1), D(3), D("10.00"), 2) == D("-3.33")
    assert v.outbound_value(D(1), D(2), D("6.67"), 2) == D("-3.34")
    assert v.outbound_value(D("0.001"), D(1), D("0.07"), 2) == D("0.00")


def test_the_average_of_an_empty_position_is_none() -> None:
    assert v.average_cost(D(0), D(0)) is None
    assert v.average_cost(D("10.00"), D(3)) == D("3.333333")


def test_a_partial_return_takes_back_a_proportional_share_of_the_ship_value() -> None:
    # 3 units shipped for 10.00 in all
    assert v.return_value(D(1), D(3), D("10.00"), D(0), D(0), 2) == D("3.33")
    assert v.return_value(D(2), D(3), D("10.00"), D(0), D(0), 2) == D("6.67")


def test_the_return_completing_a_line_takes_exactly_the_remaining_value() -> None:
    assert v.return_value(D(1), D(3), D("10.00"), D(2), D("6.66"), 2) == D("3.34")
    assert v.return_value(D(3), D(3), D("10.00"), D(0), D(0), 2) == D("10.00")


@pytest.mark.parametrize("quantity", ["0", "-1", "1.0001", "NaN", "Infinity", "-0.001"], ids=repr)
def test_a_quantity_must_be_positive_finite_with_at_most_three_places(quantity: str) -> None:
    with pytest.raises(ValidationError):
        v.check_quantity(D(quantity))


@pytest.mark.parametrize("quantity", ["0.001", "1.500", "1E+3", "42"])
def test_quantities_with_three_places_or_fewer_are_accepted(quantity: str) -> None:
    v.check_quantity(D(quantity))


def test_a_zero_quantity_is_accepted_only_where_allowed() -> None:
    v.check_quantity(D(0), allow_zero=True)
    with pytest.raises(ValidationError):
        v.check_quantity(D(-1), allow_zero=True)


@pytest.mark.parametrize("cost", ["-0.01", "0.0000001", "NaN", "-Infinity"])
def test_a_unit_cost_must_be_non_negative_finite_with_at_most_six_places(cost: str) -> None:
    with pytest.raises(ValidationError):
        v.check_unit_cost(D(cost))


@pytest.mark.parametrize("cost", ["0", "0.000001", "3.333333", "1000"])
def test_valid_unit_costs_are_accepted(cost: str) -> None:
    v.check_unit_cost(D(cost))


quantities = st.integers(min_value=1, max_value=5_000).map(lambda n: Decimal(n).scaleb(-3))
values = st.integers(min_value=0, max_value=100_000).map(lambda n: Decimal(n).scaleb(-2))


@settings(max_examples=60, deadline=None)
@given(
    on_hand=quantities,
    value=values,
    cuts=st.lists(st.integers(min_value=1, max_value=1_000), min_size=1, max_size=12),
)
def test_any_split_into_outbound_parts_takes_exactly_the_value_and_never_goes_negative(
    on_hand: Decimal, value: Decimal, cuts: list[int]
) -> None:
    left_qty, left_value, taken = on_hand, value, Decimal(0)
    for cut in cuts:
        if left_qty == 0:
            break
        quantity = min(left_qty, Decimal(cut).scaleb(-3))
        share = v.outbound_value(quantity, left_qty, left_value, 2)
        assert share <= 0
        left_qty -= quantity
        left_value += share
        taken -= share
        assert left_value >= 0
    if left_qty > 0:
        share = v.outbound_value(left_qty, left_qty, left_value, 2)
        left_value += share
        taken -= share
    assert left_value == 0
    assert taken == value
