"""The suggested-order arithmetic (SPEC §14): up to par in whole packs, never negative."""

from __future__ import annotations

from decimal import Decimal as D

from domain.purchasing import Need, suggest


def test_a_position_above_its_reorder_point_with_what_is_on_order_needs_nothing() -> None:
    assert suggest(D(5), D(6), D(10), D(30), D(12), D(6)) is None


def test_par_less_available_and_on_order_is_rounded_up_to_whole_packs() -> None:
    # 30 − 4 − 3 = 23 kg in crates of 6: 4 crates, 24 kg.
    assert suggest(D(4), D(3), D(10), D(30), D(12), D(6)) == Need(D(4), D(24))


def test_without_par_the_reorder_quantity_is_ordered_in_packs() -> None:
    assert suggest(D(0), D(0), D(10), None, D("13.5"), D(6)) == Need(D(3), D(18))


def test_a_par_already_covered_orders_nothing() -> None:
    assert suggest(D(10), D(0), D(10), D(8), D(12), D(1)) is None
