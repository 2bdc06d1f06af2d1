"""A sale in depth through the real app (SPEC §17, API.md "Sales in depth"): a ticket that
owes and its settlement, tickets across outlets, voids, GET of a sale, the owed report."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tests.api.conftest import Api, receipt

PIZZA = {
    "name": "Pizza",
    "lines": [{"sku": "FLOUR", "quantity": "0.2"}, {"sku": "MOZZ", "quantity": "0.1"}],
}
BEER = {"name": "Beer", "lines": [{"sku": "KEG", "quantity": "0.5"}]}


def ticket(sale_id: str, *lines: dict[str, Any]) -> dict[str, Any]:
    return {"sale_id": sale_id, "location": "kitchen", "lines": list(lines)}


def line(item: str, qty: str, price: str, location: str | None = None) -> dict[str, Any]:
    out = {"menu_item": item, "quantity": qty, "unit_price": price}
    return {**out, "location": location} if location else out


def menu(api: Api) -> None:
    for rid, sku, qty, cost, where in (
        ("R-F", "FLOUR", "10", "1.00", "kitchen"),
        ("R-M", "MOZZ", "0.15", "10.00", "kitchen"),
        ("R-K", "KEG", "20", "2.00", "bar"),
    ):
        assert api.post("/api/receipts", receipt(rid, sku, qty, cost, where)).status_code == 201
    assert api.put("/api/recipes/pizza", PIZZA).status_code == 201
    assert api.put("/api/recipes/beer", BEER).status_code == 201


def pizza_and_two_beers(api: Api) -> None:
    """The menu, and S-1: a pizza in the kitchen and two beers at the bar (line 1)."""
    menu(api)
    api.post(
        "/api/sales",
        ticket("S-1", line("pizza", "1", "12"), line("beer", "2", "5", "bar")),
        role="clerk",
    )


def void(api: Api, void_id: str, note: str) -> Any:
    """S-1's beers (line 1) voided by a clerk."""
    body = {"void_id": void_id, "lines": [1], "note": note}
    return api.post("/api/sales/S-1/void", body, role="clerk")


def test_a_ticket_that_owes_is_posted_and_its_receipt_settles_it(api: Api) -> None:
    menu(api)
    sold = api.post(
        "/api/sales",
        ticket("S-1", line("pizza", "3", "12"), line("beer", "2", "5", "bar")),
        role="clerk",
    )
    assert sold.status_code == 201
    body = sold.json()
    owed = [(o["sku"], o["location"], Decimal(o["quantity"])) for o in body["owed"]]
    assert owed == [("MOZZ", "kitchen", Decimal("0.15"))]
    assert [(m["sku"], m["location"], m["kind"]) for m in body["movements"]] == [
        ("FLOUR", "kitchen", "CONSUME"),
        ("MOZZ", "kitchen", "CONSUME"),
        ("MOZZ", "kitchen", "OWED"),
        ("KEG", "bar", "CONSUME"),
    ]
    again = api.post(
        "/api/sales",
        ticket("S-1", line("pizza", "3", "12"), line("beer", "2", "5", "bar")),
        role="clerk",
    )
    assert again.status_code == 200 and again.json() == body
    wait = f"min_position={body['position']}"
    balance = api.get(f"/api/stock/MOZZ/kitchen?{wait}", role="viewer").json()
    assert (Decimal(balance["on_hand"]), Decimal(balance["owed"])) == (0, Decimal("0.15"))
    report = api.get(f"/api/reports/owed?{wait}", role="viewer").json()
    assert Decimal(report["items"][0]["quantity"]) == Decimal("0.15")
    assert report["items"] == [
        {
            "sku": "MOZZ",
            "location": "kitchen",
            "quantity": report["items"][0]["quantity"],
            "sales": ["S-1"],
        }
    ]
    got = api.post("/api/receipts", receipt("R-2", "MOZZ", "1", "12", "kitchen")).json()
    assert [(m["kind"], m["document"]) for m in got["movements"]] == [
        ("RECEIVE", {"type": "receipt", "id": "R-2", "line": 0}),
        ("CONSUME", {"type": "sale", "id": "S-1", "line": 1}),
    ]
    wait = f"min_position={got['position']}"
    assert api.get(f"/api/reports/owed?{wait}", role="viewer").json()["items"] == []
    assert Decimal(api.get(f"/api/stock/MOZZ/kitchen?{wait}", role="viewer").json()["owed"]) == 0
    shown = api.get("/api/sales/S-1", role="viewer").json()
    assert shown["revenue"] == "46.00" and shown["owed"] == []
    assert [ln["location"] for ln in shown["lines"]] == ["kitchen", "bar"]
    assert [m["kind"] for m in shown["movements"]] == [
        "CONSUME",
        "CONSUME",
        "OWED",
        "CONSUME",
        "CONSUME",
    ]
    feed = api.get("/api/events?type=movement", role="finance").json()["items"]
    settled = [e["data"] for e in feed if e["position"] == got["movements"][1]["position"]]
    assert [(m["kind"], m["document"]["id"], Decimal(m["quantity"])) for m in settled] == [
        ("CONSUME", "S-1", Decimal("0.15"))
    ]


def test_a_void_takes_back_its_lines_once_and_shows_on_the_sale(api: Api) -> None:
    pizza_and_two_beers(api)
    voided = void(api, "V-1", "spilt")
    assert voided.status_code == 201
    body = voided.json()
    assert body["document"] == {"type": "void", "id": "V-1"}
    assert [
        (m["sku"], m["kind"], Decimal(m["quantity"]), m["value"]) for m in body["movements"]
    ] == [("KEG", "VOID", 1, "2.00")]
    again = void(api, "V-1", "spilt")
    assert again.status_code == 200 and again.json() == body
    twice = void(api, "V-2", "again")
    assert twice.status_code == 409 and twice.json()["code"] == "invalid_state"
    assert twice.json()["errors"] == [{"field": "lines[0]", "line": 1}]
    shown = api.get("/api/sales/S-1", role="viewer").json()
    assert shown["voids"] == [
        {
            "void_id": "V-1",
            "lines": [1],
            "user": shown["voids"][0]["user"],
            "revenue": "10.00",
            "cost": "2.00",
        }
    ]
    assert [ln["voided"] for ln in shown["lines"]] == [False, True]
    assert shown["voided_revenue"] == "10.00"


def test_void_problems_name_the_field_and_record_nothing(api: Api) -> None:
    menu(api)
    api.post("/api/sales", ticket("S-1", line("pizza", "1", "12")), role="clerk")
    head = api.head
    missing = api.post("/api/sales/S-9/void", {"void_id": "V-1", "note": "x"}, role="clerk")
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"
    bad = api.post(
        "/api/sales/S-1/void", {"void_id": "V-1", "lines": [4], "note": "x"}, role="clerk"
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "lines[0]"
    negative = api.post(
        "/api/sales/S-1/void", {"void_id": "V-1", "lines": [-1], "note": "x"}, role="clerk"
    )
    assert negative.status_code == 422
    no_note = api.post("/api/sales/S-1/void", {"void_id": "V-1"}, role="clerk")
    assert no_note.status_code == 422
    assert (
        api.post("/api/sales/S-1/void", {"void_id": "V-1", "note": "x"}, role="viewer").status_code
        == 403
    )
    assert api.get("/api/sales/S-9", role="viewer").status_code == 404
    assert api.head == head


def test_reports_net_out_a_void_in_its_period(api: Api) -> None:
    pizza_and_two_beers(api)
    voided = void(api, "V-1", "flat").json()
    wait = f"min_position={voided['position']}"
    food = api.get(f"/api/reports/food-cost?group_by=location,menu_item&{wait}", role="finance")
    rows = {(r["location"], r["menu_item"]): r for r in food.json()["rows"]}
    assert (rows[("bar", "beer")]["sold_qty"], rows[("bar", "beer")]["revenue"]) == ("0", "0.00")
    assert Decimal(rows[("bar", "beer")]["cost"]) == 0
    assert rows[("kitchen", "pizza")]["revenue"] == "12.00"
    cogs = api.get(f"/api/reports/cogs?location=bar&group_by=sku&{wait}", role="finance").json()
    (keg,) = cogs["rows"]
    assert (keg["consumed_value"], keg["voided_value"], keg["net_cogs"]) == ("2.00", "2.00", "0.00")
    period = voided["movements"][0]["recorded_at"][:7]
    valuation = api.get(
        f"/api/reports/valuation?period={period}&location=bar&{wait}", role="finance"
    )
    (row,) = valuation.json()["rows"]
    assert (Decimal(row["voids_qty"]), row["voids_value"]) == (1, "2.00")
    assert Decimal(row["closing_value"]) == Decimal(row["opening_value"]) + sum(
        Decimal(row[k])
        for k in row
        if k.endswith("_value") and k not in ("opening_value", "closing_value")
    )
