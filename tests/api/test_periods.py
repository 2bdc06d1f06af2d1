"""GET /api/periods, GET /api/periods/{period}, POST /api/periods/{period}/close."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from tests.api.conftest import Api


def test_closing_an_ended_period_records_it_once_and_lists_it(history_api: Api) -> None:
    closed = history_api.post("/api/periods/2025-01/close", role="finance")
    assert closed.status_code == 201, closed.json()
    body = closed.json()
    assert (body["period"], body["closed_by"]) == ("2025-01", "finance")
    assert len(body["digest"]) >= 32
    again = history_api.post("/api/periods/2025-01/close", role="finance")
    assert again.status_code == 200
    assert again.json()["digest"] == body["digest"]
    listed = history_api.get("/api/periods", role="finance").json()
    assert [p["period"] for p in listed] == ["2025-01"]
    assert set(listed[0]) == {"period", "closed_at", "closed_by", "digest"}


def test_a_closed_period_reports_its_totals_and_that_the_ledger_still_verifies(
    history_api: Api,
) -> None:
    history_api.post("/api/periods/2025-01/close", role="finance")
    detail = history_api.get("/api/periods/2025-01", role="finance").json()
    assert detail["verified"] is True
    assert Decimal(detail["totals"]["cogs"]["net_cogs"]) == 15
    assert Decimal(detail["totals"]["valuation"]["closing_value"]) == 35


def test_the_current_period_cannot_be_closed_yet(api: Api) -> None:
    now = datetime.now(UTC).strftime("%Y-%m")
    response = api.post(f"/api/periods/{now}/close", role="finance")
    assert (response.status_code, response.json()["code"]) == (409, "period_not_ended")
    assert api.get("/api/periods", role="finance").json() == []


def test_an_unclosed_period_is_not_found_and_a_malformed_one_invalid(api: Api) -> None:
    missing = api.get("/api/periods/2024-05", role="finance")
    assert (missing.status_code, missing.json()["code"]) == (404, "not_found")
    for bad in ("2024-13", "2024-5"):
        response = api.post(f"/api/periods/{bad}/close", role="finance")
        assert (response.status_code, response.json()["code"]) == (422, "validation_error"), bad
