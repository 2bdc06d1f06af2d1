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


def test_periods_close_in_calendar_order_naming_the_open_earlier_one(history_api: Api) -> None:
    early = history_api.post("/api/periods/2025-02/close", role="finance")
    assert (early.status_code, early.json()["code"]) == (409, "invalid_state")
    assert "2025-01" in early.json()["detail"]
    assert early.json()["errors"] == [{"field": "period", "open_period": "2025-01"}]
    assert history_api.get("/api/periods", role="finance").json() == []
    assert history_api.post("/api/periods/2025-01/close", role="finance").status_code == 201
    assert history_api.post("/api/periods/2025-02/close", role="finance").status_code == 201
    # March holds no movement but carries stock: it must close before April.
    april = history_api.post("/api/periods/2025-04/close", role="finance")
    assert (april.status_code, april.json()["code"]) == (409, "invalid_state")
    assert "2025-03" in april.json()["detail"]


def test_a_period_before_the_first_movement_closes_without_its_predecessors(
    history_api: Api,
) -> None:
    closed = history_api.post("/api/periods/2024-11/close", role="finance")
    assert closed.status_code == 201, closed.json()
    assert history_api.post("/api/periods/2025-01/close", role="finance").status_code == 201


def test_the_last_representable_period_has_not_ended(api: Api) -> None:
    response = api.post("/api/periods/9999-12/close", role="finance")
    assert (response.status_code, response.json()["code"]) == (409, "period_not_ended")


def test_an_out_of_range_period_is_invalid_naming_the_period(api: Api) -> None:
    for bad in ("2026-13", "0000-01", "2026-00", "20261-01", "2026-1x"):
        for response in (
            api.post(f"/api/periods/{bad}/close", role="finance"),
            api.get(f"/api/periods/{bad}", role="finance"),
        ):
            body = response.json()
            assert (response.status_code, body["code"]) == (422, "validation_error"), bad
            assert [e["field"].split(".")[-1] for e in body["errors"]] == ["period"], body
