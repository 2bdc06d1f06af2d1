"""POST /api/receipts/{receipt_id}/costs (API.md "Late costs"), on both backends."""

from __future__ import annotations

import csv
import io

from tests.api.conftest import Api, receipt

COST = {"cost_id": "LC-1", "amount": "20", "note": "freight, invoice 88"}


def test_a_late_cost_answers_its_allocation_and_repeats_it(any_api: Api) -> None:
    api = any_api
    assert (
        api.post("/api/receipts", receipt("R-1", qty="10", cost="5"), role="clerk").status_code
        == 201
    )
    delivery = {
        "delivery_id": "D-1",
        "location": "main",
        "lines": [{"sku": "AB-001", "quantity": "4"}],
    }
    assert api.post("/api/deliveries", delivery, role="clerk").status_code == 201
    first = api.post("/api/receipts/R-1/costs", COST, role="finance")
    assert first.status_code == 201, first.text
    body = first.json()
    assert body["document"] == {"type": "cost", "id": "LC-1"}
    assert body["allocation"] == [
        {
            "sku": "AB-001",
            "location": "main",
            "share": "20.00",
            "to_stock": "12.00",
            "to_cogs": "8.00",
        }
    ]
    assert [(m["kind"], m["on_hand_delta"], m["value"]) for m in body["movements"]] == [
        ("REVALUE", "0", "12.00"),
        ("VARIANCE", "0", "0.00"),
    ]
    again = api.post("/api/receipts/R-1/costs", COST, role="finance")
    assert (again.status_code, again.json()) == (200, body)
    other = api.post("/api/receipts/R-1/costs", {**COST, "amount": "21"}, role="finance")
    assert (other.status_code, other.json()["code"]) == (409, "document_conflict")
    stock = api.get(f"/api/stock/AB-001/main?min_position={api.head}").json()
    assert stock["value"] == "42.00"


def test_a_late_cost_needs_a_known_receipt_a_note_and_an_amount(any_api: Api) -> None:
    api = any_api
    missing = api.post("/api/receipts/R-9/costs", COST, role="finance")
    assert (missing.status_code, missing.json()["code"]) == (404, "not_found")
    api.post("/api/receipts", receipt("R-1"), role="clerk")
    for bad in ({**COST, "amount": "0"}, {**COST, "note": ""}, {**COST, "by": "weight"}):
        response = api.post("/api/receipts/R-1/costs", bad, role="finance")
        assert response.status_code == 422, bad
    no_note = {k: v for k, v in COST.items() if k != "note"}
    assert api.post("/api/receipts/R-1/costs", no_note, role="finance").status_code == 422
    assert api.post("/api/receipts/R-1/costs", COST, role="clerk").status_code == 403


def test_the_reports_and_the_feed_show_the_late_cost(api: Api) -> None:
    api.post("/api/receipts", receipt("R-1", qty="10", cost="5"), role="clerk")
    delivery = {
        "delivery_id": "D-1",
        "location": "main",
        "lines": [{"sku": "AB-001", "quantity": "4"}],
    }
    api.post("/api/deliveries", delivery, role="clerk")
    api.post("/api/receipts/R-1/costs", {**COST, "by": "quantity"}, role="finance")
    fresh = f"min_position={api.head}"
    cogs = api.get(f"/api/reports/cogs?{fresh}", role="finance").json()
    assert (cogs["totals"]["variance_value"], cogs["totals"]["net_cogs"]) == ("8.00", "28.00")
    valuation = api.get(f"/api/reports/valuation?{fresh}", role="finance").json()
    assert valuation["totals"]["revaluation_value"] == "12.00"
    assert valuation["totals"]["closing_value"] == "42.00"
    response = api.get(
        f"/api/reports/valuation?{fresh}", role="finance", headers={"Accept": "text/csv"}
    )
    *_, totals = list(csv.DictReader(io.StringIO(response.text)))
    assert totals["revaluation_value"] == "12.00"
    response = api.get(f"/api/reports/cogs?{fresh}", role="finance", headers={"Accept": "text/csv"})
    *_, totals = list(csv.DictReader(io.StringIO(response.text)))
    assert totals["variance_value"] == "8.00"
    events = api.get("/api/events", role="finance").json()["items"]
    kinds = [e["data"].get("kind") for e in events if e["type"] == "movement.recorded"]
    assert kinds[-2:] == ["REVALUE", "VARIANCE"]
    variance = [e["data"] for e in events if e["data"].get("kind") == "VARIANCE"]
    assert variance[0]["variance"] == "8.00"
    (posted,) = [e["data"] for e in events if e["data"].get("type") == "cost"]
    assert posted["allocation"][0]["to_cogs"] == "8.00"
    history = api.get(f"/api/stock/AB-001/main/movements?{fresh}", role="viewer").json()["items"]
    assert "REVALUE" in {m["kind"] for m in history}
