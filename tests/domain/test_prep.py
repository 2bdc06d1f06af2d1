"""Sub-recipes, yields and batches as pure arithmetic (SPEC §16, §17: domain.prep)."""

from __future__ import annotations

from decimal import Decimal
from itertools import pairwise

import pytest

from domain.errors import ValidationError
from domain.prep import MAX_LEVELS, as_purchased, batches_of, expand, output_of
from domain.recipe import Ingredient, Produces, RecipeCycleError, RecipeSpec, portion

D = Decimal


def spec(*lines: tuple[str, str], produces: str | None = None) -> RecipeSpec:
    made = Produces(D(produces)) if produces else None
    return RecipeSpec("x", tuple(Ingredient(sku, D(q)) for sku, q in lines), made)


def test_as_purchased_divides_by_the_yield_and_rounds_half_up_to_three_places() -> None:
    assert as_purchased(D("0.1"), D("90")) == D("0.111")  # 0.1111…
    assert as_purchased(D("0.2"), D("90")) == D("0.222")  # 0.2222…
    assert as_purchased(D("0.05"), D("80")) == D("0.063")  # 0.0625 → half-up
    assert as_purchased(D("0.3"), D("75")) == D("0.400")
    assert as_purchased(D("0.3"), None) == D("0.3")
    assert as_purchased(D("0.001"), D("100")) == D("0.001")


def test_a_yield_outside_zero_to_a_hundred_or_past_two_places_is_refused() -> None:
    for bad in ("0", "-5", "100.01", "12.345"):
        line = Ingredient("ONION", D("0.1"), None, D(bad))
        with pytest.raises(ValidationError) as refused:
            RecipeSpec("Soup", (line,)).check()
        assert refused.value.errors[0]["field"] == "lines[0].yield_pct"
    RecipeSpec("Soup", (Ingredient("ONION", D("0.1"), None, D("100")),)).check()


def test_three_levels_of_sub_recipes_expand_to_their_leaves_scaled_and_yielded() -> None:
    book = {
        "DOUGH": spec(("FLOUR", "0.2"), ("STARTER", "0.5")),
        "STARTER": spec(("FLOUR", "0.1"), ("WATER", "0.1")),
        "SAUCE": spec(("TOMATO", "1"), produces="5"),  # a prep recipe: a stocked leaf
    }
    pizza = RecipeSpec(
        "Pizza",
        (
            Ingredient("DOUGH", D("2")),
            Ingredient("SAUCE", D("0.1")),
            Ingredient("ONION", D("0.05"), None, D("80")),
        ),
    )
    leaves = expand("PIZZA", pizza, book.get)
    assert [(x.sku, x.quantity, x.usable, x.path) for x in leaves] == [
        ("FLOUR", D("0.4"), D(1), ("PIZZA", "DOUGH")),
        ("FLOUR", D("0.1"), D(1), ("PIZZA", "DOUGH", "STARTER")),
        ("WATER", D("0.1"), D(1), ("PIZZA", "DOUGH", "STARTER")),
        ("SAUCE", D("0.1"), D(1), ("PIZZA",)),
        ("ONION", D("0.05"), D("0.8"), ("PIZZA",)),
    ]
    # 3 pizzas: 3 × 0.05 / 0.8 = 0.1875 → 0.188 (one rounding, half-up)
    onion = leaves[-1]
    assert portion(D(3), onion.quantity, D(1), "q", onion.usable) == D("0.188")


def test_a_cycle_is_refused_naming_its_path() -> None:
    book = {"A": spec(("B", "1")), "B": spec(("C", "1")), "C": spec(("A", "1"))}
    with pytest.raises(RecipeCycleError) as refused:
        expand("A", book["A"], book.get)
    assert "A → B → C → A" in refused.value.detail
    assert refused.value.errors[0]["path"] == ["A", "B", "C", "A"]
    with pytest.raises(RecipeCycleError):
        expand("SELF", spec(("SELF", "1")), {}.get)


def test_sub_recipes_nest_at_most_five_levels() -> None:
    codes = [f"L{n}" for n in range(MAX_LEVELS + 1)]
    book = {code: spec((nxt, "1")) for code, nxt in pairwise(codes)}
    book[codes[-1]] = spec(("SALT", "1"))
    assert [x.path for x in expand("L1", book["L1"], book.get)] == [tuple(codes[1:])]
    with pytest.raises(ValidationError) as refused:
        expand("L0", book["L0"], book.get)
    assert "more than 5 levels" in refused.value.detail


def test_a_production_is_batches_or_an_output_quantity() -> None:
    assert batches_of(D("5"), None, None) == D(1)
    assert batches_of(D("5"), D("2"), None) == D(2)
    assert batches_of(D("4"), None, D("6")) == D("1.5")
    assert output_of(D("1.5"), D("4"), D(1)) == D("6.000")
    assert output_of(batches_of(D("3"), None, D("1")), D("3"), D(1)) == D("1.000")
    with pytest.raises(ValidationError):
        batches_of(D("5"), D("1"), D("5"))


def test_a_recipe_without_produces_or_yields_records_what_it_always_did() -> None:
    plain = RecipeSpec("Burger", (Ingredient("BUN", D(1)),))
    assert plain.recorded() == {
        "name": "Burger",
        "lines": ({"sku": "BUN", "quantity": D(1), "unit": None},),
    }
    assert RecipeSpec.from_recorded(plain.recorded()) == plain
    prep = RecipeSpec("Sauce", (Ingredient("TOMATO", D(2), None, D("90")),), Produces(D(5), "l"))
    assert RecipeSpec.from_recorded(prep.recorded()) == prep
