"""Issue 35.5: `stockledger demo` on a store with data says what to do instead, and adds
its history only with --force."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from application.commands import PostReceipt, ReceiptLine
from application.ledger import Ledger
from application.settings import Settings
from tests.e2e.conftest import cli


def test_demo_refuses_a_store_with_data_naming_the_ways_out_and_force_adds_to_it(
    tmp_path: Path,
) -> None:
    store = Settings(database_url=None, data_dir=tmp_path / "var")
    with Ledger(store) as ledger:
        ledger.execute(
            PostReceipt("R-1", "main", [ReceiptLine("OWN-1", Decimal(3), Decimal(2))]), user="me"
        )
        head = ledger.head()
    refused = cli(store, "demo", "--skus", "2", "--days", "2", check=False)
    assert refused.returncode == 1
    said = " ".join(refused.stderr.split())
    assert "already holds movements" in said and "--force" in said and "--tenant" in said
    with Ledger(store) as ledger:
        assert ledger.head() == head
    forced = cli(store, "demo", "--skus", "2", "--days", "2", "--force")
    assert "documents up to position" in forced.stdout
    with Ledger(store) as ledger:
        assert ledger.head() > head
