"""The commands of API.md, one frozen dataclass each (Decimal throughout).

A command's first field is its document id; every other field is its payload, the identity of
"the same document" (SPEC §1.5). The payload is derived from the dataclass — never written by
hand — so a new command gets idempotency for free::

    ledger.execute(PostReceipt("R-1", "main", [ReceiptLine("AB-1", qty, cost)]), user="alice")

One line type per concept: ``Line`` (what leaves or moves), ``ReceiptLine`` (what arrives, at a
cost), ``PricedLine`` (what a quote offers), ``CountLine`` (what a count saw), ``SaleLine``
(what a POS sold: its quantities come from recipes). Every other line (and an adjustment)
may name a pack ``unit`` of its item (SPEC §8); its figures are then in that unit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, fields
from datetime import datetime
from decimal import Decimal
from typing import Any, ClassVar

from domain.movements import DocType


@dataclass(frozen=True)
class Line:
    sku: str
    quantity: Decimal
    unit: str | None = None


@dataclass(frozen=True)
class ReceiptLine:
    sku: str
    quantity: Decimal
    unit_cost: Decimal | None  # None only on a receipt against a PO: the PO's price
    unit: str | None = None


@dataclass(frozen=True)
class PricedLine:
    sku: str
    quantity: Decimal
    unit_price: Decimal
    unit: str | None = None


@dataclass(frozen=True)
class SaleLine:
    """Portions of a menu item sold at a price each (SPEC §9)."""

    menu_item: str
    quantity: Decimal
    unit_price: Decimal
    # The outlet the line is served from (SPEC §17), when not the sale's location.
    location: str | None = None
    # Revenue only, no consumption (SPEC §13): a menu item without a recipe, never dropped.
    unmapped: bool = False


@dataclass(frozen=True)
class CountLine:
    sku: str
    counted: Decimal
    unit_cost: Decimal | None = None
    unit: str | None = None


@dataclass(frozen=True)
class Command:
    """A use case of the ledger; ``doc_type`` names the document it posts."""

    doc_type: ClassVar[DocType]

    @property
    def doc_id(self) -> str:
        return str(getattr(self, fields(self)[0].name))

    def payload(self) -> dict[str, Any]:
        """Every field but the id, lines as dicts: what a repeat must match exactly. A unit
        left out (None) is left out of the payload too, so a document without units has the
        fingerprint it had before units existed."""
        body = _without_base_unit(asdict(self))
        del body[fields(self)[0].name]
        return body


def _without_base_unit(body: dict[str, Any]) -> dict[str, Any]:
    if body.get("unit", "") is None:
        del body["unit"]
    if body.get("po_id", "") is None:  # a receipt without a purchase order (SPEC §14)
        del body["po_id"]
    for line in body.get("lines") or ():
        if isinstance(line, dict):
            _without_base_unit(line)
            if line.get("location", "") is None:  # a sale line at the sale's (SPEC §17)
                del line["location"]
            if line.get("unmapped", True) is False:  # a mapped sale line (SPEC §13)
                del line["unmapped"]
    return body


@dataclass(frozen=True)
class PostReceipt(Command):
    doc_type = DocType.RECEIPT
    receipt_id: str
    location: str
    lines: Sequence[ReceiptLine]
    note: str | None = None
    po_id: str | None = None


@dataclass(frozen=True)
class PostDelivery(Command):
    doc_type = DocType.DELIVERY
    delivery_id: str
    location: str
    lines: Sequence[Line]
    quote_id: str | None = None


@dataclass(frozen=True)
class PostReturn(Command):
    doc_type = DocType.RETURN
    return_id: str
    delivery_id: str
    lines: Sequence[Line]
    note: str | None = None


@dataclass(frozen=True)
class PostTransfer(Command):
    doc_type = DocType.TRANSFER
    transfer_id: str
    from_location: str
    to_location: str
    lines: Sequence[Line]
    note: str | None = None


@dataclass(frozen=True)
class PostConsumption(Command):
    doc_type = DocType.CONSUMPTION
    consumption_id: str
    location: str
    lines: Sequence[Line]
    note: str | None = None


@dataclass(frozen=True)
class PostWaste(Command):
    doc_type = DocType.WASTE
    waste_id: str
    location: str
    lines: Sequence[Line]
    note: str | None


@dataclass(frozen=True)
class PostAdjustment(Command):
    doc_type = DocType.ADJUSTMENT
    adjustment_id: str
    sku: str
    location: str
    quantity: Decimal
    note: str | None
    unit_cost: Decimal | None = None
    unit: str | None = None


@dataclass(frozen=True)
class PostCount(Command):
    doc_type = DocType.COUNT
    count_id: str
    location: str
    lines: Sequence[CountLine]
    note: str | None
    counted_at: datetime | None = None


@dataclass(frozen=True)
class PostCost(Command):
    """A late cost against a posted receipt (SPEC §10); ``by`` is ``value`` or ``quantity``."""

    doc_type = DocType.COST
    cost_id: str
    receipt_id: str
    amount: Decimal
    note: str | None
    by: str = "value"


@dataclass(frozen=True)
class PostSale(Command):
    """A POS sale: its lines consume their menu items' recipes at ``location``."""

    doc_type = DocType.SALE
    sale_id: str
    location: str
    lines: Sequence[SaleLine]
    note: str | None = None


@dataclass(frozen=True)
class VoidSale(Command):
    """A void of a posted sale (SPEC §17): its ``lines`` (indexes; None: every line not yet
    voided) are taken back now, in the open period."""

    doc_type = DocType.VOID
    void_id: str
    sale_id: str
    note: str | None
    lines: Sequence[int] | None = None


@dataclass(frozen=True)
class PostProduction(Command):
    """A production of a prep recipe (SPEC §16) at ``location``: ``batches`` (or an output
    ``quantity``; neither: one batch), ``actual_quantity`` when the output differs."""

    doc_type = DocType.PRODUCTION
    production_id: str
    location: str
    recipe: str
    batches: Decimal | None = None
    quantity: Decimal | None = None
    actual_quantity: Decimal | None = None
    note: str | None = None


@dataclass(frozen=True)
class QuoteCommand(Command):
    """A command on the quote ``quote_id`` (the Quote remembers its payload: no Document)."""

    doc_type = DocType.QUOTE
    quote_id: str


@dataclass(frozen=True)
class CreateQuote(QuoteCommand):
    customer: str
    location: str
    lines: Sequence[PricedLine]


@dataclass(frozen=True)
class CloseQuote(QuoteCommand):
    """Reserve every line of the quote, or none."""


@dataclass(frozen=True)
class CancelQuote(QuoteCommand):
    """Release what the quote reserved and is still undelivered."""


@dataclass(frozen=True)
class OrderLine:  # a purchase order line (SPEC §14): quantity units at unit_price each
    sku: str
    quantity: Decimal
    unit_price: Decimal
    unit: str | None = None


@dataclass(frozen=True)
class PostPurchaseOrder(Command):
    """A purchase order to ``supplier`` for ``location``: nothing moves in the ledger."""

    doc_type = DocType.PURCHASE_ORDER
    po_id: str
    supplier: str
    location: str
    lines: Sequence[OrderLine]
    expected_at: str | None = None


@dataclass(frozen=True)
class CancelPurchaseOrder(Command):  # what is still open (the PO records it: no Document)
    doc_type = DocType.PURCHASE_ORDER
    po_id: str


@dataclass(frozen=True)
class InvoiceLine:  # a supplier invoice line matched to a receipt line (SPEC §14)
    receipt_id: str
    sku: str
    quantity: Decimal
    unit_price: Decimal
    unit: str | None = None


@dataclass(frozen=True)
class PostSupplierInvoice(Command):
    """A supplier invoice matched to receipt lines (three-way match, SPEC §14)."""

    doc_type = DocType.SUPPLIER_INVOICE
    invoice_id: str
    supplier: str
    lines: Sequence[InvoiceLine]
    note: str | None = None
