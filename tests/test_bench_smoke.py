"""Every benchmark runs at tiny sizes, so the suite notices when one stops working.

Only that they run and report is checked: figures are never asserted (no timed assertions).
"""

from __future__ import annotations

import importlib
import json
import os
import sys
from pathlib import Path

import pytest
from bench import common
from bench.__main__ import BENCHMARKS
from bench.bench_http import serving_process
from bench.loadgen import WrkError, drive

from tests.pgserver import PostgresServer, free_port


@pytest.mark.parametrize("name", BENCHMARKS)
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


def test_a_wrk_run_with_refused_requests_is_not_a_figure(pg_server: PostgresServer) -> None:
    port = free_port()
    naive = [sys.executable, "-m", "bench.naive_service", "--dsn", common.new_database(pg_server)]
    command = [*naive, "--port", str(port)]
    # No stock received: every 1-unit delivery is refused (409).
    with (
        serving_process(command, dict(os.environ), port) as (url, process),
        pytest.raises(WrkError, match="non-2xx responses"),
    ):
        drive(f"{url}/api/deliveries", 1, {"api": process.pid}, token="none", tag="t")
