"""Suppliers, purchase orders and receipts against them (SPEC §14), on both backends."""

from __future__ import annotations

import pytest

from application import purchasing
from application.commands import (
    CancelPurchaseOrder,
    OrderLine,
    PostPurchaseOrder,
    PostReceipt,
    ReceiptLine,
)
from application.ledger import Ledger
from domain.errors import UnknownUnitError, ValidationError
from domain.item import ItemSpec, PackUnit
from domain.purchase_order import NotOnOrderError, OverReceiptError, PurchaseOrder
from domain.supplier import SupplierItem, SupplierSpec, UnknownSupplierError
from tests.application import ledger_reports
from tests.application.helpers import USER, D, movements, state


def setup_catalogue(ledger: Ledger) -> None:
    spec = ItemSpec("Tomatoes", "kg", units=(PackUnit("crate", D(6)),))
    ledger.put_item("TOM", spec, user="admin")
    ledger.put_item("OIL", ItemSpec("Oil", "l", units=(PackUnit("can", D(5)),)), user="admin")
    supplier = SupplierSpec(
        "Green Farm", 2, (SupplierItem("TOM", "GF-7", "crate", D("18.00"), True),)
    )
    purchasing.put_supplier(ledger, "GREEN", supplier, "admin")


def post_po(ledger: Ledger, po_id: str = "PO-1", crates: str = "10") -> None:
    lines = [OrderLine("TOM", D(crates), D("18.00"), "crate"), OrderLine("OIL", D(4), D("7.50"))]
    ledger.execute(PostPurchaseOrder(po_id, "GREEN", "main", lines), user=USER)


def order(ledger: Ledger, po_id: str = "PO-1") -> PurchaseOrder:
    return purchasing.purchase_order(ledger, po_id)


def test_a_supplier_is_versioned_and_putting_it_again_records_nothing(ledger: Ledger) -> None:
    setup_catalogue(ledger)
    spec = SupplierSpec("Green Farm", 3, (SupplierItem("TOM", "GF-7", "crate", D(19), True),))
    supplier, saved = purchasing.put_supplier(ledger, "GREEN", spec, "admin")
    assert (saved.version, saved.created) == (2, False) and supplier.spec.lead_time_days == 3
    again, unchanged = purchasing.put_supplier(ledger, "GREEN", spec, "admin")
    assert unchanged.version == 2 and again.spec.lead_time_days == 3
    assert [s.supplier for s in purchasing.suppliers(ledger)] == ["GREEN"]


def test_a_supplier_item_in_a_unit_its_item_lacks_is_refused(ledger: Ledger) -> None:
    setup_catalogue(ledger)
    spec = SupplierSpec("Oils", 1, (SupplierItem("OIL", None, "drum", D(40)),))
    with pytest.raises(UnknownUnitError) as refused:
        purchasing.put_supplier(ledger, "OILCO", spec, "admin")
    assert refused.value.errors == [{"field": "items[0].unit"}]
    assert purchasing.suppliers(ledger)[0].supplier == "GREEN"


def test_a_purchase_order_is_on_order_in_base_units_and_moves_nothing(ledger: Ledger) -> None:
    setup_catalogue(ledger)
    post_po(ledger)
    po = order(ledger)
    assert po.status == "open"
    assert [(line.ordered, po.open_qty(i)) for i, line in enumerate(po.lines)] == [
        (D(60), D(60)),
        (D(4), D(4)),
    ]
    assert movements(ledger, "TOM") == [] and state(ledger, "TOM")[0] == 0
    post_po(ledger)  # the same PO again: one PO
    assert len(ledger_reports.purchase_orders(ledger)) == 1


def test_a_purchase_order_to_an_unknown_supplier_or_in_an_unknown_unit_is_refused(
    ledger: Ledger,
) -> None:
    setup_catalogue(ledger)
    line = OrderLine("TOM", D(1), D(18), "crate")
    with pytest.raises(UnknownSupplierError):
        ledger.execute(PostPurchaseOrder("PO-X", "NOBODY", "main", [line]), user=USER)
    bad = OrderLine("TOM", D(1), D(18), "pallet")
    with pytest.raises(UnknownUnitError) as refused:
        ledger.execute(PostPurchaseOrder("PO-Y", "GREEN", "main", [bad]), user=USER)
    assert refused.value.errors == [{"field": "lines[0].unit"}]
    assert ledger_reports.purchase_orders(ledger) == []


def test_receipts_against_a_po_default_to_its_price_and_drive_its_status(ledger: Ledger) -> None:
    setup_catalogue(ledger)
    post_po(ledger)
    short = [ReceiptLine("TOM", D(4), None, "crate"), ReceiptLine("OIL", D(4), None)]
    result = ledger.execute(PostReceipt("R-1", "main", short, po_id="PO-1"), user=USER)
    assert [m.value for m in result.movements] == [D("72.00"), D("30.00")]
    po = order(ledger)
    assert po.status == "partially_received" and po.open_qty(0) == D(36)
    # In base units: 6 kg at the PO's price per kg (18 / 6 = 3.00).
    kilos = [ReceiptLine("TOM", D(6), None)]
    result = ledger.execute(PostReceipt("R-2", "main", kilos, po_id="PO-1"), user=USER)
    assert result.movements[0].value == D("18.00")
    rest = [ReceiptLine("TOM", D(5), D("19.00"), "crate")]
    ledger.execute(PostReceipt("R-3", "main", rest, po_id="PO-1"), user=USER)
    assert order(ledger).status == "received"
    on_hand, _, value = state(ledger, "TOM")
    assert (on_hand, value) == (D(60), D("185.00"))


def test_over_receipt_is_refused_naming_the_line_and_records_nothing(ledger: Ledger) -> None:
    setup_catalogue(ledger)
    post_po(ledger)
    lines = [ReceiptLine("OIL", D(1), None), ReceiptLine("TOM", D(11), None, "crate")]
    with pytest.raises(OverReceiptError) as refused:
        ledger.execute(PostReceipt("R-1", "main", lines, po_id="PO-1"), user=USER)
    assert refused.value.errors[0]["field"] == "lines[1].quantity"
    assert movements(ledger, "OIL") == [] and order(ledger).status == "open"


def test_a_receipt_line_not_on_the_order_is_refused(ledger: Ledger) -> None:
    setup_catalogue(ledger)
    post_po(ledger)
    lines = [ReceiptLine("SALT", D(1), D(1))]
    with pytest.raises(NotOnOrderError) as refused:
        ledger.execute(PostReceipt("R-1", "main", lines, po_id="PO-1"), user=USER)
    assert refused.value.errors == [{"field": "lines[0].sku"}]


def test_a_receipt_without_a_po_still_needs_its_unit_cost(ledger: Ledger) -> None:
    with pytest.raises(ValidationError) as refused:
        ledger.execute(PostReceipt("R-1", "main", [ReceiptLine("TOM", D(1), None)]), user=USER)
    assert refused.value.errors == [{"field": "lines[0].unit_cost"}]


def test_cancelling_keeps_what_was_received_and_ends_what_is_open(ledger: Ledger) -> None:
    setup_catalogue(ledger)
    post_po(ledger)
    part = [ReceiptLine("TOM", D(2), None, "crate")]
    ledger.execute(PostReceipt("R-1", "main", part, po_id="PO-1"), user=USER)
    first = ledger.execute(CancelPurchaseOrder("PO-1"), user=USER)
    again = ledger.execute(CancelPurchaseOrder("PO-1"), user=USER)
    assert first.created and not again.created and first.position == again.position
    po = order(ledger)
    assert po.status == "cancelled" and po.lines[0].received == D(12) and po.open_qty(0) == 0
    with pytest.raises(OverReceiptError):
        ledger.execute(PostReceipt("R-2", "main", part, po_id="PO-1"), user=USER)
    assert [p.po_id for p in ledger_reports.purchase_orders(ledger, status="cancelled")] == ["PO-1"]
