"""Supplier invoices (SPEC §14): the three-way match of invoice, receipt and order.

Each invoice line names a receipt line (receipt id, SKU) and bills a quantity at a price.
The receipt's ``ReceiptBilling`` (domain.supplier_invoice) refuses billing more than was
received and not yet billed, and is saved with the invoice. A price that differs from the
receipt's cost posts the difference — the invoice's amount less the receipt's value of the
units billed — as a §10 late cost on that receipt line, now, in the same save
(``StockItem.take_late_cost``, as application.costs does): split between the units still on
hand (REVALUE) and this period's COGS (VARIANCE). A closed period's receipt is never restated.
"""

from __future__ import annotations

from collections import Counter
from decimal import ROUND_HALF_UP, Decimal

from application import commands
from application.costs import receipt_lines
from application.posting import handles
from application.purchasing import supplier_of
from application.work import Work
from domain import bounds
from domain.codes import check_code
from domain.documents import DocumentDetails
from domain.supplier_invoice import BilledLine, ReceiptBilling

ZERO = Decimal(0)


def _rules(command: commands.PostSupplierInvoice) -> None:
    check_code(command.supplier, "supplier")
    bounds.check_lines(command.lines, "too many lines")
    for index, line in enumerate(command.lines):
        check_code(line.receipt_id, f"lines[{index}].receipt_id")
        check_code(line.sku, f"lines[{index}].sku")
        bounds.check_quantity(line.quantity, f"lines[{index}].quantity")
        bounds.check_unit_cost(line.unit_price, f"lines[{index}].unit_price")


def billing_of(work: Work, receipt_id: str, supplier: str) -> ReceiptBilling:
    """The receipt's billing record for this save: taken, or opened from its RECEIVE
    movements for a receipt without a purchase order (404 for an unknown receipt)."""
    found = work.touched.get(ReceiptBilling.create_id(receipt_id)) or work.take(
        ReceiptBilling.create_id(receipt_id)
    )
    if found is None:
        lines = [
            BilledLine(m.sku, m.location, m.quantity, m.value)
            for m in receipt_lines(work, receipt_id)
        ]
        found = ReceiptBilling.open_for(receipt_id, supplier, None, lines)
    assert isinstance(found, ReceiptBilling)
    work.keep(found)
    return found


@handles(commands.PostSupplierInvoice, check=_rules, answers_lines="matched")
def supplier_invoice(command: commands.PostSupplierInvoice, work: Work) -> None:
    """Matches every line, bills each receipt once for all its lines, and posts each line's
    price difference at the receipt line's position (REVALUE of the share still on hand,
    VARIANCE of the rest); the document's lines are the match."""
    supplier_of(work.ledger, command.supplier)
    places, exp = work.places, Decimal(1).scaleb(-work.places)
    per_receipt: dict[str, list[tuple[int, Decimal, str]]] = {}
    invoiced_of: dict[str, list[Decimal]] = {}
    matched: list[tuple[int, ReceiptBilling, int, Decimal, Decimal]] = []
    for number, line in enumerate(command.lines):
        billing = billing_of(work, line.receipt_id, command.supplier)
        measured = work.measure(line.sku, line.quantity, line.unit, f"lines[{number}].unit")
        index = billing.line_of(line.sku, measured.quantity, f"lines[{number}].sku")
        invoiced = (line.quantity * line.unit_price).quantize(exp, ROUND_HALF_UP)
        field = f"lines[{number}].quantity"
        per_receipt.setdefault(line.receipt_id, []).append((index, measured.quantity, field))
        invoiced_of.setdefault(line.receipt_id, []).append(invoiced)
        matched.append((number, billing, index, measured.quantity, invoiced))
    at_cost: dict[int, Decimal] = {}
    for receipt_id, billed in per_receipt.items():
        billing = billing_of(work, receipt_id, command.supplier)
        values = billing.bill(
            command.invoice_id,
            command.supplier,
            billed,
            places,
            work.user,
            work.at,
            invoiced_of[receipt_id],
        )
        numbers = [n for n, b, *_ in matched if b is billing]
        at_cost.update(zip(numbers, values, strict=True))
    for number, billing, index, quantity, invoiced in matched:
        received = billing.lines[index]
        difference = invoiced - at_cost[number]
        if difference:
            item = work.item(received.sku, received.location)
            src = work.src(number, command.note)
            item.take_late_cost(difference, received.received, src, work.at, places)
            work.moved(item)
        work.shipped.append(
            {
                "receipt_id": billing.receipt_id,
                "sku": received.sku,
                "quantity": quantity,
                "receipt_cost": (received.value / received.received).quantize(
                    Decimal("0.000001"), ROUND_HALF_UP
                ),
                "invoice_price": command.lines[number].unit_price,
                "billed_value": at_cost[number],
                "invoiced_value": invoiced,
                "difference": difference,
            }
        )
    first = matched[0][1].lines[matched[0][2]]
    work.details = DocumentDetails(location=first.location)


def grni_totals(rows: list[dict[str, object]]) -> dict[str, Decimal]:
    """The GRNI report's totals over ``rows``: its received, billed and open value."""
    names = ("received_value", "billed_value", "open_value")
    return {name: sum((Decimal(str(row[name])) for row in rows), ZERO) for name in names}


def grni_receipts(rows: list[dict[str, object]]) -> list[dict[str, object]]:
    """The receipts among GRNI ``rows`` (in their order): supplier, receipt, how many of its
    lines are still to bill and their open value."""
    lines: Counter[tuple[object, object]] = Counter()
    value: dict[tuple[object, object], Decimal] = {}
    for row in rows:
        key = (row["supplier"], row["receipt_id"])
        lines[key] += 1
        value[key] = value.get(key, ZERO) + Decimal(str(row["open_value"]))
    return [
        {"supplier": s, "receipt_id": r, "lines": lines[s, r], "open_value": value[s, r]}
        for s, r in value
    ]
