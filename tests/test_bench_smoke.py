"""Every benchmark runs at tiny sizes, so the suite notices when one stops working.

Only that they run and report is checked: figures are never asserted (no timed assertions).
"""

from __future__ import annotations

import importlib
import json
from pathlib import Path

import pytest
from bench import common

from tests.pgserver import PostgresServer


@pytest.mark.parametrize(
    "name",
    [
        "generator",
        "commands",
        "history",
        "rebuild",
        "queries",
        "lag",
        "http",
        "document_size",
        "feed",
        "sales",
        "tenants",
        "console",
    ],
)
def test_each_benchmark_runs_quickly_and_writes_its_result(
    name: str, pg_server: PostgresServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(common, "RESULTS", tmp_path)
    monkeypatch.setattr(common, "shared_server", pg_server)
    module = importlib.import_module(f"bench.bench_{name}")

    report = module.run(quick=True, runs=None)

    assert report.rows, "a benchmark reports at least one figure"
    (written,) = tmp_path.glob(f"{name}-quick-*.json")
    body = json.loads(written.read_text())
    assert body["name"] == name
    assert [row["metric"] for row in body["rows"]] == [row.metric for row in report.rows]
