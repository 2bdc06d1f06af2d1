"""Reports computed from the ledger's aggregates alone: the references the read models'
answers (projections.purchase_orders, projections.billing) are tested against."""

from __future__ import annotations

from application.collected import collected
from application.ledger import Ledger
from domain.purchase_order import PurchaseOrder
from domain.supplier_invoice import ReceiptBilling


def purchase_orders(
    ledger: Ledger, status: str | None = None, supplier: str | None = None
) -> list[PurchaseOrder]:
    """Purchase orders in posting order, filtered by status and supplier."""
    ids = collected(ledger, {PurchaseOrder.Created.TOPIC}, lambda e: e.po_id)
    orders = []
    for po_id in ids:
        order = ledger.get(PurchaseOrder, PurchaseOrder.create_id(po_id))
        if order is None or (supplier is not None and order.supplier != supplier):
            continue
        if status is None or order.status == status:
            orders.append(order)
    return orders


def grni(ledger: Ledger, supplier: str | None = None) -> tuple[list[dict[str, object]], int]:
    """Goods received not invoiced per (supplier, receipt, SKU) at the receipts' cost, to the
    cent, and the position read: every receipt with a billing record (those against a PO
    from their receipt on, the others from their first invoice). Computed from the billing
    records themselves: the reference that the API's and the console's report, from the
    ``billing`` read model (``BillingView.grni``), is tested against."""
    rows: list[dict[str, object]] = []
    position = 0
    receipts = sorted(collected(ledger, {ReceiptBilling.Created.TOPIC}, lambda e: e.receipt_id))
    for receipt_id in receipts:
        billing = ledger.get(ReceiptBilling, ReceiptBilling.create_id(receipt_id))
        if billing is None or (supplier is not None and billing.supplier != supplier):
            continue
        (at,) = ledger.positions([(billing.id, billing.version)])
        position = max(position, at)
        for line in billing.lines:
            if line.open == 0 and line.value == line.billed_value:
                continue  # billed in full: no longer received-not-invoiced
            rows.append(
                {
                    "supplier": billing.supplier,
                    "receipt_id": receipt_id,
                    "sku": line.sku,
                    "received_qty": line.received,
                    "received_value": line.value,
                    "billed_qty": line.billed,
                    "billed_value": line.billed_value,
                    "open_qty": line.open,
                    "open_value": line.value - line.billed_value,
                }
            )
    rows.sort(key=lambda row: (str(row["supplier"]), str(row["receipt_id"])))
    return rows, position
