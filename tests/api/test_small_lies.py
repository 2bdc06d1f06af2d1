"""Issue 35.5: the valuation of a period that has not started is refused naming it, and a
CSV answer carries a file name saying what and when."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from tests.api.conftest import Api, receipt


def _next_year() -> str:
    return f"{datetime.now(UTC).year + 1}-01"


def test_the_valuation_of_a_period_not_started_is_a_409_naming_it(api: Api) -> None:
    assert api.post("/api/receipts", receipt("R-1")).status_code == 201
    future = _next_year()
    answer = api.get(f"/api/reports/valuation?period={future}")
    assert answer.status_code == 409
    assert answer.json()["code"] == "period_not_started"
    assert future in answer.json()["detail"]
    this_month = datetime.now(UTC).strftime("%Y-%m")
    assert api.get(f"/api/reports/valuation?period={this_month}").status_code == 200


def test_a_csv_report_is_an_attachment_named_for_what_and_when(api: Api) -> None:
    assert api.post("/api/receipts", receipt("R-1")).status_code == 201
    csv = {"Accept": "text/csv"}
    cogs = api.get("/api/reports/cogs?from=2026-11&to=2026-12&location=main", headers=csv)
    assert cogs.status_code == 200
    disposition = cogs.headers["content-disposition"]
    assert re.fullmatch(
        r'attachment; filename="cogs-2026-11-2026-12-main-\d{8}T\d{4}Z\.csv"', disposition
    ), disposition
    valuation = api.get("/api/reports/valuation?period=2026-11", headers=csv)
    assert 'filename="valuation-2026-11-' in valuation.headers["content-disposition"]
    assert "content-disposition" not in api.get("/api/reports/valuation?period=2026-11").headers


def test_the_journal_csv_is_an_attachment_named_for_its_period(api: Api) -> None:
    from tests.api.test_gl_journal import MAP

    assert api.post("/api/receipts", receipt("R-1")).status_code == 201
    assert api.put("/api/accounts/map", json=MAP).status_code in (200, 201)
    period = datetime.now(UTC).strftime("%Y-%m")
    journal = api.get(f"/api/journal?period={period}&format=csv&min_position={api.head}")
    assert journal.status_code == 200, journal.text
    named = rf'attachment; filename="journal-{period}-\d{{8}}T\d{{4}}Z\.csv"'
    assert re.fullmatch(named, journal.headers["content-disposition"])
