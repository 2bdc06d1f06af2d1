"""Item (SPEC §8): exact conversion to base units, factor rules, the base unit lock."""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain.errors import InvalidStateError, UnknownUnitError, ValidationError
from domain.item import Item, ItemSpec, Location, PackUnit, Reorder, check_factor
from domain.movements import Entered

D = Decimal
WINE = ItemSpec("Rioja", "l", units=(PackUnit("bottle", D("0.75")),))
FLOUR = ItemSpec("Flour", "kg", units=(PackUnit("oz", D("0.028350")), PackUnit("bag", D(25))))


@pytest.mark.parametrize(
    ("spec", "quantity", "unit", "base"),
    [
        (WINE, "4", "bottle", "3"),
        (WINE, "1", "bottle", "0.75"),
        (WINE, "0.2", "bottle", "0.15"),
        (FLOUR, "40", "oz", "1.134"),
        (FLOUR, "1000", "oz", "28.35"),
        (FLOUR, "0.5", "bag", "12.5"),
    ],
)
def test_a_pack_quantity_converts_to_base_units_exactly(
    spec: ItemSpec, quantity: str, unit: str, base: str
) -> None:
    item = Item.register("X", spec, "admin")
    got, entered = item.measure(D(quantity), unit, "lines[0].unit")
    assert got == D(base) and str(got) == base
    assert entered == Entered(
        D(quantity), unit, next(p.factor for p in spec.units if p.unit == unit)
    )


@pytest.mark.parametrize(
    ("spec", "quantity", "unit"),
    [(WINE, "0.001", "bottle"), (FLOUR, "1", "oz"), (FLOUR, "10", "oz"), (WINE, "0.333", "bottle")],
)
def test_a_conversion_needing_more_than_three_places_is_refused(
    spec: ItemSpec, quantity: str, unit: str
) -> None:
    item = Item.register("X", spec, "admin")
    with pytest.raises(ValidationError) as refused:
        item.measure(D(quantity), unit, "lines[3].unit")
    assert refused.value.errors == [{"field": "lines[3].unit"}]


def test_an_unknown_unit_is_refused() -> None:
    with pytest.raises(UnknownUnitError):
        Item.register("X", WINE, "admin").measure(D(1), "case", "lines[0].unit")


@pytest.mark.parametrize("factor", ["0", "-0.75", "0.0000001", "1E+13"])
def test_a_factor_is_positive_with_at_most_six_places(factor: str) -> None:
    with pytest.raises(ValidationError):
        check_factor(D(factor))
    with pytest.raises(ValidationError):
        Item.register("X", ItemSpec("n", "l", units=(PackUnit("b", D(factor)),)), "admin")


def test_a_factor_keeps_every_place_it_was_given() -> None:
    item = Item.register("X", FLOUR, "admin")
    assert str(item.spec.units[0].factor) == "0.028350"


def test_the_base_unit_changes_only_while_the_sku_has_no_movements() -> None:
    item = Item.register("X", WINE, "admin")
    assert item.define(ItemSpec("Rioja", "cl"), "admin", moved=lambda: False)
    with pytest.raises(InvalidStateError):
        item.define(ItemSpec("Rioja", "l"), "admin", moved=lambda: True)
    assert not item.define(ItemSpec("Rioja", "cl"), "admin", moved=lambda: True)
    assert item.define(
        ItemSpec("Rioja", "cl", units=(PackUnit("bottle", D(75)),)), "admin", moved=lambda: True
    )
    assert item.version == 3


def test_reorder_points_are_not_negative_and_name_a_location_once() -> None:
    twice = (Reorder("bar", D(1), D(2)), Reorder("bar", D(1), D(2)))
    with pytest.raises(ValidationError):
        Item.register("X", ItemSpec("n", "l", reorder=twice), "admin")
    with pytest.raises(ValidationError):
        Item.register("X", ItemSpec("n", "l", reorder=(Reorder("bar", D(-1), D(2)),)), "a")


def test_a_location_has_a_known_kind_and_renames_only_on_change() -> None:
    place = Location.declare("bar", "Bar", "bar", "admin")
    assert not place.rename("Bar", "bar", "admin")
    assert place.rename("Main bar", "bar", "admin")
    with pytest.raises(ValidationError):
        Location.declare("van1", "Van", "boat", "admin")
