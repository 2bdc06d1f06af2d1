"""problem+json for every error: the table covers every error type; unknown routes, wrong
methods and unexpected errors answer problem+json too; one log line per request."""

from __future__ import annotations

import inspect
import json
import logging

import pytest

import application.errors
import domain.errors
from api import problems
from tests.api.conftest import Api, receipt

API_CODES = {
    "validation_error": 422,
    "unauthorized": 401,
    "forbidden": 403,
    "not_found": 404,
    "insufficient_stock": 409,
    "invalid_state": 409,
    "document_conflict": 409,
    "concurrency_conflict": 409,
    "period_not_ended": 409,
    "projection_lagging": 503,
}


def _error_types() -> list[type[Exception]]:
    return [
        cls
        for module in (domain.errors, application.errors)
        for _, cls in inspect.getmembers(module, inspect.isclass)
        if issubclass(cls, Exception) and cls.__module__ == module.__name__
    ]


def test_every_domain_and_application_error_type_has_its_own_entry() -> None:
    types = _error_types()
    assert len(types) >= 10
    missing = [cls.__name__ for cls in types if cls not in problems.PROBLEMS]
    assert missing == []


def test_every_entry_uses_a_code_of_api_md_with_its_status() -> None:
    for cls, kind in problems.PROBLEMS.items():
        if kind.code in API_CODES:
            assert API_CODES[kind.code] == kind.status, cls
    assert {kind.code for kind in problems.PROBLEMS.values()} >= set(API_CODES)


def test_the_most_specific_class_wins() -> None:
    assert (
        problems.lookup(domain.errors.NoCostBasisError).title == "No cost basis for this adjustment"
    )
    assert problems.lookup(application.errors.QuoteNotFoundError).status == 404

    class Unlisted(application.errors.PeriodNotEndedError):
        pass

    assert problems.lookup(Unlisted).code == "period_not_ended"
    assert problems.lookup(KeyError).status == 500


def test_an_unknown_route_is_a_404_problem(api: Api) -> None:
    response = api.get("/api/nothing-here")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert set(body) >= {"type", "title", "status", "detail", "code", "errors"}
    assert body["code"] == "not_found"


def test_a_wrong_method_is_a_405_problem(api: Api) -> None:
    response = api.client.delete("/api/receipts", headers=api.headers("admin"))
    assert response.status_code == 405
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "method_not_allowed"


def test_malformed_json_is_a_400_problem_naming_line_and_column(api: Api) -> None:
    for path, send in (("/api/receipts", api.client.post), ("/api/items/AB-1", api.client.put)):
        response = send(
            path,
            content=b'{"receipt_id": "R-1",\n "lines": [1,]}',
            headers={**api.headers("admin"), "content-type": "application/json"},
        )
        assert (response.status_code, response.json()["code"]) == (400, "malformed_json")
        assert response.headers["content-type"] == "application/problem+json"
        assert "at line 2 column 14" in response.json()["detail"]
        assert response.json()["errors"][0]["line"] == 2


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded"])
def test_a_body_without_the_json_content_type_is_a_415_naming_the_expected_type(
    api: Api, content_type: str | None
) -> None:
    headers = api.headers("clerk") | ({"content-type": content_type} if content_type else {})
    response = api.client.post(
        "/api/receipts", content=json.dumps(receipt("R-1")).encode(), headers=headers
    )
    assert (response.status_code, response.json()["code"]) == (415, "unsupported_media_type")
    assert "Content-Type: application/json" in response.json()["detail"]
    assert (content_type or "no Content-Type") in response.json()["detail"]
    assert api.head == 0 or api.post("/api/receipts", receipt("R-1")).status_code == 201


def test_a_validation_error_names_the_field_as_written_and_what_it_must_be(api: Api) -> None:
    body = receipt("R-1")
    body["lines"].append({"sku": "AB-001", "quantity": "-2", "unit_cost": "1"})
    body["lines"].append({"sku": "AB-001", "quantity": "two", "unit_cost": "1"})
    response = api.post("/api/receipts", body, role="clerk")
    assert response.status_code == 422
    fields = {error["field"]: error["message"] for error in response.json()["errors"]}
    assert "lines[2].quantity" in fields
    assert "must be" in fields["lines[2].quantity"]
    assert not any(field.startswith("body") for field in fields)
    assert response.json()["detail"].startswith("lines[")


def test_a_time_parameter_accepts_z_and_says_how_to_encode_an_offset(api: Api) -> None:
    assert api.post("/api/receipts", receipt("R-1"), role="clerk").status_code == 201
    at = f"/api/stock/AB-001/main/at?min_position={api.head}&time="
    assert api.get(at + "2030-01-01T00:00:00Z").json()["on_hand"] == "20"
    assert api.get(at + "2030-01-01T01:00:00%2B01:00").json()["on_hand"] == "20"
    unencoded = api.get(at + "2030-01-01T01:00:00+01:00")
    assert unencoded.status_code == 422
    assert "%2B" in unencoded.json()["detail"]
    assert unencoded.json()["errors"][0]["field"] == "time"
    assert "Z" in api.get(at + "yesterday").json()["detail"]


def test_an_unexpected_error_is_a_logged_500_problem_and_records_nothing(
    api: Api, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    ledger = api.client.app.state.ledger  # type: ignore[attr-defined]

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(ledger, "execute", broken)
    head = api.head
    with caplog.at_level(logging.ERROR, logger="stockledger.http"):
        response = api.post("/api/receipts", receipt("R-1"), role="clerk")
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "internal_error"
    assert "disk on fire" not in response.text
    assert any("unhandled error" in r.getMessage() for r in caplog.records)
    assert api.head == head


def test_each_request_logs_one_json_line_without_the_token(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="stockledger.http"):
        body = api.post("/api/receipts", receipt("R-1"), role="clerk").json()
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "stockledger.http"]
    assert len(lines) == 1
    line = lines[0]
    assert {k: line[k] for k in ("method", "route", "status", "user", "position")} == {
        "method": "POST",
        "route": "/api/receipts",
        "status": 201,
        "user": "clerk",
        "position": body["position"],
    }
    assert line["duration_ms"] >= 0
    assert api.tokens["clerk"] not in caplog.text
