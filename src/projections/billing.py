"""``billing``: what supplier invoices billed of each receipt line (SPEC §14), per invoice,
for the general-ledger journal's Dr grni / Cr payables (SPEC §15).

It folds the ``ReceiptBilling`` events. A ``Created`` writes one row per receipt line with
no invoice (``invoice`` is ''): the line's SKU and location, which a ``Billed`` event does
not repeat (it names lines by index). A ``Billed`` writes, per line it bills, the row
(billing, line, invoice): the base quantity and the value at the receipt's cost it billed,
the ``difference`` the invoice charged beyond that value (what its REVALUE/VARIANCE
credited to grni; 0 for a ``Billed`` recorded before events carried it), and the period
of its recording time in the ledger's zone (as the movements' periods).
The values are the ones the event recorded, so the read model is exact and rebuilds to the
same rows.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from domain.rollforward import period_of
from domain.supplier_invoice import BILLING_TOPICS, ReceiptBilling
from projections.base import Column, Key, Projection, Rows
from projections.live_read import View, equal_to, select_live

ZERO = Decimal(0)
HEADER = ""  # the ``invoice`` of a receipt line's own row


class Billing(Projection):
    NAME = "billing"
    VERSION = 3
    TOPICS = BILLING_TOPICS
    COLUMNS = (
        Column("billing", "text"),
        Column("line", "int"),
        Column("invoice", "text"),
        Column("receipt_id", "text"),
        Column("supplier", "text"),
        Column("sku", "text"),
        Column("location", "text"),
        Column("period", "text", True),
        Column("recorded_at", "time", True),
        Column("quantity", "num"),
        Column("value", "num"),
        Column("difference", "num"),
        Column("position", "int"),
    )
    KEY = ("billing", "line", "invoice")
    INDEXES = (("period", "location"), ("supplier", "receipt_id"))

    def keys_of(self, event: Any, position: int) -> list[Key]:
        billing = str(event.originator_id)
        if isinstance(event, ReceiptBilling.Created):
            return [(billing, n, HEADER) for n in range(len(event.lines))]
        lines = sorted({int(line[0]) for line in event.lines})
        return [(billing, n, HEADER) for n in lines] + [
            (billing, n, event.invoice_id) for n in lines
        ]

    def fold(self, rows: Rows, event: Any, position: int) -> None:
        billing = str(event.originator_id)
        if isinstance(event, ReceiptBilling.Created):
            for n, line in enumerate(event.lines):
                rows[(billing, n, HEADER)] = {
                    "billing": billing,
                    "line": n,
                    "invoice": HEADER,
                    "receipt_id": event.receipt_id,
                    "supplier": event.supplier,
                    "sku": line["sku"],
                    "location": line["location"],
                    "period": None,
                    "recorded_at": None,
                    "quantity": Decimal(line["received"]),
                    "value": Decimal(line["value"]),
                    "difference": ZERO,
                    "position": position,
                }
            return
        differences = getattr(event, "differences", None) or [ZERO] * len(event.lines)
        for (index, quantity, value), difference in zip(event.lines, differences, strict=True):
            header = rows[(billing, int(index), HEADER)]
            key = (billing, int(index), event.invoice_id)
            row = rows.get(key)
            if row is None:  # an invoice may bill one receipt line from several of its lines
                row = rows[key] = {
                    **header,
                    "invoice": event.invoice_id,
                    "period": period_of(event.timestamp, self.zone),
                    "recorded_at": event.timestamp,
                    "quantity": ZERO,
                    "value": ZERO,
                    "difference": ZERO,
                    "position": position,
                }
            row["quantity"] += Decimal(quantity)
            row["value"] += Decimal(value)
            row["difference"] += Decimal(difference)


class BillingView(View[Billing]):
    def grni(
        self, supplier: str | None = None, receipt_id: str | None = None
    ) -> tuple[list[dict[str, object]], int]:
        """Goods received not invoiced per (supplier, receipt, receipt line) at the receipts'
        cost, and the position it answers from: each receipt line's own row against the sum
        of what invoices billed of it; a line billed in full at its value is left out."""
        where, params = equal_to(supplier=supplier, receipt_id=receipt_id)
        rows, position = select_live(
            self.db, self.projection, " AND ".join(["1 = 1", *where]), params
        )
        billed: dict[tuple[str, int], list[Decimal]] = {}
        for row in rows:
            if row["invoice"] != HEADER:
                sums = billed.setdefault((row["billing"], row["line"]), [ZERO, ZERO])
                sums[0] += row["quantity"]
                sums[1] += row["value"]
        found = []
        for row in rows:
            if row["invoice"] != HEADER:
                continue
            quantity, value = billed.get((row["billing"], row["line"]), (ZERO, ZERO))
            if row["quantity"] - quantity == 0 and row["value"] == value:
                continue  # billed in full: no longer received-not-invoiced
            found.append((row["supplier"], row["receipt_id"], row["line"], row, quantity, value))
        found.sort(key=lambda f: (f[0], f[1], f[2]))
        return [_grni_row(row, quantity, value) for *_, row, quantity, value in found], position


def _grni_row(row: dict[str, Any], quantity: Decimal, value: Decimal) -> dict[str, object]:
    return {
        "supplier": row["supplier"],
        "receipt_id": row["receipt_id"],
        "sku": row["sku"],
        "received_qty": row["quantity"],
        "received_value": row["value"],
        "billed_qty": quantity,
        "billed_value": value,
        "open_qty": row["quantity"] - quantity,
        "open_value": row["value"] - value,
    }
