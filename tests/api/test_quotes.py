"""POST /api/quotes, …/close, …/cancel and GET /api/quotes/{quote_id}."""

from __future__ import annotations

from decimal import Decimal

from tests.api.conftest import Api, delivery, quote, receipt


def test_a_draft_quote_is_created_once_and_repeated_with_200(api: Api) -> None:
    created = api.post("/api/quotes", quote(), role="clerk")
    assert created.status_code == 201
    body = created.json()
    assert body["movements"] == []
    assert body["quote"]["status"] == "draft"
    assert Decimal(body["quote"]["lines"][0]["unit_price"]) == Decimal("24.90")
    again = api.post("/api/quotes", quote(), role="clerk")
    assert again.status_code == 200
    conflict = api.post("/api/quotes", quote(qty="6"), role="clerk")
    assert (conflict.status_code, conflict.json()["code"]) == (409, "document_conflict")


def test_closing_a_quote_short_of_stock_is_refused_listing_the_short_line(api: Api) -> None:
    api.post("/api/receipts", receipt("R-1", qty="2"), role="clerk")
    api.post("/api/quotes", quote(), role="clerk")
    head = api.head
    response = api.post("/api/quotes/Q-1/close", role="clerk")
    assert response.status_code == 409
    problem = response.json()
    assert problem["code"] == "insufficient_stock"
    assert problem["errors"][0]["line"] == 0
    assert api.head == head
    assert api.get("/api/quotes/Q-1", role="viewer").json()["status"] == "draft"


def test_closing_twice_is_a_no_op_and_cancelling_releases_the_reservation(api: Api) -> None:
    api.post("/api/receipts", receipt("R-1"), role="clerk")
    api.post("/api/quotes", quote(), role="clerk")
    assert api.post("/api/quotes/Q-1/close", role="clerk").status_code == 201
    head = api.head
    assert api.post("/api/quotes/Q-1/close", role="clerk").status_code == 200
    assert api.head == head
    cancelled = api.post("/api/quotes/Q-1/cancel", role="clerk")
    assert cancelled.status_code == 201
    (release,) = cancelled.json()["movements"]
    assert (release["kind"], Decimal(release["reserved_delta"])) == ("RELEASE", -5)
    assert cancelled.json()["quote"]["status"] == "cancelled"
    assert api.post("/api/quotes/Q-1/cancel", role="clerk").status_code == 200


def test_a_delivered_quote_cannot_be_cancelled(api: Api) -> None:
    api.post("/api/receipts", receipt("R-1"), role="clerk")
    api.post("/api/quotes", quote(), role="clerk")
    api.post("/api/quotes/Q-1/close", role="clerk")
    assert api.post("/api/deliveries", delivery("D-1", "5", "Q-1"), role="clerk").status_code == 201
    assert api.get("/api/quotes/Q-1", role="viewer").json()["status"] == "delivered"
    response = api.post("/api/quotes/Q-1/cancel", role="clerk")
    assert (response.status_code, response.json()["code"]) == (409, "invalid_state")


def test_an_unknown_quote_is_404_everywhere(api: Api) -> None:
    for method, path in [
        ("get", "/api/quotes/NOPE"),
        ("post", "/api/quotes/NOPE/close"),
        ("post", "/api/quotes/NOPE/cancel"),
    ]:
        response = getattr(api, method)(path, role="admin")
        assert (response.status_code, response.json()["code"]) == (404, "not_found"), path
