"""Supplier invoices matched to receipts (SPEC §14): billed ≤ received − billed, a price
difference posted as a §10 late cost in the same save, GRNI to the cent; both backends."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from application.commands import InvoiceLine, PostReceipt, PostSupplierInvoice, ReceiptLine
from application.ledger import Ledger
from application.periods import ClosePeriod
from domain.supplier import UnknownSupplierError
from domain.supplier_invoice import OverBilledError
from tests.application import ledger_reports
from tests.application.helpers import USER, D, movements, state
from tests.application.test_purchasing import post_po, setup_catalogue


def received(ledger: Ledger) -> None:
    """PO-1 (10 crates of tomatoes at 18.00, 4 l oil at 7.50); 8 crates and the oil came."""
    setup_catalogue(ledger)
    post_po(ledger)
    lines = [ReceiptLine("TOM", D(8), None, "crate"), ReceiptLine("OIL", D(4), None)]
    ledger.execute(PostReceipt("R-1", "main", lines, po_id="PO-1"), user=USER)


def invoice(ledger: Ledger, invoice_id: str, *lines: InvoiceLine) -> dict[str, object]:
    result = ledger.execute(PostSupplierInvoice(invoice_id, "GREEN", lines), user="fin")
    return {"movements": result.movements, "matched": result.extra["matched"]}


def grni(ledger: Ledger) -> dict[tuple[str, str], tuple[object, ...]]:
    rows, _ = ledger_reports.grni(ledger, "GREEN")
    return {(str(r["receipt_id"]), str(r["sku"])): (r["open_qty"], r["open_value"]) for r in rows}


def test_a_receipt_against_a_po_is_received_not_invoiced_until_billed(ledger: Ledger) -> None:
    received(ledger)
    assert grni(ledger) == {("R-1", "TOM"): (D(48), D("144.00")), ("R-1", "OIL"): (D(4), D(30))}
    answer = invoice(ledger, "INV-1", InvoiceLine("R-1", "TOM", D(3), D(18), "crate"))
    assert answer["movements"] == []  # the same price: nothing to post
    assert answer["matched"][0]["difference"] == 0
    assert grni(ledger)[("R-1", "TOM")] == (D(30), D("90.00"))


def test_a_price_increase_posts_its_difference_on_the_receipt_now(ledger: Ledger) -> None:
    received(ledger)
    ledger.execute(
        PostReceipt("R-X", "main", [ReceiptLine("SALT", D(1), D(1))]), user=USER
    )  # noise
    answer = invoice(ledger, "INV-1", InvoiceLine("R-1", "TOM", D(8), D("18.50"), "crate"))
    (moved,) = answer["movements"]  # all 48 kg still on hand: all to stock
    assert (moved.kind, moved.value) == ("REVALUE", D("4.00"))
    assert answer["matched"][0]["difference"] == D("4.00")
    assert state(ledger, "TOM")[2] == D("148.00")
    assert ("R-1", "TOM") not in grni(ledger)  # billed in full at the receipt's cost


def test_billing_more_than_was_received_and_not_billed_is_refused(ledger: Ledger) -> None:
    received(ledger)
    invoice(ledger, "INV-1", InvoiceLine("R-1", "TOM", D(5), D(18), "crate"))
    with pytest.raises(OverBilledError) as refused:
        invoice(
            ledger,
            "INV-2",
            InvoiceLine("R-1", "OIL", D(1), D(7)),
            InvoiceLine("R-1", "TOM", D(19), D(3)),
        )
    assert refused.value.errors[0]["field"] == "lines[1].quantity"
    assert grni(ledger)[("R-1", "OIL")] == (D(4), D(30))  # nothing recorded


def test_an_unknown_supplier_or_another_suppliers_receipt_is_refused(ledger: Ledger) -> None:
    received(ledger)
    line = InvoiceLine("R-1", "TOM", D(1), D(3))
    with pytest.raises(UnknownSupplierError):
        ledger.execute(PostSupplierInvoice("INV-1", "NOBODY", [line]), user="fin")


def test_an_invoice_on_a_closed_periods_receipt_posts_its_difference_now(
    timed_ledger: Ledger, clock: object
) -> None:
    ledger = timed_ledger
    received(ledger)
    used = [ReceiptLine("TOM", D(1), D(1))]  # another receipt to keep the period alive
    ledger.execute(PostReceipt("R-2", "main", used), user=USER)
    clock.advance(days=40)  # type: ignore[attr-defined]
    ledger.close_period(ClosePeriod("2025-03"), user="fin")
    answer = invoice(ledger, "INV-1", InvoiceLine("R-1", "OIL", D(4), D(8)))
    (moved,) = answer["movements"]
    assert moved.value == D("2.00") and moved.recorded_at > datetime(2025, 4, 1, tzinfo=UTC)
    assert [m.kind for m in movements(ledger, "OIL")] == ["RECEIVE", "REVALUE"]


def test_an_invoice_is_idempotent_by_id(ledger: Ledger) -> None:
    received(ledger)
    line = InvoiceLine("R-1", "TOM", D(2), D(19), "crate")
    first = ledger.execute(PostSupplierInvoice("INV-1", "GREEN", [line]), user="fin")
    again = ledger.execute(PostSupplierInvoice("INV-1", "GREEN", [line]), user="fin")
    assert first.created and not again.created
    assert again.extra["matched"] == first.extra["matched"]
    assert grni(ledger)[("R-1", "TOM")] == (D(36), D("108.00"))
