"""The console's account map editor (admin), journal page with downloads and
reconciliation view (finance), SPEC §15."""

from __future__ import annotations

from domain.journal import ROLES
from tests.beancheck import bean_errors
from tests.console.conftest import Console


def _map_form() -> dict[str, str]:
    form = {}
    for n, role in enumerate(ROLES):
        form[f"role_{n}"] = role
        form[f"account_{n}"] = f"{n + 1}000"
        form[f"location_{n}"] = ""
        form[f"category_{n}"] = ""
    return form


def test_an_admin_sets_the_map_in_the_editor_and_a_gap_is_refused_by_name(console: Console) -> None:
    console.sign_in("admin")
    assert "No account map yet" in console.get("/accounts").text
    gap = {k: v for k, v in _map_form().items() if not k.endswith("_2")}
    refused = console.post("/accounts", gap)
    assert refused.status_code == 422 and "cogs at main" in refused.text
    saved = console.post("/accounts", _map_form())
    assert saved.status_code == 303
    page = console.get("/accounts").text
    assert "Version 1, set by admin" in page and 'value="1000"' in page
    console.sign_in("finance")
    assert console.get("/accounts").status_code == 403


def test_finance_reads_a_period_s_journal_downloads_it_and_sees_the_reconciliation(
    console: Console,
) -> None:
    console.sign_in("admin")
    console.post("/accounts", _map_form())
    console.sign_in("finance")
    page = console.get("/gl-journal?period=2025-01").text
    assert "Debits 75.00 · credits 75.00" in page and "SHIP uncategorised: 1 movement" in page
    beancount = console.get("/gl-journal/2025-01.beancount")
    assert "attachment" in beancount.headers["content-disposition"]
    assert bean_errors(beancount.text) == []
    csv = console.get("/gl-journal/2025-01.csv").text
    assert csv.startswith("Date,Narration,AccountCode,Debit,Credit,TrackingLocation\n")
    assert console.get("/gl-journal/2025-01.json").json()["totals"]["debit"] == "75.00"
    empty = console.get("/gl-journal?period=2024-02").text
    assert "the journal is empty" in empty
    reconciliation = console.get("/gl-journal/reconciliation?to=2025-02").text
    january = '<tr data-period="2025-01" data-location="main">'
    assert january in reconciliation
    assert '<td class="num">35.00</td><td class="num">35.00</td>' in reconciliation
    assert 'class="badge bad"' not in reconciliation
