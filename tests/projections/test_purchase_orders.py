"""The purchase_orders read model: replay equals live, verify passes, what it says is on
order equals what the orders themselves say, and the list selects by status and supplier;
GRNI from the billing read model equals the billing records' own; on both backends."""

from __future__ import annotations

from decimal import Decimal

from application.commands import (
    CancelPurchaseOrder,
    InvoiceLine,
    PostReceipt,
    PostSupplierInvoice,
    ReceiptLine,
)
from application.ledger import Ledger
from projections.service import ReadModels
from tests.application import ledger_reports
from tests.application.test_purchasing import post_po, setup_catalogue
from tests.projections.conftest import folded_rows, live_rows
from tests.projections.test_food_cost import caught_up

D = Decimal


def on_order_of_the_orders(ledger: Ledger) -> dict[tuple[str, str], Decimal]:
    """What is on order per (SKU, location), summed from every order aggregate."""
    found: dict[tuple[str, str], Decimal] = {}
    for order in ledger_reports.purchase_orders(ledger):
        for index, line in enumerate(order.lines):
            key = (line.sku, order.location)
            found[key] = found.get(key, D(0)) + order.open_qty(index)
    return {key: quantity for key, quantity in found.items() if quantity}


def test_orders_replay_as_folded_and_what_is_on_order_matches_the_orders(
    ledger: Ledger, models: ReadModels
) -> None:
    setup_catalogue(ledger)
    for po_id in ("PO-1", "PO-2", "PO-3", "PO-4"):
        post_po(ledger, po_id)  # 10 crates (60 kg) of TOM and 4 l of OIL at main
    part = [ReceiptLine("TOM", D(12), None), ReceiptLine("OIL", D("1.5"), None)]
    ledger.execute(PostReceipt("R-1", "main", part, po_id="PO-1"), user="r")
    ledger.execute(PostReceipt("R-2", "main", part[:1], po_id="PO-2"), user="r")
    ledger.execute(CancelPurchaseOrder("PO-2"), user="r")
    whole = [ReceiptLine("TOM", D(60), None), ReceiptLine("OIL", D(4), None)]
    ledger.execute(PostReceipt("R-3", "main", whole, po_id="PO-3"), user="r")
    caught_up(models)

    assert live_rows(models, "purchase_orders") == folded_rows(
        ledger, models.projections["purchase_orders"]
    )
    assert models.verify().ok
    found, position = models.purchase_orders.on_order()
    assert {key: quantity for key, quantity in found.items() if quantity} == (
        on_order_of_the_orders(ledger)
    )
    # PO-1: 60 − 12 kg and 4 − 1.5 l; PO-4: 60 kg and 4 l; PO-2 cancelled, PO-3 received.
    assert found == {("TOM", "main"): D(108), ("OIL", "main"): D("6.5")}
    assert position == ledger.head()
    assert models.purchase_orders.on_order("elsewhere")[0] == {}

    def listed(status: str | None, supplier: str | None = None) -> list[str]:
        return models.purchase_orders.po_ids(status, supplier)[0]

    assert listed(None) == ["PO-1", "PO-2", "PO-3", "PO-4"]
    assert listed("open") == ["PO-4"]
    assert listed("partially_received") == ["PO-1"]
    assert listed("cancelled") == ["PO-2"] and listed("received") == ["PO-3"]
    assert listed(None, "GREEN") == listed(None) and listed(None, "OTHER") == []
    # What suggestions read of the balances beside it: available per position, one query.
    page = models.stock.page(None, None, 1000, None)
    available, at = models.stock.available()
    assert available == {(b.sku, b.location): b.available for b in page.items}
    assert available[("TOM", "main")] == D(84) and at == page.position
    assert models.stock.available("elsewhere")[0] == {}
    for status in ("open", "partially_received", "received", "cancelled"):
        expected = [o.po_id for o in ledger_reports.purchase_orders(ledger, status=status)]
        assert listed(status) == expected


def test_grni_from_the_billing_read_model_equals_the_billing_records(
    ledger: Ledger, models: ReadModels
) -> None:
    """GRNI from the ``billing`` read model (the API's and the console's) equals the report
    computed from the receipts' billing records themselves, row for row."""
    setup_catalogue(ledger)
    post_po(ledger)
    post_po(ledger, "PO-2", crates="3")
    got = [ReceiptLine("TOM", D(8), None, "crate"), ReceiptLine("OIL", D(4), None)]
    ledger.execute(PostReceipt("R-1", "main", got, po_id="PO-1"), user="r")
    three = [ReceiptLine("TOM", D(3), None, "crate")]
    ledger.execute(PostReceipt("R-2", "main", three, po_id="PO-2"), user="r")
    ledger.execute(PostReceipt("R-3", "main", [ReceiptLine("TOM", D(6), D(3))]), user="r")
    bill = [
        InvoiceLine("R-1", "TOM", D(3), D("18.50"), "crate"),
        InvoiceLine("R-3", "TOM", D(2), D(3)),
    ]
    ledger.execute(PostSupplierInvoice("INV-1", "GREEN", bill), user="fin")
    whole = [InvoiceLine("R-2", "TOM", D(3), D(18), "crate")]
    ledger.execute(PostSupplierInvoice("INV-2", "GREEN", whole), user="fin")  # R-2 billed in full
    caught_up(models)

    assert live_rows(models, "billing") == folded_rows(ledger, models.projections["billing"])
    for supplier in (None, "GREEN", "OTHER"):
        rows, position = models.billing.grni(supplier)
        assert rows == ledger_reports.grni(ledger, supplier)[0]
        assert position == ledger.head()
    rows, _ = models.billing.grni()
    assert [(r["receipt_id"], r["sku"], r["open_qty"]) for r in rows] == [
        ("R-1", "TOM", D(30)),
        ("R-1", "OIL", D(4)),
        ("R-3", "TOM", D(4)),
    ]
