"""`stockledger journal --period P --format json|csv|beancount` on a real store."""

from __future__ import annotations

import json
from pathlib import Path

from application.accounts import set_map
from application.ledger import Ledger
from application.settings import Settings
from domain.journal import ROLES
from tests.api.conftest import post_history
from tests.beancheck import bean_errors
from tests.e2e.conftest import cli


def test_the_journal_command_prints_each_format_the_api_answers(tmp_path: Path) -> None:
    settings = Settings(database_url=None, data_dir=tmp_path / "var")
    post_history(settings)
    refused = cli(settings, "journal", "--period", "2025-01", check=False)
    assert refused.returncode == 1 and "PUT /api/accounts/map" in refused.stderr
    with Ledger(settings) as ledger:
        set_map(ledger, [{"role": r, "account": f"A-{r}"} for r in ROLES], ["main"], "admin")
    body = json.loads(cli(settings, "journal", "--period", "2025-01").stdout)
    assert body["totals"] == {"debit": "75.00", "credit": "75.00"}
    beancount = cli(settings, "journal", "--period", "2025-01", "--format", "beancount").stdout
    assert bean_errors(beancount) == [] and "Assets:GL-A-inventory" in beancount
    rows = cli(settings, "journal", "--period", "2025-01", "--format", "csv").stdout.splitlines()
    assert rows[0] == "Date,Narration,AccountCode,Debit,Credit,TrackingLocation"
    assert len(rows) == 1 + sum(len(e["lines"]) for e in body["entries"])
