"""`stockledger verify` refuses read models that do not keep up (issue 27): a ledger restored
without its read models, read models further behind than --max-lag, and a read model whose
runner cannot apply an event all exit 1, naming the read model."""

from __future__ import annotations

import subprocess
from decimal import Decimal
from pathlib import Path

from application.commands import Line, PostConsumption, PostReceipt, ReceiptLine
from application.ledger import Ledger
from application.settings import Settings
from domain.stock_item import StockItem
from tests.e2e.conftest import STOCKLEDGER, cli, environment, wait_until
from tests.tamper import rewrite_movements


def _post(settings: Settings, *receipts: str) -> None:
    with Ledger(settings) as ledger:
        for doc in receipts:
            line = ReceiptLine("A", Decimal(5), Decimal(2))
            ledger.execute(PostReceipt(doc, "main", [line]), user="u")


def test_a_ledger_restored_without_its_read_models_fails_verify_until_they_are_rebuilt(
    tmp_path: Path,
) -> None:
    settings = Settings(database_url=None, data_dir=tmp_path / "var")
    _post(settings, "R-1", "R-2")
    cli(settings, "projections", "rebuild", "all")
    assert "no discrepancies" in cli(settings, "verify").stdout
    for views in (tmp_path / "var").glob("views.sqlite*"):
        views.unlink()  # ledger.sqlite restored alone
    missing = cli(settings, "verify", check=False)
    assert missing.returncode == 1, missing.stdout
    assert "balances: empty: it has read none of the ledger's" in missing.stdout
    assert "no discrepancies" not in missing.stdout
    # Rebuilt in two processes (projections.rebuild_split), each folding its own group.
    cli(settings, "projections", "rebuild", "all", "--processes", "2")
    assert "no discrepancies" in cli(settings, "verify").stdout


def test_read_models_further_behind_than_max_lag_fail_verify(tmp_path: Path) -> None:
    settings = Settings(database_url=None, data_dir=tmp_path / "var")
    _post(settings, "R-1")
    cli(settings, "projections", "rebuild", "all")
    _post(settings, "R-2", "R-3")  # no runner follows: the read models fall behind
    within = cli(settings, "verify")
    assert "events behind the head: rows checked up to position" in within.stdout
    behind = cli(settings, "verify", "--max-lag", "1", check=False)
    assert behind.returncode == 1, behind.stdout
    assert "events behind the ledger's head" in behind.stdout
    assert "(more than 1)" in behind.stdout


def test_a_read_model_that_cannot_apply_an_event_shows_failing_and_fails_verify(
    tmp_path: Path,
) -> None:
    settings = Settings(database_url=None, data_dir=tmp_path / "var")
    _post(settings, "R-1")
    with Ledger(settings) as ledger:
        ledger.execute(PostConsumption("C-1", "main", [Line("A", Decimal(1))]), user="u")
        rewrite_movements(
            ledger,
            StockItem.create_id("A", "main"),
            lambda e: {"on_hand_delta": None} if e.document_id == "C-1" else {},
            rehash=False,
        )
    worker = subprocess.Popen(
        [STOCKLEDGER, "projections", "run"],
        env=environment(settings),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until(
            lambda: (
                "cannot apply the event at position"
                in cli(settings, "projections", "status").stdout
            ),
            60,
            "the worker reports failing",
        )
    finally:
        worker.terminate()
        worker.wait(30)
    status = cli(settings, "projections", "status").stdout
    assert "movements: cannot apply the event at position" in status
    assert "on_hand_delta" in status
    caught = cli(settings, "verify", check=False)
    assert caught.returncode == 1
    assert "movements: failing: its runner cannot apply the event at position" in caught.stdout
