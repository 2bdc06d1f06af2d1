"""GET /api/stock…, stock at a date, movement history, POST …/adjust, read-your-writes."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest

from tests.api.conftest import Api, receipt


def _deliver(api: Api, delivery_id: str, qty: str) -> dict:  # type: ignore[type-arg]
    body = {
        "delivery_id": delivery_id,
        "location": "main",
        "lines": [{"sku": "AB-001", "quantity": qty}],
    }
    response = api.post("/api/deliveries", body, role="clerk")
    assert response.status_code == 201, response.json()
    return response.json()  # type: ignore[no-any-return]


def test_a_balance_reflects_a_receipt_once_min_position_is_reached(any_api: Api) -> None:
    position = any_api.post("/api/receipts", receipt("R-1"), role="clerk").json()["position"]
    response = any_api.get(f"/api/stock/AB-001/main?min_position={position}", role="viewer")
    assert response.status_code == 200
    balance = response.json()
    assert balance["position"] >= position
    assert {
        k: Decimal(balance[k]) for k in ("on_hand", "reserved", "available", "value", "unit_cost")
    } == {
        "on_hand": 20,
        "reserved": 0,
        "available": 20,
        "value": Decimal("300.00"),
        "unit_cost": 15,
    }


def test_an_unknown_position_has_zero_balance_not_404(api: Api) -> None:
    response = api.get("/api/stock/NOPE/main", role="viewer")
    assert response.status_code == 200
    body = response.json()
    assert Decimal(body["on_hand"]) == 0
    assert body["unit_cost"] is None


def test_stock_lists_positions_and_a_sku_sums_its_locations(api: Api) -> None:
    api.post("/api/receipts", receipt("R-1"), role="clerk")
    api.post("/api/receipts", receipt("R-2", location="bar", qty="5"), role="clerk")
    last = api.post("/api/receipts", receipt("R-3", sku="ZZ-9", qty="1"), role="clerk").json()
    listed = api.get(
        f"/api/stock?location=main&min_position={last['position']}", role="viewer"
    ).json()
    assert sorted(item["sku"] for item in listed["items"]) == ["AB-001", "ZZ-9"]
    prefixed = api.get("/api/stock?sku_prefix=AB", role="viewer").json()
    assert {(i["sku"], i["location"]) for i in prefixed["items"]} == {
        ("AB-001", "main"),
        ("AB-001", "bar"),
    }
    one = api.get("/api/stock/AB-001", role="viewer").json()
    assert sorted(b["location"] for b in one["locations"]) == ["bar", "main"]
    assert Decimal(one["total"]["on_hand"]) == 25
    assert Decimal(one["total"]["value"]) == Decimal("375.00")


def test_stock_pages_follow_next_cursor(api: Api) -> None:
    last = 0
    for n in range(3):
        last = api.post("/api/receipts", receipt(f"R-{n}", sku=f"S-{n}"), role="clerk").json()[
            "position"
        ]
    first = api.get(f"/api/stock?limit=2&min_position={last}", role="viewer").json()
    assert len(first["items"]) == 2 and first["next_cursor"]
    second = api.get(f"/api/stock?limit=2&cursor={first['next_cursor']}", role="viewer").json()
    skus = [i["sku"] for i in first["items"] + second["items"]]
    assert sorted(skus) == ["S-0", "S-1", "S-2"]


def test_stock_at_a_time_is_the_state_after_the_last_movement_before_it(api: Api) -> None:
    received = api.post("/api/receipts", receipt("R-1"), role="clerk").json()
    between = received["movements"][0]["recorded_at"]
    shipped = _deliver(api, "D-1", "4")
    position = shipped["position"]
    at = api.get(
        "/api/stock/AB-001/main/at",
        role="viewer",
        params={"time": between, "min_position": position},
    ).json()
    assert (Decimal(at["on_hand"]), Decimal(at["value"])) == (20, Decimal("300.00"))
    now = api.get(
        "/api/stock/AB-001/main/at",
        role="viewer",
        params={"time": datetime.now().astimezone().isoformat()},
    ).json()
    assert Decimal(now["on_hand"]) == 16


def test_stock_at_needs_a_time_with_an_offset(api: Api) -> None:
    response = api.get(
        "/api/stock/AB-001/main/at", role="viewer", params={"time": "2026-01-01T00:00:00"}
    )
    assert (response.status_code, response.json()["code"]) == (422, "validation_error")


def test_movements_come_oldest_first_and_filter_by_kind(api: Api) -> None:
    api.post("/api/receipts", receipt("R-1"), role="clerk")
    position = _deliver(api, "D-1", "4")["position"]
    history = api.get(
        f"/api/stock/AB-001/main/movements?min_position={position}", role="viewer"
    ).json()
    assert [m["kind"] for m in history["items"]] == ["RECEIVE", "SHIP"]
    ship = history["items"][1]
    assert ship["document"] == {"type": "delivery", "id": "D-1", "line": 0}
    assert (Decimal(ship["on_hand_after"]), Decimal(ship["value_after"])) == (16, Decimal("240.00"))
    only = api.get("/api/stock/AB-001/main/movements?kind=SHIP", role="viewer").json()
    assert [m["kind"] for m in only["items"]] == ["SHIP"]
    bad = api.get("/api/stock/AB-001/main/movements?kind=STEAL", role="viewer")
    assert (bad.status_code, bad.json()["code"]) == (422, "validation_error")


def test_an_admin_adjustment_records_one_adjustment_with_its_note(api: Api) -> None:
    api.post("/api/receipts", receipt("R-1"), role="clerk")
    body = {"adjustment_id": "A-1", "quantity": "-2", "note": "broken"}
    response = api.post("/api/stock/AB-001/main/adjust", body, role="admin")
    assert response.status_code == 201
    (movement,) = response.json()["movements"]
    assert (movement["kind"], Decimal(movement["value"]), movement["note"]) == (
        "ADJUSTMENT",
        -30,
        "broken",
    )
    assert api.post("/api/stock/AB-001/main/adjust", body, role="admin").status_code == 200


def test_adjustments_that_break_rules_are_refused_with_their_codes(api: Api) -> None:
    api.post("/api/receipts", receipt("R-1", qty="2"), role="clerk")
    head = api.head
    cases = [  # (sku, adjustment id, quantity, note) and the refusal
        (("AB-001", "A-1", "0", "x"), 422, "validation_error"),
        (("AB-001", "A-2", "-3", "x"), 409, "insufficient_stock"),
        (("NEW", "A-3", "3", "x"), 422, "validation_error"),
        (("AB-001", "A-4", "1", " "), 422, "validation_error"),
    ]
    for (sku, adjustment_id, quantity, note), status, code in cases:
        body = {"adjustment_id": adjustment_id, "quantity": quantity, "note": note}
        response = api.post(f"/api/stock/{sku}/main/adjust", body, role="admin")
        assert (response.status_code, response.json()["code"]) == (status, code), body
    assert api.head == head


def test_a_query_waiting_on_a_stopped_projection_answers_503_projection_lagging(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    read_models = api.client.app.state.read_models  # type: ignore[attr-defined]
    quick = read_models.settings.model_copy(update={"read_your_writes_wait": 0.3})
    monkeypatch.setattr(read_models, "settings", quick)
    read_models.stop()
    position = api.post("/api/receipts", receipt("R-1"), role="clerk").json()["position"]
    response = api.get(f"/api/stock/AB-001/main?min_position={position}", role="viewer")
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "projection_lagging"
