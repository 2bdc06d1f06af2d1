"""Recipes, sales and the food-cost report through the real app (SPEC §9, API.md)."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

from tests.api.conftest import Api, receipt

BURGER = {
    "name": "Burger",
    "lines": [
        {"sku": "BUN", "quantity": "1"},
        {"sku": "BEEF", "quantity": "0.15"},
        {"sku": "CHEESE", "quantity": "0.02"},
    ],
}


def sale(sale_id: str, qty: str = "2", price: str = "9.50", item: str = "burger") -> dict[str, Any]:
    return {
        "sale_id": sale_id,
        "location": "kitchen",
        "lines": [{"menu_item": item, "quantity": qty, "unit_price": price}],
    }


def stocked(api: Api, *, recipe: bool = True) -> None:
    """The kitchen's stock, then (a recipe names SKUs the ledger knows) the burger."""
    for rid, sku, qty, cost in (("R-1", "BUN", "10", "0.50"), ("R-2", "BEEF", "3", "12")):
        assert api.post("/api/receipts", receipt(rid, sku, qty, cost, "kitchen")).status_code == 201
    assert (
        api.post("/api/receipts", receipt("R-3", "CHEESE", "1", "8", "kitchen")).status_code == 201
    )
    if recipe:
        assert api.put("/api/recipes/burger", BURGER).status_code == 201


def test_recipes_are_versioned_and_an_identical_put_answers_200(api: Api) -> None:
    stocked(api, recipe=False)
    first = api.put("/api/recipes/burger", BURGER)
    assert first.status_code == 201
    body = first.json()
    assert body["version"] == 1 and body["menu_item"] == "burger"
    assert body["lines"][1] == {"sku": "BEEF", "quantity": "0.15", "unit": None, "yield_pct": None}
    same = api.put("/api/recipes/burger", BURGER)
    assert same.status_code == 200 and same.json()["version"] == 1
    assert same.json()["position"] == body["position"]
    lighter = {**BURGER, "lines": BURGER["lines"][:2]}
    second = api.put("/api/recipes/burger", lighter)
    assert second.status_code == 201 and second.json()["version"] == 2
    assert len(api.get("/api/recipes/burger", role="viewer").json()["lines"]) == 2
    old = api.get("/api/recipes/burger?version=1", role="viewer").json()
    assert old["version"] == 1 and len(old["lines"]) == 3 and old["position"] == body["position"]
    assert api.get("/api/recipes/burger?version=3").json()["code"] == "not_found"
    assert api.get("/api/recipes/pizza").status_code == 404


def test_recipe_puts_need_an_admin_and_valid_lines(api: Api) -> None:
    for role in ("viewer", "clerk", "finance"):
        assert api.put("/api/recipes/burger", BURGER, role=role).status_code == 403
    assert api.put("/api/recipes/burger", BURGER, role=None).status_code == 401
    bad = {**BURGER, "lines": [{"sku": "BUN", "quantity": "0"}]}
    problem = api.put("/api/recipes/burger", bad).json()
    assert problem["code"] == "validation_error"
    assert "quantity" in str(problem["errors"])
    unit = {**BURGER, "lines": [{"sku": "BUN", "quantity": "1", "unit": "case"}]}
    response = api.put("/api/recipes/burger", unit)
    assert response.status_code == 422 and response.json()["code"] == "unknown_unit"
    twice = {**BURGER, "lines": [{"sku": "BUN", "quantity": "1"}, {"sku": "BUN", "quantity": "2"}]}
    assert api.put("/api/recipes/burger", twice).json()["errors"][0]["field"] == "lines[1].sku"


def test_a_sale_answers_its_movements_and_a_repeat_answers_200(api: Api) -> None:
    stocked(api)
    first = api.post("/api/sales", sale("S-1"), role="clerk")
    assert first.status_code == 201
    body = first.json()
    assert body["document"] == {"type": "sale", "id": "S-1"}
    moved = [(m["sku"], m["kind"], Decimal(m["quantity"]), m["value"]) for m in body["movements"]]
    assert moved == [  # quantities compared as numbers (API.md: trailing zeros are free)
        ("BUN", "CONSUME", Decimal(2), "-1.00"),
        ("BEEF", "CONSUME", Decimal("0.3"), "-3.60"),
        ("CHEESE", "CONSUME", Decimal("0.04"), "-0.32"),
    ]
    assert [m["document"]["line"] for m in body["movements"]] == [0, 1, 2]
    assert {(m["menu_item"], m["recipe_version"]) for m in body["movements"]} == {("burger", 1)}
    again = api.post("/api/sales", sale("S-1"), role="clerk")
    assert again.status_code == 200 and again.json() == body
    other = api.post("/api/sales", sale("S-1", qty="3"), role="clerk")
    assert other.status_code == 409 and other.json()["code"] == "document_conflict"
    assert api.post("/api/sales", sale("S-2"), role="viewer").status_code == 403
    wait = f"min_position={body['position']}"
    history = api.get(f"/api/stock/BEEF/kitchen/movements?{wait}", role="viewer").json()["items"]
    assert history[-1]["menu_item"] == "burger" and history[-1]["recipe_version"] == 1


def test_sale_problems_name_the_field_and_record_nothing(api: Api) -> None:
    stocked(api)
    head = api.head
    unknown = api.post("/api/sales", sale("S-1", item="pizza"), role="clerk")
    assert unknown.status_code == 422 and unknown.json()["code"] == "unknown_recipe"
    assert unknown.json()["errors"][0]["field"] == "lines[0].menu_item"
    price = api.post("/api/sales", sale("S-3", price="-1"), role="clerk")
    assert price.status_code == 422 and "unit_price" in str(price.json()["errors"])
    assert api.head == head


def test_the_food_cost_report_as_json_and_csv(api: Api) -> None:
    stocked(api)
    api.post("/api/sales", sale("S-1"), role="clerk")
    position = api.post("/api/sales", sale("S-2", qty="1", price="0"), role="clerk").json()[
        "position"
    ]
    report = api.get(f"/api/reports/food-cost?min_position={position}", role="finance").json()
    (row,) = report["rows"]
    assert list(row)[:3] == ["period", "location", "menu_item"]
    assert row["location"] == "kitchen" and row["menu_item"] == "burger"
    assert (row["sold_qty"], row["revenue"], row["cost"]) == ("3", "19.00", "7.38")
    assert row["food_cost_pct"] == "38.84"  # 7.38 / 19.00
    assert report["totals"]["cost"] == "7.38" and report["position"] >= position
    by_item = api.get("/api/reports/food-cost?group_by=menu_item", role="finance").json()
    assert set(by_item["rows"][0]) == {"menu_item", "sold_qty", "revenue", "cost", "food_cost_pct"}
    free = api.get("/api/reports/food-cost?group_by=location,menu_item", role="finance")
    assert free.status_code == 200
    text = api.get("/api/reports/food-cost", role="finance", headers={"Accept": "text/csv"}).text
    lines = list(csv.reader(io.StringIO(text)))
    assert lines[0] == [
        "period",
        "location",
        "menu_item",
        "sold_qty",
        "revenue",
        "cost",
        "food_cost_pct",
    ]
    assert lines[1][1:] == ["kitchen", "burger", "3", "19.00", "7.38", "38.84"]
    assert lines[-1][0] == "total"
    assert api.get("/api/reports/food-cost", role="viewer").status_code == 403
    bad = api.get("/api/reports/food-cost?group_by=sku", role="finance")
    assert bad.status_code == 422 and bad.json()["code"] == "validation_error"
    assert api.get("/api/reports/food-cost?menu=burger", role="finance").status_code == 422


def test_food_cost_pct_is_null_without_revenue(api: Api) -> None:
    stocked(api)
    position = api.post("/api/sales", sale("S-1", price="0"), role="clerk").json()["position"]
    report = api.get(f"/api/reports/food-cost?min_position={position}", role="finance").json()
    assert report["rows"][0]["food_cost_pct"] is None
    assert report["totals"]["food_cost_pct"] is None
    assert Decimal(report["totals"]["cost"]) == Decimal("4.92")


def test_recipe_changes_and_sales_are_published_in_the_feed(api: Api) -> None:
    stocked(api)
    api.post("/api/sales", sale("S-1"), role="clerk")
    recipes = api.get("/api/events?type=recipe", role="finance").json()["items"]
    assert [(e["type"], e["data"]["menu_item"], e["data"]["version"]) for e in recipes] == [
        ("recipe.changed", "burger", 1)
    ]
    assert recipes[0]["data"]["user"] == "admin"
    documents = api.get("/api/events?type=document", role="finance").json()["items"]
    (posted,) = [e["data"] for e in documents if e["data"]["type"] == "sale"]
    assert posted["lines"] == [
        {
            "menu_item": "burger",
            "quantity": "2",
            "unit_price": "9.50",
            "revenue": "19.00",
            "recipe_version": 1,
            "location": "kitchen",  # the line's outlet (SPEC §17)
            "parts": 3,  # the movement lines it expanded to
        }
    ]
