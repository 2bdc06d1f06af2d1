"""Sub-recipes, yields, prep recipes and productions on the command side (SPEC §16, §17),
on SQLite and PostgreSQL."""

from __future__ import annotations

from decimal import Decimal

import pytest

from application.commands import PostProduction, PostSale, SaleLine, VoidSale
from application.ledger import Ledger
from domain.errors import InsufficientStockError, UnknownRecipeError, ValidationError
from domain.item import ItemSpec
from domain.recipe import Ingredient, Produces, RecipeCycleError, RecipeSpec, UnknownSkuError
from tests.application.helpers import USER, D, movements, receive, state


def recipe(name: str, *lines: tuple[str, str], produces: str | None = None) -> RecipeSpec:
    made = Produces(D(produces)) if produces else None
    return RecipeSpec(name, tuple(Ingredient(sku, D(q)) for sku, q in lines), made)


def test_a_three_level_sub_recipe_consumes_its_leaf_ingredients(ledger: Ledger) -> None:
    receive(ledger, "R-1", "FLOUR", "10", "1.20", "kitchen")
    receive(ledger, "R-2", "WATER", "10", "0.10", "kitchen")
    receive(ledger, "R-3", "YEAST", "1", "20", "kitchen")
    receive(ledger, "R-4", "MOZZA", "5", "9", "kitchen")
    ledger.put_recipe("STARTER", recipe("Starter", ("FLOUR", "0.1"), ("YEAST", "0.01")), user="c")
    ledger.put_recipe("DOUGH", recipe("Dough", ("FLOUR", "0.2"), ("STARTER", "0.5")), user="c")
    ledger.put_recipe("PIZZA", recipe("Pizza", ("DOUGH", "1"), ("MOZZA", "0.125")), user="c")
    result = ledger.execute(
        PostSale("S-1", "kitchen", [SaleLine("PIZZA", D(3), D("11"))]), user=USER
    )
    assert [(m.sku, m.kind, m.quantity, m.value, m.line) for m in result.movements] == [
        ("FLOUR", "CONSUME", D("0.600"), D("-0.72"), 0),  # 3 × 0.2
        ("FLOUR", "CONSUME", D("0.150"), D("-0.18"), 1),  # 3 × 0.5 × 0.1
        ("YEAST", "CONSUME", D("0.015"), D("-0.30"), 2),  # 3 × 0.5 × 0.01
        ("MOZZA", "CONSUME", D("0.375"), D("-3.38"), 3),  # 3 × 0.125 (3.375 → 3.38)
    ]
    assert {(m.menu_item, m.recipe_version) for m in result.movements} == {("PIZZA", 1)}
    assert state(ledger, "FLOUR", "kitchen")[0] == D("9.250")
    assert state(ledger, "DOUGH", "kitchen") == (D(0), D(0), D(0))  # never a position


def test_a_yield_consumes_the_as_purchased_quantity_rounded_half_up(ledger: Ledger) -> None:
    receive(ledger, "R-1", "ONION", "10", "2", "kitchen")
    soup = RecipeSpec("Soup", (Ingredient("ONION", D("0.05"), None, D("80")),))
    ledger.put_recipe("SOUP", soup, user="chef")
    result = ledger.execute(PostSale("S-1", "kitchen", [SaleLine("SOUP", D(3), D(6))]), user=USER)
    (moved,) = result.movements
    assert moved.quantity == D("0.188")  # 3 × 0.05 / 0.8 = 0.1875 → 0.188
    assert moved.value == D("-0.38")


def test_a_cycle_is_refused_at_save_naming_the_path(ledger: Ledger) -> None:
    receive(ledger, "R-1", "SALT", "1", "1")
    ledger.put_recipe("A", recipe("A", ("SALT", "1")), user="c")
    ledger.put_recipe("B", recipe("B", ("A", "1")), user="c")
    with pytest.raises(RecipeCycleError) as refused:
        ledger.put_recipe("A", recipe("A", ("B", "1")), user="c")
    assert refused.value.errors[0]["path"] == ["A", "B", "A"]
    assert ledger.recipe("A")[0].version == 1
    with pytest.raises(RecipeCycleError):
        ledger.put_recipe("C", recipe("C", ("C", "1")), user="c")


def prep_kitchen(ledger: Ledger) -> None:
    receive(ledger, "R-1", "TOMATO", "10", "2.35", "kitchen")
    receive(ledger, "R-2", "OIL", "3", "7.77", "kitchen")
    sauce = RecipeSpec(
        "Tomato sauce",
        (Ingredient("TOMATO", D("2.5"), None, D("90")), Ingredient("OIL", D("0.1"))),
        Produces(D("2")),
    )
    ledger.put_recipe("SAUCE", sauce, user="chef")


def test_a_production_moves_ingredients_out_and_the_output_in_at_their_value(
    ledger: Ledger,
) -> None:
    prep_kitchen(ledger)
    result = ledger.execute(
        PostProduction("P-1", "kitchen", "SAUCE", batches=D(2), actual_quantity=D("3.9")),
        user=USER,
    )
    assert result.document_type == "production"
    assert [(m.sku, m.kind, m.quantity, m.value, m.line) for m in result.movements] == [
        ("TOMATO", "PRODUCTION_OUT", D("5.556"), D("-13.06"), 0),  # 2 × 2.5 / 0.9
        ("OIL", "PRODUCTION_OUT", D("0.200"), D("-1.55"), 1),
        ("SAUCE", "PRODUCTION_IN", D("3.9"), D("14.61"), 2),
    ]
    assert state(ledger, "SAUCE", "kitchen") == (D("3.9"), D(0), D("14.61"))
    # its repeat records nothing; a sale of a dish using the sauce consumes it at its average
    again = ledger.execute(
        PostProduction("P-1", "kitchen", "SAUCE", batches=D(2), actual_quantity=D("3.9")),
        user=USER,
    )
    assert not again.created and again.position == result.position
    ledger.put_recipe("PASTA", recipe("Pasta", ("SAUCE", "0.13")), user="chef")
    sold = ledger.execute(PostSale("S-1", "kitchen", [SaleLine("PASTA", D(3), D(9))]), user=USER)
    assert [(m.sku, m.quantity, m.value) for m in sold.movements] == [
        ("SAUCE", D("0.390"), D("-1.46"))  # 0.39 × 14.61 / 3.9 = 1.461
    ]


def test_a_production_by_output_quantity_makes_that_many_batches(ledger: Ledger) -> None:
    prep_kitchen(ledger)
    result = ledger.execute(PostProduction("P-1", "kitchen", "SAUCE", quantity=D(1)), user=USER)
    assert [(m.sku, m.quantity) for m in result.movements] == [
        ("TOMATO", D("1.389")),  # half a batch: 0.5 × 2.5 / 0.9 = 1.3888…
        ("OIL", D("0.050")),
        ("SAUCE", D("1.000")),
    ]


def test_a_production_short_of_two_ingredients_names_both_and_records_nothing(
    ledger: Ledger,
) -> None:
    prep_kitchen(ledger)
    head = ledger.head()
    with pytest.raises(InsufficientStockError) as refused:
        ledger.execute(PostProduction("P-1", "kitchen", "SAUCE", batches=D(40)), user=USER)
    assert {e["sku"] for e in refused.value.errors} == {"TOMATO", "OIL"}
    assert ledger.head() == head
    assert len(movements(ledger, "TOMATO", "kitchen")) == 1


def test_a_production_needs_a_prep_recipe_and_sound_figures(ledger: Ledger) -> None:
    prep_kitchen(ledger)
    ledger.put_recipe("PASTA", recipe("Pasta", ("SAUCE", "0.13")), user="chef")
    with pytest.raises(UnknownRecipeError):
        ledger.execute(PostProduction("P-1", "kitchen", "NOPE"), user=USER)
    with pytest.raises(ValidationError) as not_prep:
        ledger.execute(PostProduction("P-2", "kitchen", "PASTA"), user=USER)
    assert not_prep.value.errors == [{"field": "recipe"}]
    with pytest.raises(ValidationError) as both:
        ledger.execute(
            PostProduction("P-3", "kitchen", "SAUCE", batches=D(1), quantity=D(2)), user=USER
        )
    assert both.value.errors == [{"field": "quantity"}]


def test_a_production_in_settles_what_sales_owe_the_prep_position(ledger: Ledger) -> None:
    prep_kitchen(ledger)
    ledger.put_recipe("PASTA", recipe("Pasta", ("SAUCE", "0.5")), user="chef")
    sold = ledger.execute(PostSale("S-1", "kitchen", [SaleLine("PASTA", D(2), D(9))]), user=USER)
    assert [m.kind for m in sold.movements] == ["OWED"]
    made = ledger.execute(PostProduction("P-1", "kitchen", "SAUCE"), user=USER)
    assert [m.kind for m in made.movements] == [
        "PRODUCTION_OUT",
        "PRODUCTION_OUT",
        "PRODUCTION_IN",
        "CONSUME",
    ]
    settled = made.movements[-1]
    assert (settled.document_type, settled.document_id, settled.quantity) == ("sale", "S-1", D(1))
    inbound = made.movements[2]
    assert state(ledger, "SAUCE", "kitchen")[2] == inbound.value + settled.value
    assert Decimal(0) < state(ledger, "SAUCE", "kitchen")[0] == D(1)


def test_a_recipe_line_naming_nothing_known_is_refused_and_records_nothing(
    ledger: Ledger,
) -> None:
    receive(ledger, "R-1", "FLOUR", "1", "1")  # known by a movement
    ledger.put_item("SALT", ItemSpec("Salt", "kg"), user="admin")  # known as an item
    ledger.put_recipe("DOUGH", recipe("Dough", ("FLOUR", "0.2")), user="c")  # a recipe
    head = ledger.head()
    typo = recipe("Bread", ("FLOUR", "1"), ("FLUOR", "1"), ("SALT", "0.01"), ("DOUGH", "1"))
    with pytest.raises(UnknownSkuError) as refused:
        ledger.put_recipe("BREAD", typo, user="c")
    assert refused.value.errors == [{"field": "lines[1].sku", "sku": "FLUOR"}]
    assert ledger.head() == head
    fixed = recipe("Bread", ("FLOUR", "1"), ("SALT", "0.01"), ("DOUGH", "1"))
    assert ledger.put_recipe("BREAD", fixed, user="c")[2]


def test_a_void_of_a_sub_recipe_line_takes_back_every_leaf(ledger: Ledger) -> None:
    receive(ledger, "R-1", "FLOUR", "10", "1.20", "kitchen")
    receive(ledger, "R-2", "MOZZA", "5", "9", "kitchen")
    ledger.put_recipe("DOUGH", recipe("Dough", ("FLOUR", "0.2")), user="c")
    ledger.put_recipe("PIZZA", recipe("Pizza", ("DOUGH", "1"), ("MOZZA", "0.125")), user="c")
    line = SaleLine("PIZZA", D(2), D("11"))
    sold = ledger.execute(PostSale("S-1", "kitchen", [line, line]), user=USER)
    parts = sorted(sold.movements, key=lambda m: m.line)
    assert [(m.sku, m.line) for m in parts] == [
        ("FLOUR", 0),
        ("MOZZA", 1),
        ("FLOUR", 2),
        ("MOZZA", 3),
    ]
    voided = ledger.execute(VoidSale("V-1", "S-1", "sent back", [1]), user=USER)
    assert sorted((m.sku, m.kind, m.quantity, m.value) for m in voided.movements) == sorted(
        (m.sku, "VOID", m.quantity, -m.value) for m in parts[2:]
    )


def test_a_sub_recipe_change_that_would_nest_a_dish_past_five_levels_is_refused(
    ledger: Ledger,
) -> None:
    receive(ledger, "R-1", "SALT", "1", "1", "kitchen")
    for code, inner in (("S4", "SALT"), ("S3", "S4"), ("S2", "S3"), ("S1", "S2"), ("TOP", "S1")):
        ledger.put_recipe(code, recipe(code, (inner, "1")), user="c")  # TOP → … → S4: 5
    ledger.put_recipe("S5", recipe("S5", ("SALT", "1")), user="c")
    head = ledger.head()
    with pytest.raises(ValidationError) as refused:
        ledger.put_recipe("S4", recipe("S4", ("S5", "1")), user="c")
    assert refused.value.errors[0]["path"] == ["TOP", "S1", "S2", "S3", "S4", "S5"]
    assert ledger.head() == head
    sold = ledger.execute(PostSale("S-1", "kitchen", [SaleLine("TOP", D(1), D(1))]), user=USER)
    assert [m.sku for m in sold.movements] == ["SALT"]
