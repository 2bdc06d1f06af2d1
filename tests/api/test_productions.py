"""Prep recipes, productions, the recipe list and plate cost through the real app
(SPEC §16, §17; API.md "Prep and yields", "Sales in depth"), on both backends."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tests.api.conftest import Api, receipt

SAUCE = {
    "name": "Tomato sauce",
    "lines": [
        {"sku": "TOMATO", "quantity": "2.5", "yield_pct": "90"},
        {"sku": "OIL", "quantity": "0.1"},
    ],
    "produces": {"quantity": "2"},
}
DOUGH = {"name": "Dough", "lines": [{"sku": "FLOUR", "quantity": "0.25"}]}
PIZZA = {
    "name": "Pizza margherita",
    "lines": [
        {"sku": "DOUGH", "quantity": "1"},
        {"sku": "SAUCE", "quantity": "0.1"},
        {"sku": "ONION", "quantity": "0.03", "yield_pct": "85"},
    ],
}


def kitchen(api: Api, location: str = "kitchen", prefix: str = "R") -> None:
    """The four ingredients received at ``location`` (receipts R-1 … R-4, with another
    ``prefix`` where those are taken) and the three recipes."""
    for number, sku, qty, cost in (
        (1, "TOMATO", "10", "2.35"),
        (2, "OIL", "3", "7.77"),
        (3, "FLOUR", "25", "0.96"),
        (4, "ONION", "5", "1.30"),
    ):
        body = receipt(f"{prefix}-{number}", sku, qty, cost, location)
        assert api.post("/api/receipts", body).status_code == 201
    for code, body in (("SAUCE", SAUCE), ("DOUGH", DOUGH), ("PIZZA", PIZZA)):
        assert api.put(f"/api/recipes/{code}", body).status_code == 201, code


def production(pid: str, **given: str) -> dict[str, Any]:
    return {"production_id": pid, "location": "kitchen", "recipe": "SAUCE", **given}


def test_a_production_answers_its_movements_and_a_repeat_answers_200(any_api: Api) -> None:
    kitchen(any_api)
    body = production("P-1", batches="2", actual_quantity="3.9", note="Monday sauce")
    first = any_api.post("/api/productions", body, role="clerk")
    assert first.status_code == 201, first.text
    answer = first.json()
    assert answer["document"] == {"type": "production", "id": "P-1"}
    moved = [(m["sku"], m["kind"], Decimal(m["quantity"]), m["value"]) for m in answer["movements"]]
    assert moved == [
        ("TOMATO", "PRODUCTION_OUT", Decimal("5.556"), "-13.06"),
        ("OIL", "PRODUCTION_OUT", Decimal("0.2"), "-1.55"),
        ("SAUCE", "PRODUCTION_IN", Decimal("3.9"), "14.61"),
    ]
    again = any_api.post("/api/productions", body, role="clerk")
    assert again.status_code == 200 and again.json()["position"] == answer["position"]
    changed = any_api.post("/api/productions", {**body, "batches": "1"}, role="clerk")
    assert changed.status_code == 409 and changed.json()["code"] == "document_conflict"
    assert any_api.post("/api/productions", body, role="viewer").status_code == 403


def test_a_production_short_of_two_ingredients_names_both_and_records_nothing(
    any_api: Api,
) -> None:
    kitchen(any_api)
    head = any_api.head
    refused = any_api.post("/api/productions", production("P-1", batches="40"), role="clerk")
    assert refused.status_code == 409
    problem = refused.json()
    assert problem["code"] == "insufficient_stock"
    assert {e["sku"] for e in problem["errors"]} == {"TOMATO", "OIL"}
    assert any_api.head == head


def test_recipe_problems_name_the_line_and_record_nothing(any_api: Api) -> None:
    kitchen(any_api)
    head = any_api.head
    typo = {"name": "Bread", "lines": [{"sku": "FLUOR", "quantity": "1"}]}
    unknown = any_api.put("/api/recipes/BREAD", typo).json()
    assert unknown["code"] == "unknown_sku" and unknown["errors"][0]["field"] == "lines[0].sku"
    loop = {"name": "Dough", "lines": [{"sku": "PIZZA", "quantity": "1"}]}
    cycle = any_api.put("/api/recipes/DOUGH", loop)
    assert cycle.status_code == 422 and cycle.json()["code"] == "recipe_cycle"
    assert cycle.json()["errors"][0]["path"] == ["DOUGH", "PIZZA", "DOUGH"]
    bad = {**DOUGH, "lines": [{"sku": "FLOUR", "quantity": "1", "yield_pct": "0"}]}
    yielded = any_api.put("/api/recipes/DOUGH", bad).json()
    assert yielded["errors"][0]["field"] == "lines[0].yield_pct"
    assert any_api.head == head
    not_prep = any_api.post("/api/productions", production("P-1", recipe="PIZZA"), role="clerk")
    assert not_prep.status_code == 422 and not_prep.json()["errors"] == [{"field": "recipe"}]


def test_recipes_are_listed_with_a_search(api: Api) -> None:
    kitchen(api)
    listed = api.get("/api/recipes", role="viewer").json()
    assert [r["menu_item"] for r in listed["items"]] == ["DOUGH", "PIZZA", "SAUCE"]
    assert Decimal(listed["items"][2]["produces"]["quantity"]) == 2
    assert Decimal(listed["items"][2]["lines"][0]["yield_pct"]) == 90
    assert listed["position"] >= max(r["position"] for r in listed["items"])
    found = api.get("/api/recipes?search=margh", role="viewer").json()["items"]
    assert [r["menu_item"] for r in found] == ["PIZZA"]


def test_plate_cost_by_hand(api: Api) -> None:
    kitchen(api)
    assert api.post("/api/productions", production("P-1", batches="1"), role="clerk").status_code
    cost = api.get("/api/recipes/PIZZA/cost?location=kitchen&price=11", role="viewer")
    assert cost.status_code == 200, cost.text
    plate = cost.json()
    # FLOUR 0.25 × 0.96 = 0.24; SAUCE: 2.778 tomato (6.53) + 0.1 oil (0.78) = 7.31 for 2 l,
    # 0.1 × 3.655 = 0.3655 → 0.37; ONION 0.03 / 0.85 = 0.0353 → 0.035 × 1.30 = 0.0455 → 0.05
    assert [(x["sku"], Decimal(x["quantity"]), x["cost"], x["via"]) for x in plate["lines"]] == [
        ("FLOUR", Decimal("0.25"), "0.24", ["DOUGH"]),
        ("SAUCE", Decimal("0.1"), "0.37", []),
        ("ONION", Decimal("0.035"), "0.05", []),
    ]
    assert Decimal(plate["lines"][2]["yield_pct"]) == 85
    assert plate["cost"] == "0.66" and plate["food_cost_pct"] == "6.00"  # 0.66 / 11
    bare = api.get("/api/recipes/PIZZA/cost?location=bar", role="viewer").json()
    assert bare["food_cost_pct"] is None and bare["unpriced"] == ["FLOUR", "SAUCE", "ONION"]
    assert api.get("/api/recipes/NOPE/cost?location=kitchen").status_code == 404


def test_the_valuation_report_shows_production_as_json_and_csv(api: Api) -> None:
    kitchen(api)
    made = api.post("/api/productions", production("P-1", batches="2"), role="clerk").json()
    taken = sum(-Decimal(m["value"]) for m in made["movements"] if m["kind"] == "PRODUCTION_OUT")
    answer = api.get(
        f"/api/reports/valuation?location=kitchen&min_position={made['position']}", role="finance"
    ).json()
    rows = {row["sku"]: row for row in answer["rows"]}
    assert Decimal(rows["SAUCE"]["production_in_value"]) == taken
    assert Decimal(rows["SAUCE"]["production_in_qty"]) == Decimal(4)
    assert Decimal(rows["TOMATO"]["production_out_qty"]) == Decimal("-5.556")
    assert Decimal(answer["totals"]["production_in_value"]) == -Decimal(
        answer["totals"]["production_out_value"]
    )
    csv_text = api.get(
        "/api/reports/valuation?location=kitchen", role="finance", headers={"Accept": "text/csv"}
    ).text
    assert "production_in_qty,production_in_value,production_out_qty" in csv_text.splitlines()[0]
