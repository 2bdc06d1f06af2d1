"""`stockledger verify` with and without the ledger key, after a superuser rewrite."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from application.commands import Line, PostConsumption, PostReceipt, ReceiptLine
from application.ledger import Ledger
from application.settings import Settings
from domain.stock_item import StockItem
from tests.e2e.conftest import cli
from tests.tamper import rewrite_movements

KEY = "e2e-ledger-key-" + "x" * 40


def test_verify_with_the_key_exits_1_on_a_rewrite_and_never_prints_the_key(
    tmp_path: Path,
) -> None:
    keyed = Settings(database_url=None, data_dir=tmp_path / "var", ledger_key=KEY)
    bare = Settings(database_url=None, data_dir=tmp_path / "var")
    with Ledger(keyed) as ledger:
        ledger.execute(
            PostReceipt("r-1", "main", [ReceiptLine("A", Decimal(5), Decimal(2))]), user="u"
        )
        ledger.execute(PostConsumption("c-1", "main", [Line("A", Decimal(1))]), user="u")
    cli(keyed, "projections", "rebuild", "all")
    clean = cli(keyed, "verify")
    assert "no discrepancies" in clean.stdout

    with Ledger(keyed) as ledger:
        item = StockItem.create_id("A", "main")
        rewrite_movements(ledger, item, lambda e: {"user": "mallory"})
    cli(keyed, "projections", "rebuild", "all")
    caught = cli(keyed, "verify", check=False)
    assert caught.returncode == 1
    assert "anchor broken" in caught.stdout and "MAC does not match" in caught.stdout
    unkeyed = cli(bare, "verify", check=False)
    assert unkeyed.returncode == 0
    assert "anchor not checked" in unkeyed.stdout
    for run in (clean, caught, unkeyed):
        assert KEY not in run.stdout + run.stderr
