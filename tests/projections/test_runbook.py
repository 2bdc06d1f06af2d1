"""What the runbook promises: rebuild log lines, no orphan tables after a dead rebuild,
verify naming a missing read model, and a progress bar that knows its total and ETA."""

from __future__ import annotations

import json
import logging
import signal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from application.errors import ConcurrencyConflictError
from application.ledger import Ledger
from application.settings import Settings
from cli.progress import rebuild_fields
from projections.cogs import Cogs
from projections.registry import entry, rebuild_lock
from projections.service import ReadModels
from tests.projections.conftest import fill, wait_until, worker


def test_a_rebuild_logs_one_json_line_at_its_start_and_one_at_its_finish(
    ledger: Ledger, models: ReadModels, caplog: pytest.LogCaptureFixture
) -> None:
    head = fill(ledger, documents=2, lines=10)
    with caplog.at_level(logging.INFO, logger="stockledger.projections"):
        models.rebuild("all")
    lines = [json.loads(r.getMessage()) for r in caplog.records if '"rebuild"' in r.getMessage()]
    assert [line["rebuild"] for line in lines] == ["start", "finish"]
    start, finish = lines
    assert start["head"] == head
    assert set(start["projections"]) == set(models.projections)
    assert start["projections"]["cogs"] == {"version": Cogs.VERSION, "generation": 2}
    assert finish["position"] == head
    assert finish["seconds"] >= 0


def test_the_next_start_drops_the_partial_tables_of_a_killed_rebuild(
    settings: Settings, ledger: Ledger, models: ReadModels
) -> None:
    fill(ledger, documents=20, lines=100)
    # Throttled so the kill lands mid-rebuild however fast the machine is.
    process = worker(settings, "rebuild", "movements", "--chunk", "100", "--throttle", "0.2")
    try:

        def under_way() -> bool:
            (state,) = [s for s in models.status() if s["name"] == "movements"]
            return state["rebuild"] is not None and state["rebuild"]["position"] > 0

        wait_until(under_way, 60, "rebuild under way")
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(10)
    with models.db.session() as session:
        assert session.tables("rm_movements_g") == ["rm_movements_g1", "rm_movements_g2"]

    def lock_released() -> bool:  # PostgreSQL ends the killed session's lock shortly after
        try:
            with rebuild_lock(models.db, "movements", wait=False):
                return True
        except ConcurrencyConflictError:
            return False

    wait_until(lock_released, 30, "the dead rebuild's lock released")
    models.start()
    with models.db.session() as session:
        assert session.tables("rm_movements_g") == ["rm_movements_g1"]
        assert session.execute("SELECT count(*) FROM rm_rebuilds")[0][0] == 0
    assert models.wait_for(ledger.head(), 60)
    assert models.verify().ok


def test_verify_reports_a_dropped_read_model_table_by_name(
    ledger: Ledger, models: ReadModels
) -> None:
    fill(ledger, documents=2, lines=10)
    models.start()
    assert models.wait_for(ledger.head(), 30)
    models.stop()
    with models.db.session() as session, session.transaction():
        current = entry(session, "cogs")
        assert current is not None
        session.execute(f"DROP TABLE rm_cogs_g{current.generation}")
    report = models.verify()
    assert not report.ok
    assert report.problems == ["cogs: read model table rm_cogs_g1 is missing"]


def test_the_rebuild_bar_knows_its_total_before_the_first_chunk_and_shows_the_eta() -> None:
    before = rebuild_fields(None, 120_000)
    assert (before["completed"], before["total"], before["eta"]) == (0, 120_000, "…")
    running = rebuild_fields(
        {"position": 30_000, "head": 120_500, "events_per_s": 10_000.0, "eta_s": 9.05}, 120_000
    )
    assert (running["completed"], running["total"]) == (30_000, 120_500)
    assert running["rate"] == "10,000 events/s"
    assert running["eta"] == "0:00:09"
    assert rebuild_fields({"position": 0, "head": 0}, 500)["total"] == 500
    slow = rebuild_fields({"position": 10, "head": 100_000, "eta_s": 5025.4}, 100_000)
    assert slow["eta"] == "1:23:45"
    done = rebuild_fields({"position": 120_500, "head": 120_500, "done": True}, 120_000)
    assert (done["completed"], done["total"], done["eta"]) == (120_500, 120_500, "0:00:00")


def test_the_rebuild_command_shows_its_total_and_eta(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cli.__main__ import app

    settings = Settings(database_url=None, data_dir=tmp_path / "var")
    ledger = Ledger(settings)
    try:
        head = fill(ledger, documents=2, lines=10)
    finally:
        ledger.close()
    monkeypatch.setenv("STOCKLEDGER_DATA_DIR", str(settings.data_dir))
    result = CliRunner().invoke(app, ["projections", "rebuild", "all"])
    assert result.exit_code == 0, result.output
    assert f"{head}/{head}" in result.output
    assert "ETA 0:00:00" in result.output
    assert "all rebuilt and live" in result.output
