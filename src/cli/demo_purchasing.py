"""The demo restaurant group's purchasing (SPEC §14): three suppliers deliver the main store
weekly, each delivery ordered first (a purchase order per supplier), received against its
order and invoiced (the cash & carry a week late, so its last delivery is received not
invoiced). The greengrocer's first delivery is short (its lettuce stays on order
until the next week's PO is posted and the short one is cancelled); the butcher's second
invoice bills the beef at 5 % more than ordered, so the difference posts as a late cost.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from application import purchasing
from application.commands import (
    CancelPurchaseOrder,
    Command,
    InvoiceLine,
    OrderLine,
    PostPurchaseOrder,
    PostReceipt,
    PostSupplierInvoice,
    ReceiptLine,
)
from application.ledger import Ledger
from application.records import CommandResult
from domain.supplier import SupplierItem, SupplierSpec

Run = Callable[[Command, str], CommandResult | None]

# supplier -> (name, lead time in days, the SKUs it sells (the restaurant's ingredients))
SUPPLIERS = {
    "BUTCHER": ("Hill Farm Butchers", 2, ("R-BEEF", "R-CHEDDAR", "R-MOZZA")),
    "GREENS": ("Market Greens", 1, ("R-LETTUCE", "R-POTATO", "R-TOMATO", "R-ONION", "R-LIME")),
    "DRY": (
        "Cash & Carry",
        3,
        ("R-BUN", "R-FLOUR", "R-OIL", "R-GIN", "R-TONIC", "R-TRUFFLE"),
    ),
}
SHORT_SKU = "R-LETTUCE"  # the greengrocer's first delivery brings half of it
RAISED_SKU, RAISE = "R-BEEF", Decimal("1.05")  # the butcher's second invoice: +5 %
LATE_BILLER = "DRY"  # invoices each delivery with the next one


class Orders:
    """Weekly purchase orders, receipts against them and supplier invoices."""

    def __init__(self, ledger: Ledger, run: Run, new_id: Callable[[str], str]) -> None:
        self.ledger = ledger
        self.run = run
        self.new_id = new_id
        self.week = 0
        self.short: str | None = None  # the PO left partly open by the short delivery
        # The cash & carry bills a week late: its last delivery shows in GRNI.
        self.late: tuple[str, str, list[ReceiptLine], list[ReceiptLine]] | None = None

    def suppliers(self, packs: dict[str, tuple[str, Decimal]]) -> None:
        """The three suppliers, each SKU sold in its pack unit at its opening price
        (``packs``: sku -> (pack unit, price per pack)); each the SKU's preferred one."""
        for code, (name, lead, skus) in SUPPLIERS.items():
            items = []
            for n, sku in enumerate(skus):
                unit, price = packs.get(sku, (None, None))
                items.append(SupplierItem(sku, f"{code[:2]}-{n}", unit, price, True))
            spec = SupplierSpec(name, lead, tuple(items))
            purchasing.put_supplier(self.ledger, code, spec, "admin")

    def deliver(self, lines: list[ReceiptLine], note: str) -> None:
        """This week's delivery to the main store: per supplier a PO of ``lines`` (packs at
        this week's prices), the receipt against it (short once), the invoice."""
        self.week += 1
        if self.short is not None:  # what never came is no longer expected
            self.run(CancelPurchaseOrder(self.short), "alice")
            self.short = None
        for code, (_, _, skus) in SUPPLIERS.items():
            ordered = [line for line in lines if line.sku in skus]
            if not ordered:
                continue
            po_id = self.new_id("PO")
            order = [
                OrderLine(line.sku, line.quantity, line.unit_cost or Decimal(0), line.unit)
                for line in ordered
            ]
            if self.run(PostPurchaseOrder(po_id, code, "main", order), "alice") is None:
                continue
            received = [
                ReceiptLine(line.sku, self._delivered(code, line), None, line.unit)
                for line in ordered
            ]
            receipt_id = self.new_id("RR")
            command = PostReceipt(receipt_id, "main", received, note, po_id)
            if self.run(command, "alice") is None:
                continue
            if any(r.quantity != o.quantity for r, o in zip(received, ordered, strict=True)):
                self.short = po_id
            if code == LATE_BILLER:
                if self.late is not None:
                    self._invoice(*self.late)
                self.late = (code, receipt_id, received, ordered)
            else:
                self._invoice(code, receipt_id, received, ordered)

    def _delivered(self, code: str, line: ReceiptLine) -> Decimal:
        if self.week == 1 and code == "GREENS" and line.sku == SHORT_SKU:
            return max(Decimal(1), (line.quantity / 2).to_integral_value())
        return line.quantity

    def _invoice(
        self, code: str, receipt_id: str, received: list[ReceiptLine], ordered: list[ReceiptLine]
    ) -> None:
        lines = []
        for got, line in zip(received, ordered, strict=True):
            price = line.unit_cost or Decimal(0)
            if self.week == 2 and line.sku == RAISED_SKU:
                price = (price * RAISE).quantize(Decimal("0.01"))
            lines.append(InvoiceLine(receipt_id, line.sku, got.quantity, price, line.unit))
        invoice = PostSupplierInvoice(self.new_id("INV"), code, lines, "weekly invoice")
        self.run(invoice, "finance")
