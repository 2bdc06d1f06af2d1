"""GET /health, /openapi.json and /docs need no key."""

from __future__ import annotations

from tests.api.conftest import Api


def test_health_answers_ok_without_a_key(api: Api) -> None:
    response = api.get("/health", role=None)
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


def test_the_openapi_document_and_docs_need_no_key(api: Api) -> None:
    schema = api.get("/openapi.json", role=None).json()
    assert "/api/receipts" in schema["paths"]
    assert "Problem" in schema["components"]["schemas"]
    receipt = schema["paths"]["/api/receipts"]["post"]
    assert set(receipt["responses"]) >= {"200", "201", "401", "403", "409", "422"}
    assert "application/problem+json" in receipt["responses"]["422"]["content"]
    assert api.get("/docs", role=None).status_code == 200


def test_decimals_are_strings_in_the_response_schema(api: Api) -> None:
    schemas = api.get("/openapi.json", role=None).json()["components"]["schemas"]
    balance = schemas["BalancePublic"]["properties"]
    assert balance["on_hand"]["type"] == "string"


def test_metrics_count_requests_by_route(api: Api) -> None:
    api.get("/api/projections", role="viewer")
    text = api.get("/metrics", role="viewer").text
    assert 'route="/api/projections"' in text
    assert "stockledger_http_requests_total" in text


def test_readiness_answers_ok_without_a_key_when_the_writer_is_free(any_api: Api) -> None:
    response = any_api.get("/health/ready", role=None)
    assert (response.status_code, response.json()) == (200, {"status": "ok"})
