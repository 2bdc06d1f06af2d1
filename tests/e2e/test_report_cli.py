"""Issue 35.6: `stockledger report …` prints what the API answers, as JSON and CSV, from the
store opened directly (the owner's access)."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi.testclient import TestClient

from api.main import create_app
from application.settings import Settings
from tests.api.conftest import post_history
from tests.e2e.conftest import cli


def test_report_cogs_valuation_and_food_cost_print_what_the_api_answers(tmp_path: Path) -> None:
    store = Settings(database_url=None, data_dir=tmp_path / "var")
    post_history(store)
    app = create_app(store)
    token = app.state.ledger.issue_key("f", "finance", issued_by="test")[1]
    asked = {
        (
            "cogs",
            "--from",
            "2025-01",
            "--to",
            "2025-02",
        ): "/api/reports/cogs?from=2025-01&to=2025-02",
        ("valuation", "--period", "2025-01"): "/api/reports/valuation?period=2025-01",
        ("food-cost", "--period", "2025-01"): "/api/reports/food-cost?from=2025-01&to=2025-01",
    }
    with TestClient(app) as client:
        auth = {"Authorization": f"Bearer {token}"}
        head = app.state.ledger.head()
        answers = {
            args: (
                client.get(f"{path}&min_position={head}", headers=auth).json(),
                client.get(f"{path}&min_position={head}", headers={**auth, "Accept": "text/csv"}),
            )
            for args, path in asked.items()
        }
    for args, (api_json, api_csv) in answers.items():
        printed = json.loads(cli(store, "report", *args).stdout)
        assert printed == api_json, args
        assert cli(store, "report", *args, "--format", "csv").stdout == api_csv.text, args
    assert json.loads(cli(store, "report", "cogs").stdout)["totals"]["net_cogs"] != "0.00"


def test_report_refuses_a_period_not_started_and_an_unknown_format(tmp_path: Path) -> None:
    store = Settings(database_url=None, data_dir=tmp_path / "var")
    post_history(store)
    future = cli(store, "report", "valuation", "--period", "2999-01", check=False)
    assert future.returncode == 1
    assert "2999-01 has not started" in " ".join(future.stderr.split())
    assert cli(store, "report", "cogs", "--format", "xml", check=False).returncode != 0
