"""Recipes and sales on the command side (SPEC §9), on SQLite and PostgreSQL."""

from __future__ import annotations

from decimal import Decimal

import pytest

from application.commands import PostReceipt, PostSale, ReceiptLine, SaleLine
from application.errors import NotFoundError
from application.ledger import Ledger
from domain.documents import Document
from domain.errors import (
    DocumentConflictError,
    UnknownRecipeError,
    UnknownUnitError,
    ValidationError,
)
from domain.item import ItemSpec, PackUnit
from domain.recipe import Ingredient, RecipeSpec
from tests.application.helpers import USER, D, receive, state

BURGER = RecipeSpec(
    "Burger",
    (Ingredient("BUN", D("1")), Ingredient("BEEF", D("0.15")), Ingredient("CHEESE", D("0.02"))),
)


def stock_kitchen(ledger: Ledger) -> None:
    receive(ledger, "R-1", "BUN", "10", "0.50", "kitchen")
    receive(ledger, "R-2", "BEEF", "3", "12.00", "kitchen")
    receive(ledger, "R-3", "CHEESE", "1", "8.00", "kitchen")


def sale(sale_id: str, *lines: tuple[str, str, str], location: str = "kitchen") -> PostSale:
    return PostSale(sale_id, location, [SaleLine(m, D(q), D(p)) for m, q, p in lines])


def test_a_sale_consumes_each_ingredient_of_the_current_recipe(ledger: Ledger) -> None:
    stock_kitchen(ledger)  # a recipe names SKUs the ledger knows (SPEC §17 unknown_sku)
    ledger.put_recipe("burger", BURGER, user="chef")
    result = ledger.execute(sale("S-1", ("burger", "2", "9.50")), user=USER)
    assert result.created and result.document_type == "sale"
    assert [(m.sku, m.kind, m.quantity, m.value) for m in result.movements] == [
        ("BUN", "CONSUME", D("2.000"), D("-1.00")),
        ("BEEF", "CONSUME", D("0.300"), D("-3.60")),
        ("CHEESE", "CONSUME", D("0.040"), D("-0.32")),
    ]
    assert [m.line for m in result.movements] == [0, 1, 2]
    assert {(m.menu_item, m.recipe_version) for m in result.movements} == {("burger", 1)}
    document = ledger.get(Document, Document.create_id("sale", "S-1"))
    assert document is not None
    assert document.lines[0]["revenue"] == D("19.00")
    assert state(ledger, "BEEF", "kitchen") == (D("2.700"), D(0), D("32.40"))


def test_fractional_portions_round_half_up_to_three_places(ledger: Ledger) -> None:
    receive(ledger, "R-1", "GIN", "1", "20", "bar")
    ledger.put_recipe("shot", RecipeSpec("Shot", (Ingredient("GIN", D("0.045")),)), user="chef")
    # 0.5 × 0.045 = 0.0225 → 0.023 (half-up); 0.3 × 0.045 = 0.0135 → 0.014
    first = ledger.execute(sale("S-1", ("shot", "0.5", "4"), location="bar"), user=USER)
    second = ledger.execute(sale("S-2", ("shot", "0.3", "4"), location="bar"), user=USER)
    assert first.movements[0].quantity == D("0.023")
    assert second.movements[0].quantity == D("0.014")
    with pytest.raises(ValidationError) as refused:
        ledger.execute(sale("S-3", ("shot", "0.001", "4"), location="bar"), user=USER)
    assert refused.value.errors == [{"field": "lines[0].quantity"}]


def test_a_recipe_line_in_a_pack_unit_converts_at_the_sale(ledger: Ledger) -> None:
    spec = ItemSpec("Gin", "l", units=(PackUnit("bottle", D("0.7")),))
    ledger.put_item("GIN", spec, user="admin")
    ledger.put_recipe("gt", RecipeSpec("G&T", (Ingredient("GIN", D("0.05"), "bottle"),)), user="c")
    receive(ledger, "R-1", "GIN", "7", "30", "bar")
    result = ledger.execute(sale("S-1", ("gt", "3", "8"), location="bar"), user=USER)
    (moved,) = result.movements
    assert moved.quantity == D("0.105")  # 3 × 0.05 × 0.7 = 0.105 l
    assert (moved.entered_quantity, moved.entered_unit, moved.entered_factor) == (
        D("0.15"),
        "bottle",
        D("0.7"),
    )
    with pytest.raises(UnknownUnitError):
        ledger.put_recipe("bad", RecipeSpec("Bad", (Ingredient("GIN", D("1"), "case"),)), user="c")


def test_a_short_sale_is_posted_and_owes_what_the_shelf_lacks(ledger: Ledger) -> None:
    # SPEC §17 (was: refused whole with 409 insufficient_stock): the food was served.
    receive(ledger, "R-1", "BUN", "10", "0.50", "kitchen")
    receive(ledger, "R-2", "BEEF", "0.2", "12.00", "kitchen")
    ledger.put_item("CHEESE", ItemSpec("Cheddar", "kg"), user="admin")  # known, never stocked
    ledger.put_recipe("burger", BURGER, user="chef")
    result = ledger.execute(sale("S-1", ("burger", "2", "9.50")), user=USER)
    assert [(m.sku, m.kind, m.quantity, m.value) for m in result.movements] == [
        ("BUN", "CONSUME", D("2.000"), D("-1.00")),
        ("BEEF", "CONSUME", D("0.2"), D("-2.40")),
        ("BEEF", "OWED", D("0.100"), D(0)),
        ("CHEESE", "OWED", D("0.040"), D(0)),
    ]
    assert [m.line for m in result.movements] == [0, 1, 1, 2]
    assert state(ledger, "BEEF", "kitchen") == (D(0), D(0), D(0))
    assert state(ledger, "BUN", "kitchen") == (D("8.000"), D(0), D("4.00"))


def test_an_unknown_menu_item_is_refused(ledger: Ledger) -> None:
    with pytest.raises(UnknownRecipeError) as refused:
        ledger.execute(sale("S-1", ("pizza", "1", "9")), user=USER)
    assert refused.value.errors[0]["field"] == "lines[0].menu_item"


def test_a_recipe_change_is_a_new_version_and_sales_use_the_current_one(ledger: Ledger) -> None:
    stock_kitchen(ledger)
    _, first, new = ledger.put_recipe("burger", BURGER, user="chef")
    _, same, again = ledger.put_recipe("burger", BURGER, user="chef")
    assert new and first.created and not again and same.version == 1
    lighter = RecipeSpec("Burger", (Ingredient("BUN", D("1")), Ingredient("BEEF", D("0.1"))))
    _, second, changed = ledger.put_recipe("burger", lighter, user="chef")
    assert changed and second.version == 2 and not second.created
    result = ledger.execute(sale("S-1", ("burger", "1", "9")), user=USER)
    assert [(m.sku, m.quantity, m.recipe_version) for m in result.movements] == [
        ("BUN", D("1.000"), 2),
        ("BEEF", D("0.100"), 2),
    ]
    old, position = ledger.recipe("burger", 1)
    assert old.spec == BURGER and old.version == 1 and position == first.position
    current, _ = ledger.recipe("burger")
    assert current.spec == lighter
    with pytest.raises(NotFoundError):
        ledger.recipe("burger", 3)


def test_a_sale_is_idempotent(ledger: Ledger) -> None:
    stock_kitchen(ledger)
    ledger.put_recipe("burger", BURGER, user="chef")
    first = ledger.execute(sale("S-1", ("burger", "1", "9.50")), user=USER)
    again = ledger.execute(sale("S-1", ("burger", "1", "9.50")), user=USER)
    assert not again.created and again.movements == first.movements
    assert again.position == first.position
    with pytest.raises(DocumentConflictError):
        ledger.execute(sale("S-1", ("burger", "2", "9.50")), user=USER)
    assert state(ledger, "BUN", "kitchen")[0] == Decimal("9.000")


def test_a_sale_expanding_past_the_line_bound_is_refused(ledger: Ledger) -> None:
    many = RecipeSpec("Tasting menu", tuple(Ingredient(f"I{n:03d}", D(1)) for n in range(100)))
    stocked = [ReceiptLine(line.sku, D(1), D(1)) for line in many.lines]
    ledger.execute(PostReceipt("R-1", "kitchen", stocked), user=USER)
    ledger.put_recipe("tasting", many, user="chef")
    head = ledger.head()
    with pytest.raises(ValidationError) as refused:
        ledger.execute(sale("S-1", *[("tasting", "1", "90")] * 11), user=USER)
    assert refused.value.errors == [{"field": "lines"}]
    assert ledger.head() == head


def test_a_revenue_past_the_money_bound_names_its_line(ledger: Ledger) -> None:
    receive(ledger, "R-1", "SALT", "100000000", "0.01", "kitchen")
    ledger.put_recipe("salt", RecipeSpec("Salt", (Ingredient("SALT", D("0.001")),)), user="chef")
    head = ledger.recorder.max_notification_id()
    # 10^7 portions at 10^9 each is 10^16: past the 10^15 money bound.
    with pytest.raises(ValidationError) as refused:
        ledger.execute(
            sale("S-1", ("salt", "1", "1"), ("salt", "10000000", "1000000000")), user=USER
        )
    assert [e["field"] for e in refused.value.errors] == ["lines[1].unit_price"]
    assert ledger.recorder.max_notification_id() == head
