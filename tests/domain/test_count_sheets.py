"""domain.count_sheet: storage areas and a sheet's rules (SPEC §13)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from domain.count_sheet import CountSheet, UncountedLinesError
from domain.errors import InvalidStateError, ValidationError
from domain.storage_areas import NOT_IN_AREA, Area, StorageAreas, sheet_lines

NOW = datetime(2026, 3, 31, 22, 0, tzinfo=UTC)


def sheet(kind: str = "full") -> CountSheet:
    lines = sheet_lines([Area("walk-in", ("A", "B")), Area("bar", ("A",))], ["C", "A"], kind)
    return CountSheet.open("K-1", "main", kind, NOW, NOW, None, lines, "print", "ann")


def test_areas_refuse_a_name_twice_and_a_sku_twice_in_one_area() -> None:
    areas = StorageAreas("main")
    with pytest.raises(ValidationError):
        areas.set([Area("walk-in", ()), Area("walk-in", ())], "al")
    with pytest.raises(ValidationError):
        areas.set([Area("walk-in", ("A", "A"))], "al")
    assert areas.set([Area("walk-in", ("A",)), Area("bar", ("A",))], "al")
    assert not areas.set([Area("walk-in", ("A",)), Area("bar", ("A",))], "al")


def test_a_full_sheet_adds_stocked_skus_in_no_area_and_a_spot_sheet_does_not() -> None:
    assert sheet().order[-1] == (NOT_IN_AREA, "C")
    assert (NOT_IN_AREA, "C") not in sheet("spot").order


def test_a_counted_at_in_the_future_is_refused() -> None:
    with pytest.raises(ValidationError):
        CountSheet.open("K-1", "main", "full", NOW + timedelta(seconds=1), NOW, None, [], "p", "a")


def test_a_sku_in_two_areas_needs_its_area_and_the_areas_sum_on_approval() -> None:
    found = sheet()
    with pytest.raises(ValidationError):
        found.enter("A", None, Decimal(1), None, None, "ann")
    found.enter("A", "walk-in", Decimal(2), None, None, "ann")
    found.enter("A", "bar", Decimal(3), None, None, "bob")
    found.enter("B", None, Decimal(1), None, None, "ann")
    found.submit("ann")
    with pytest.raises(UncountedLinesError) as refused:
        found.approve(None, "fin")
    assert refused.value.errors == [{"sku": "C", "area": NOT_IN_AREA}]
    assert found.approve("zero", "fin") == {"A": Decimal(5), "B": Decimal(1), "C": Decimal(0)}
    with pytest.raises(InvalidStateError):
        found.enter("A", "bar", Decimal(1), None, None, "ann")
