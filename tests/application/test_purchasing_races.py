"""Receipts racing for a purchase order's last open units (SPEC §14), PostgreSQL, threads."""

from __future__ import annotations

import pytest

from application import purchasing
from application.commands import InvoiceLine, PostReceipt, PostSupplierInvoice, ReceiptLine
from application.ledger import Ledger
from application.settings import Settings
from domain.purchase_order import OverReceiptError
from domain.supplier_invoice import OverBilledError
from tests.application import ledger_reports
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


def test_invoices_racing_for_one_receipt_line_never_over_bill(pg_settings: Settings) -> None:
    with Ledger(pg_settings) as setup:
        setup_catalogue(setup)
        post_po(setup, crates="3")
        lines = [ReceiptLine("TOM", D(3), None, "crate")]  # 18 kg received, not billed
        setup.execute(PostReceipt("R-1", "main", lines, po_id="PO-1"), user=USER)
        # A receipt without a PO: its billing record is made by the first invoice.
        setup.execute(PostReceipt("R-2", "main", [ReceiptLine("TOM", D(5), D(3))]), user=USER)

    def act(ledger: Ledger, n: int) -> str:
        receipt = "R-1" if n % 2 else "R-2"
        line = InvoiceLine(receipt, "TOM", D(4), D("3.10"))  # 4 kg at 3.10
        try:
            ledger.execute(PostSupplierInvoice(f"INV-{n}", "GREEN", [line]), user="fin")
        except OverBilledError:
            return "over_billed"
        return "billed"

    outcomes = race(pg_settings, act)
    assert outcomes.count("billed") == 4 + 1  # 18 kg: four of 4 kg; 5 kg: one
    assert outcomes.count("over_billed") == WORKERS - 5
    with Ledger(pg_settings) as check:
        rows, _ = ledger_reports.grni(check, "GREEN")
        billed = {str(row["receipt_id"]): row["billed_qty"] for row in rows}
        assert billed == {"R-1": D(16), "R-2": D(4)}
        # Each billed invoice posted its 0.40 difference once: 5 × 0.40 on top of the cost.
        assert state(check, "TOM")[2] == D("54.00") + D("15.00") + D("2.00")
