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

ZERO = Decimal(0)
HEADER = ""  # the ``invoice`` of a receipt line's own row


class Billing(Projection):
    NAME = "billing"
    VERSION = 2
    TOPICS = BILLING_TOPICS
    COLUMNS = (
        Column("billing", "text"),
        Column("line", "int"),
        Column("invoice", "text"),
        Column("receipt_id", "text"),
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
    INDEXES = (("period", "location"),)

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
