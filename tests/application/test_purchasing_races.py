"""Receipts racing for a purchase order's last open units (SPEC §14), PostgreSQL, threads."""

from __future__ import annotations

import pytest

from application import purchasing
from application.commands import PostReceipt, ReceiptLine
from application.ledger import Ledger
from application.settings import Settings
from domain.purchase_order import OverReceiptError
from tests.application.helpers import USER, D, state
from tests.application.test_concurrency import WORKERS, race
from tests.application.test_purchasing import post_po, setup_catalogue

pytestmark = pytest.mark.postgres


def test_receipts_racing_for_the_last_open_quantity_never_over_receive(
    pg_settings: Settings,
) -> None:
    with Ledger(pg_settings) as setup:
        setup_catalogue(setup)
        post_po(setup, crates="3")  # 18 kg of tomatoes on order

    def act(ledger: Ledger, n: int) -> str:
        lines = [ReceiptLine("TOM", D(1), None, "crate")]  # 6 kg each
        try:
            ledger.execute(PostReceipt(f"R-{n}", "main", lines, po_id="PO-1"), user=USER)
        except OverReceiptError:
            return "over_receipt"
        return "received"

    outcomes = race(pg_settings, act)
    assert outcomes.count("received") == 3
    assert outcomes.count("over_receipt") == WORKERS - 3
    with Ledger(pg_settings) as check:
        po = purchasing.purchase_order(check, "PO-1")
        assert po.lines[0].received == D(18) and po.open_qty(0) == 0
        assert state(check, "TOM")[0] == D(18)
        assert len(po.receipts) == 3
