"""The late-cost arithmetic of SPEC §10, with no I/O."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from domain.errors import ValidationError
from domain.late_costs import allocate, check_cost, split


def test_shares_are_rounded_and_the_residue_goes_to_the_last_line() -> None:
    assert allocate(D("10.00"), [D(1), D(1), D(1)], 2) == [D("3.33"), D("3.33"), D("3.34")]
    assert allocate(D("-0.01"), [D(5), D(5)], 2) == [D("-0.01"), D("0.00")]
    assert sum(allocate(D("99.99"), [D("0.001"), D(7), D("3.5")], 2)) == D("99.99")


def test_a_receipt_that_weighs_nothing_cannot_share() -> None:
    with pytest.raises(ValidationError):
        allocate(D(5), [D(0), D(0)], 2)


def test_the_share_on_hand_goes_to_stock_and_the_rest_to_cogs() -> None:
    assert split(D("20.00"), D(10), D(6), D(30), 2) == (D("12.00"), D("8.00"))
    assert split(D("20.00"), D(10), D(25), D(125), 2) == (D("20.00"), D("0.00"))
    assert split(D("20.00"), D(10), D(0), D(0), 2) == (D(0), D("20.00"))


def test_a_credit_note_never_takes_the_value_below_zero() -> None:
    assert split(D("-80.00"), D(10), D(1), D(5), 2) == (D("-5"), D("-75.00"))
    assert split(D("-8.00"), D(10), D(1), D(5), 2) == (D("-0.80"), D("-7.20"))


def test_a_cost_of_zero_or_on_an_unknown_basis_is_refused() -> None:
    for amount, by in ((D(0), "value"), (D(1), "weight")):
        with pytest.raises(ValidationError):
            check_cost(amount, by)
