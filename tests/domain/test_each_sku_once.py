"""A recipe's lines and a supplier's items name each SKU once, as codes, and a refusal names
the entry at fault (``domain.codes.each_sku_once``, which both specs check with)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain.errors import ValidationError
from domain.recipe import Ingredient, RecipeSpec
from domain.supplier import SupplierItem, SupplierSpec


def test_a_sku_given_twice_is_refused_at_its_second_entry() -> None:
    lines = (Ingredient("BUN", Decimal(1)), Ingredient("BUN", Decimal(2)))
    with pytest.raises(ValidationError, match="BUN given twice") as recipe:
        RecipeSpec("Burger", lines).check()
    with pytest.raises(ValidationError, match="BUN given twice") as supplier:
        SupplierSpec("Bakery", items=(SupplierItem("BUN"), SupplierItem("BUN"))).check()
    assert recipe.value.errors == [{"field": "lines[1].sku"}]
    assert supplier.value.errors == [{"field": "items[1].sku"}]


def test_an_entry_is_checked_before_the_next_sku_is_looked_at() -> None:
    lines = (Ingredient("BUN", Decimal(0)), Ingredient("BUN", Decimal(1)))
    with pytest.raises(ValidationError) as refused:
        RecipeSpec("Burger", lines).check()
    assert [e["field"] for e in refused.value.errors] == ["lines[0].quantity"]
    with pytest.raises(ValidationError, match=r"items\[0\]\.sku"):
        SupplierSpec("Bakery", items=(SupplierItem("not a code"),)).check()
