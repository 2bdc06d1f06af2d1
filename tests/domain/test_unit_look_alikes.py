"""Pack units whose names differ only in case are one name to a reader: refused (issue 27.6)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain.errors import ValidationError
from domain.item import ItemSpec, PackUnit

D = Decimal


@pytest.mark.parametrize(
    ("base", "units", "field", "twin"),
    [
        ("each", ("case", "CASE"), "units[1].unit", "case"),
        ("each", ("EACH",), "units[0].unit", "each"),
        ("kg", ("bag", "Box", "box"), "units[2].unit", "Box"),
        ("L", ("bottle", "l"), "units[1].unit", "L"),
    ],
)
def test_a_pack_unit_differing_from_another_only_in_case_is_refused_naming_it(
    base: str, units: tuple[str, ...], field: str, twin: str
) -> None:
    spec = ItemSpec("Pils", base, units=tuple(PackUnit(u, D(2 + i)) for i, u in enumerate(units)))
    with pytest.raises(ValidationError) as refused:
        spec.check()
    assert refused.value.errors == [{"field": field}]
    assert f"differs from {twin} only in case" in str(refused.value)


def test_units_that_differ_by_more_than_case_are_accepted() -> None:
    spec = ItemSpec("Pils", "each", units=(PackUnit("case", D(24)), PackUnit("cases", D(48))))
    spec.check()
    assert [u.unit for u in spec.units] == ["case", "cases"]
