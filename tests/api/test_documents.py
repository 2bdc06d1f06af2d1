"""POST receipts, deliveries, returns, transfers, consumptions, waste and counts."""

from __future__ import annotations

from decimal import Decimal

from tests.api.conftest import Api, delivery, quote, receipt, transfer


def test_a_receipt_answers_201_with_its_movement_and_position(any_api: Api) -> None:
    response = any_api.post("/api/receipts", receipt("R-1"), role="clerk")
    assert response.status_code == 201
    body = response.json()
    assert body["document"] == {"type": "receipt", "id": "R-1"}
    (movement,) = body["movements"]
    assert movement["kind"] == "RECEIVE"
    assert movement["user"] == "clerk"
    assert movement["document"] == {"type": "receipt", "id": "R-1", "line": 0}
    assert Decimal(movement["quantity"]) == 20
    assert Decimal(movement["value"]) == Decimal("300.00")
    assert isinstance(movement["value"], str)
    assert movement["position"] <= body["position"] == any_api.head


def test_the_same_receipt_again_answers_200_with_the_original_and_records_nothing(
    any_api: Api,
) -> None:
    first = any_api.post("/api/receipts", receipt("R-1"), role="clerk").json()
    head = any_api.head
    again = any_api.post("/api/receipts", receipt("R-1"), role="clerk")
    assert again.status_code == 200
    assert again.json() == first
    assert any_api.head == head


def test_a_different_payload_under_a_used_id_is_a_document_conflict(any_api: Api) -> None:
    any_api.post("/api/receipts", receipt("R-1"), role="clerk")
    response = any_api.post("/api/receipts", receipt("R-1", qty="21"), role="clerk")
    assert response.status_code == 409
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "document_conflict"


def test_the_main_flow_of_quote_delivery_and_return_works_on_each_backend(any_api: Api) -> None:
    any_api.post("/api/receipts", receipt("R-1"), role="clerk")
    assert any_api.post("/api/quotes", quote(), role="clerk").status_code == 201
    closed = any_api.post("/api/quotes/Q-1/close", role="clerk")
    assert closed.status_code == 201
    assert [m["kind"] for m in closed.json()["movements"]] == ["RESERVE"]
    shipped = any_api.post("/api/deliveries", delivery("D-1", "3", "Q-1"), role="clerk").json()
    (ship,) = shipped["movements"]
    assert (ship["kind"], Decimal(ship["value"]), Decimal(ship["reserved_delta"])) == (
        "SHIP",
        Decimal("-45.00"),
        Decimal(-3),
    )
    back = {"return_id": "RT-1", "delivery_id": "D-1", "lines": [{"sku": "AB-001", "quantity": 1}]}
    returned = any_api.post("/api/returns", back, role="clerk").json()
    assert Decimal(returned["movements"][0]["value"]) == Decimal("15.00")
    quote_now = any_api.get("/api/quotes/Q-1", role="viewer").json()
    assert quote_now["status"] == "closed"
    line = quote_now["lines"][0]
    assert [Decimal(line[k]) for k in ("reserved", "delivered", "returned")] == [2, 3, 1]


def test_numbers_in_a_request_are_taken_exactly_not_as_binary_floats(api: Api) -> None:
    body = {
        "receipt_id": "R-1",
        "location": "main",
        "lines": [{"sku": "AB-001", "quantity": 0.1, "unit_cost": 0.3}],
    }
    response = api.client.post(
        "/api/receipts",
        content=b'{"receipt_id":"R-1","location":"main","lines":'
        b'[{"sku":"AB-001","quantity":0.1,"unit_cost":0.3}]}',
        headers={**api.headers("clerk"), "content-type": "application/json"},
    )
    assert response.status_code == 201, response.json()
    (movement,) = response.json()["movements"]
    assert Decimal(movement["quantity"]) == Decimal("0.1")
    assert Decimal(movement["value"]) == Decimal("0.03")
    assert body["lines"]


def test_nan_and_infinity_are_refused_as_validation_errors(api: Api) -> None:
    head = api.head
    for raw in (b"NaN", b"Infinity", b'"NaN"', b'"-Infinity"'):
        response = api.client.post(
            "/api/receipts",
            content=b'{"receipt_id":"R-1","location":"main","lines":'
            b'[{"sku":"AB-001","quantity":' + raw + b',"unit_cost":"1"}]}',
            headers={**api.headers("clerk"), "content-type": "application/json"},
        )
        assert response.status_code == 422, raw
        assert response.json()["code"] == "validation_error"
    assert api.head == head


def test_a_request_that_breaks_the_schema_lists_the_bad_fields(api: Api) -> None:
    head = api.head
    response = api.post(
        "/api/receipts",
        {"receipt_id": "R 1", "location": "main", "lines": []},
        role="clerk",
    )
    assert response.status_code == 422
    problem = response.json()
    assert problem["code"] == "validation_error"
    assert problem["status"] == 422
    fields = {error["field"] for error in problem["errors"]}
    # Fields are named as the body writes them (issue 9): `lines[0].quantity`, not `body.…`.
    assert fields == {"receipt_id", "lines"}
    assert api.head == head


def test_a_delivery_beyond_available_stock_is_refused_and_records_nothing(api: Api) -> None:
    api.post("/api/receipts", receipt("R-1", qty="2"), role="clerk")
    head = api.head
    response = api.post("/api/deliveries", delivery("D-1", "3"), role="clerk")
    assert response.status_code == 409
    assert response.json()["code"] == "insufficient_stock"
    assert api.head == head


def test_a_transfer_moves_quantity_and_value_between_locations(api: Api) -> None:
    api.post("/api/receipts", receipt("R-1"), role="clerk")
    body = api.post("/api/transfers", transfer("T-1", "kitchen", "4"), role="clerk").json()
    out, into = body["movements"]
    assert (out["kind"], out["location"], Decimal(out["value"])) == ("TRANSFER_OUT", "main", -60)
    assert (into["kind"], into["location"], Decimal(into["value"])) == (
        "TRANSFER_IN",
        "kitchen",
        60,
    )


def test_a_transfer_to_the_same_location_is_a_validation_error(api: Api) -> None:
    response = api.post("/api/transfers", transfer("T-1", "main", "4"), role="clerk")
    assert (response.status_code, response.json()["code"]) == (422, "validation_error")


def test_consumption_and_waste_take_stock_out_at_average_cost(api: Api) -> None:
    api.post("/api/receipts", receipt("R-1"), role="clerk")
    used = {
        "consumption_id": "C-1",
        "location": "main",
        "lines": [{"sku": "AB-001", "quantity": "2"}],
    }
    consumed = api.post("/api/consumptions", used, role="clerk")
    assert consumed.status_code == 201
    assert consumed.json()["movements"][0]["kind"] == "CONSUME"
    waste = {
        "waste_id": "W-1",
        "location": "main",
        "lines": [{"sku": "AB-001", "quantity": "1"}],
        "note": "dropped",
    }
    wasted = api.post("/api/waste", waste, role="clerk").json()
    (movement,) = wasted["movements"]
    assert (movement["kind"], Decimal(movement["value"]), movement["note"]) == (
        "WASTE",
        -15,
        "dropped",
    )


def test_waste_without_a_note_is_refused(api: Api) -> None:
    api.post("/api/receipts", receipt("R-1"), role="clerk")
    head = api.head
    for note in ({}, {"note": "   "}):
        waste = {
            "waste_id": "W-1",
            "location": "main",
            "lines": [{"sku": "AB-001", "quantity": "1"}],
            **note,
        }
        response = api.post("/api/waste", waste, role="clerk")
        assert (response.status_code, response.json()["code"]) == (422, "validation_error")
    assert api.head == head


def test_a_count_posts_the_difference_as_an_adjustment(api: Api) -> None:
    api.post("/api/receipts", receipt("R-1"), role="clerk")
    count = {
        "count_id": "K-1",
        "location": "main",
        "lines": [{"sku": "AB-001", "counted": "18"}, {"sku": "NEW-1", "counted": "0"}],
        "note": "monthly count",
    }
    response = api.post("/api/counts", count, role="admin")
    assert response.status_code == 201
    (movement,) = response.json()["movements"]
    assert (movement["kind"], Decimal(movement["on_hand_delta"]), movement["document"]["type"]) == (
        "ADJUSTMENT",
        -2,
        "count",
    )


def test_a_count_with_a_naive_time_is_a_validation_error(api: Api) -> None:
    count = {
        "count_id": "K-1",
        "location": "main",
        "counted_at": "2026-01-01T10:00:00",
        "lines": [{"sku": "AB-001", "counted": "1", "unit_cost": "1"}],
        "note": "count",
    }
    response = api.post("/api/counts", count, role="admin")
    assert (response.status_code, response.json()["code"]) == (422, "validation_error")


def test_a_return_against_an_unknown_delivery_is_a_validation_error(api: Api) -> None:
    back = {"return_id": "RT-1", "delivery_id": "nope", "lines": [{"sku": "AB-001", "quantity": 1}]}
    response = api.post("/api/returns", back, role="clerk")
    assert (response.status_code, response.json()["code"]) == (422, "validation_error")
