"""domain.avt: the arithmetic of one SKU's row and the totals (SPEC §13)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain import avt

D = Decimal


def test_a_row_splits_actual_usage_into_its_parts_and_unexplained_is_the_rest() -> None:
    sums = [
        avt.Sums("RECEIVE", False, D(10), D("20.00")),
        avt.Sums("REVALUE", False, D(0), D("1.00")),
        avt.Sums("CONSUME", True, D(-4), D("-8.40")),
        avt.Sums("CONSUME", False, D(-1), D("-2.10")),
        avt.Sums("WASTE", False, D(-1), D("-2.10")),
        avt.Sums("ADJUSTMENT", False, D(-2), D("-4.20")),
        avt.Sums("RESERVE", False, D(0), D(0)),
        avt.Sums("OWED", True, D(0), D(0)),
    ]
    row = avt.row(avt.Book(D(5), D("10.00")), avt.Book(D(7), D("14.20")), sums)
    assert row["actual_qty"] == D(8) and row["actual_value"] == D("16.80")
    assert (row["theoretical_qty"], row["other_consumed_qty"], row["waste_qty"]) == (4, 1, 1)
    assert row["unexplained_qty"] == D(2) and row["unexplained_value"] == D("4.20")
    assert row["received_value"] == D("21.00")
    assert row["variance_pct"] == D("50.00")
    assert avt.usage(sums) == (D(8), D("16.80"))


def test_kinds_to_come_are_declared_and_an_unknown_kind_is_refused() -> None:
    row = avt.row(
        avt.Book(D(0), D(0)),
        avt.Book(D(1), D(1)),
        [
            avt.Sums("PRODUCTION_IN", False, D(3), D(3)),
            avt.Sums("PRODUCTION_OUT", False, D(-1), D(-1)),
            avt.Sums("VOID", False, D(1), D(1)),
            avt.Sums("CONSUME", True, D(-2), D(-2)),
        ],
    )
    assert (row["production_in_qty"], row["production_qty"], row["theoretical_qty"]) == (3, 1, 1)
    with pytest.raises(ValueError, match="SAMPLED"):
        avt.column_of("SAMPLED", False)


def test_totals_give_food_cost_percentages_of_the_revenue() -> None:
    row = avt.row(
        avt.Book(D(2), D("4.00")),
        avt.Book(D(0), D(0)),
        [avt.Sums("CONSUME", True, D(-2), D("-4.00"))],
    )
    totals = avt.totals([row], D("20.00"), D("5.00"))
    assert totals["theoretical_food_cost_pct"] == D("20.00")
    assert totals["actual_food_cost_pct"] == D("20.00")
    assert totals["unmapped_revenue"] == D("5.00") and totals["variance_pct"] == D("0.00")
    assert avt.totals([], D(0), D(0))["actual_food_cost_pct"] is None
