"""What a receipt has been billed (SPEC §14): the three-way match's state.

A ``ReceiptBilling`` (one per receipt) holds, per receipt line, what was received (base
units and value at the receipt's cost) and what supplier invoices have billed of it. A
receipt against a purchase order creates it in its own save (its supplier is the PO's); a
receipt without one gets it with its first invoice. An invoice saves it with its document,
so two invoices racing for one receipt line cannot both pass: the second runs again on
fresh state and is refused (``OverBilledError``) — a line is never billed beyond what was
received.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from domain.errors import DomainError, ValidationError
from domain.money import Money
from domain.recorded import Named, Recorded

ZERO = Decimal(0)


class OverBilledError(DomainError):
    """An invoice line bills more than was received and not yet billed (409)."""


@dataclass(frozen=True)
class BilledLine:
    """A receipt line: ``received`` base units worth ``value``; ``billed`` of them billed,
    worth ``billed_value`` at the receipt's cost."""

    sku: str
    location: str
    received: Decimal
    value: Decimal
    billed: Decimal = ZERO
    billed_value: Decimal = ZERO

    @property
    def open(self) -> Decimal:
        return self.received - self.billed

    def value_at_cost(self, quantity: Decimal, places: int) -> Decimal:
        """The receipt's value of ``quantity`` more units billed: the billed total's share
        of the line's value, rounded, less what was billed before (so a line billed in
        full is billed at exactly its value)."""
        billed = self.billed + quantity
        if billed == self.received:
            return self.value - self.billed_value
        exp = Decimal(1).scaleb(-places)
        total = (self.value * billed / self.received).quantize(exp, ROUND_HALF_UP)
        return total - self.billed_value

    @classmethod
    def read(cls, data: dict[str, Any]) -> BilledLine:
        return cls(
            data["sku"],
            data["location"],
            Decimal(data["received"]),
            Decimal(data["value"]),
            Decimal(data.get("billed", ZERO)),
            Decimal(data.get("billed_value", ZERO)),
        )


class ReceiptBilling(Named, id_prefix="receipt_billing"):
    """A receipt's lines and what supplier invoices billed of them."""

    TOPIC = "stockledger:ReceiptBilling"

    class Created(Recorded.Created):
        receipt_id: str
        supplier: str
        po_id: str | None
        lines: list[dict[str, Any]]

    class Billed(Recorded.Event):
        """``invoice_id`` billed [[line index, base quantity, value at receipt cost], …];
        ``differences`` (one per line, absent from events recorded before it) is what the
        invoice charged more than that value, the amount its REVALUE/VARIANCE posted."""

        invoice_id: str
        lines: list[list[Any]]
        user: str
        differences: list[str]

        def apply(self, aggregate: Any) -> None:
            for index, quantity, value in self.lines:
                line = aggregate.lines[index]
                aggregate.lines[index] = replace(
                    line,
                    billed=line.billed + Decimal(quantity),
                    billed_value=line.billed_value + Decimal(value),
                )
            aggregate.invoices.append(self.invoice_id)

    def __init__(
        self, receipt_id: str, supplier: str, po_id: str | None, lines: list[dict[str, Any]]
    ) -> None:
        self.receipt_id = receipt_id
        self.supplier = supplier
        self.po_id = po_id
        self.lines = [BilledLine.read(line) for line in lines]
        self.invoices: list[str] = []

    @classmethod
    def open_for(
        cls, receipt_id: str, supplier: str, po_id: str | None, lines: list[BilledLine]
    ) -> ReceiptBilling:
        return cls(receipt_id, supplier, po_id, [asdict(line) for line in lines])

    def line_of(self, sku: str, quantity: Decimal, field: str) -> int:
        """The first line of ``sku`` with anything still to bill (else the first of it);
        refuses a SKU the receipt did not receive."""
        found = [i for i, line in enumerate(self.lines) if line.sku == sku]
        if not found:
            raise ValidationError(
                f"receipt {self.receipt_id} did not receive {sku}", [{"field": field}]
            )
        return next((i for i in found if self.lines[i].open >= quantity), found[0])

    def bill(
        self,
        invoice_id: str,
        supplier: str,
        billed: list[tuple[int, Decimal, str]],
        places: int,
        user: str,
        at: datetime,
        invoiced: list[Decimal],
    ) -> list[Decimal]:
        """Bills (line index, base quantity, request field) at ``at`` (the save's time, as its
        movements', so the journal's period of the invoice is theirs), each invoiced at the
        matching ``invoiced`` amount, and answers each one's value at the receipt's cost;
        refuses another supplier's receipt and more than is open."""
        if supplier != self.supplier:
            raise ValidationError(
                f"receipt {self.receipt_id} is from {self.supplier}", [{"field": "supplier"}]
            )
        taken: dict[int, BilledLine] = {}
        recorded, values, differences = [], [], []
        for (index, quantity, field), amount in zip(billed, invoiced, strict=True):
            line = taken.get(index, self.lines[index])
            if quantity > line.open:
                raise OverBilledError(
                    f"{line.sku}: billing {quantity}, only {line.open} received and not yet "
                    f"billed on receipt {self.receipt_id}",
                    [{"field": field, "sku": line.sku, "open": str(line.open)}],
                )
            value = line.value_at_cost(quantity, places)
            taken[index] = replace(
                line, billed=line.billed + quantity, billed_value=line.billed_value + value
            )
            recorded.append([index, str(quantity), str(value)])
            values.append(value)
            differences.append(str(amount - value))
        self.trigger_event(
            self.Billed,
            timestamp=at,
            invoice_id=invoice_id,
            lines=recorded,
            user=user,
            differences=differences,
        )
        return values


BILLING_TOPICS = frozenset({ReceiptBilling.Created.TOPIC, ReceiptBilling.Billed.TOPIC})


@dataclass(frozen=True)
class BillingAmounts:
    """The money a match and the GRNI report answer with (``present.money.SHAPES``): a
    receipt line's value, what invoices billed of it, what is still open, and a matched
    line's difference (the amount its REVALUE/VARIANCE posted)."""

    received_value: Money
    billed_value: Money
    open_value: Money
    difference: Money
