"""The purchase_orders read model: replay equals live, verify passes, what it says is on
order equals what the orders themselves say, and the list selects by status and supplier, on
both backends."""

from __future__ import annotations

from decimal import Decimal

from application import purchasing
from application.commands import CancelPurchaseOrder, PostReceipt, ReceiptLine
from application.ledger import Ledger
from projections.service import ReadModels
from tests.application.test_purchasing import post_po, setup_catalogue
from tests.projections.conftest import folded_rows, live_rows
from tests.projections.test_food_cost import caught_up

D = Decimal


def on_order_of_the_orders(ledger: Ledger) -> dict[tuple[str, str], Decimal]:
    """What is on order per (SKU, location), summed from every order aggregate."""
    found: dict[tuple[str, str], Decimal] = {}
    for order in purchasing.purchase_orders(ledger):
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
        expected = [o.po_id for o in purchasing.purchase_orders(ledger, status=status)]
        assert listed(status) == expected
