"""Purchasing on the command side (SPEC §14): putting suppliers, posting and cancelling
purchase orders, and reading them back from the ledger.

A supplier is a versioned catalogue entry put like an item (application.catalogue.put); a
purchase order is a document on the one posting path (``PostPurchaseOrder``; its record is
the PurchaseOrder aggregate, nothing moves); cancelling is recorded on the PO itself.
"""

from __future__ import annotations

from decimal import Decimal

from application import commands
from application.catalogue import Saved, put
from application.collected import collected
from application.errors import NotFoundError
from application.measures import Measured, Measures
from application.ports import LedgerPort
from application.posting import handles
from application.records import CommandResult
from application.work import Work
from domain import bounds
from domain.codes import check_code
from domain.documents import DocumentDetails
from domain.errors import ValidationError
from domain.movements import DocType
from domain.purchase_order import OrderLine, PurchaseOrder
from domain.stock_item import StockItem
from domain.supplier import Supplier, SupplierSpec, UnknownSupplierError
from domain.supplier_invoice import BilledLine, ReceiptBilling

MAX_EXPECTED = 40
COST_PLACES = Decimal("0.000001")


def check_units(ledger: LedgerPort, spec: SupplierSpec) -> None:
    """Each supplier item's pack unit is one its SKU's item has (UnknownUnitError)."""
    measures = Measures(ledger)
    for index, entry in enumerate(spec.items):
        measures.factor(entry.sku, entry.unit, f"items[{index}].unit")


def put_supplier(
    ledger: LedgerPort, code: str, spec: SupplierSpec, user: str
) -> tuple[Supplier, Saved]:
    """Creates or changes the supplier ``code`` (a new version when the spec differs)."""
    spec.check()
    check_units(ledger, spec)
    return put(
        ledger,
        Supplier,
        Supplier.create_id(code),
        lambda: Supplier.first_version(code, spec, user),
        lambda supplier: supplier.next_version(spec, user),
    )


def supplier_of(ledger: LedgerPort, code: str, field: str = "supplier") -> Supplier:
    """The supplier ``code``; refuses one never put (UnknownSupplierError, 422)."""
    check_code(code, field)
    found = ledger.get(Supplier, Supplier.create_id(code))
    if found is None:
        raise UnknownSupplierError(f"unknown supplier {code}", [{"field": field}])
    return found


def suppliers(ledger: LedgerPort) -> list[Supplier]:
    """Every supplier, by code (read from the ledger: suppliers are few; their codes from
    this process's list of Supplier.Created, application.collected)."""
    codes = sorted(collected(ledger, {Supplier.Created.TOPIC}, lambda e: e.supplier))
    found = [ledger.get(Supplier, Supplier.create_id(code)) for code in codes]
    return [s for s in found if s is not None]


def orders_of(ledger: LedgerPort, po_ids: list[str]) -> list[PurchaseOrder]:
    """The purchase orders ``po_ids`` (the purchase_orders read model's selection)."""
    found = (ledger.get(PurchaseOrder, PurchaseOrder.create_id(i)) for i in po_ids)
    return [order for order in found if order is not None]


def purchase_order(ledger: LedgerPort, po_id: str) -> PurchaseOrder:
    found = ledger.get(PurchaseOrder, PurchaseOrder.create_id(po_id))
    if found is None:
        raise NotFoundError(f"purchase order {po_id} not found")
    return found


def _po_rules(command: commands.PostPurchaseOrder) -> None:
    check_code(command.supplier, "supplier")
    check_code(command.location, "location")
    bounds.check_lines(command.lines, "too many lines")
    if command.expected_at is not None and len(command.expected_at) > MAX_EXPECTED:
        raise ValidationError("expected_at is too long", [{"field": "expected_at"}])
    for index, line in enumerate(command.lines):
        bounds.check_quantity(line.quantity, f"lines[{index}].quantity")
        bounds.check_unit_cost(line.unit_price, f"lines[{index}].unit_price")


@handles(commands.PostPurchaseOrder, check=_po_rules)
def post_purchase_order(command: commands.PostPurchaseOrder, work: Work) -> None:
    """A new PurchaseOrder of the measured lines (each unit one its item has); refuses
    an unknown supplier. No movement: a PO is a commitment, not stock."""
    supplier_of(work.ledger, command.supplier)
    lines = []
    for index, line in enumerate(command.lines):
        check_code(line.sku, f"lines[{index}].sku")
        work.measures.require(line.sku, command.location)
        measured = work.measure(line.sku, line.quantity, line.unit, f"lines[{index}].unit")
        entered = measured.entered
        factor = entered.factor if entered is not None else Decimal(1)
        unit = line.unit if line.unit is not None else measured.unit
        lines.append(
            OrderLine(line.sku, line.quantity, unit, factor, measured.quantity, line.unit_price)
        )
    order = PurchaseOrder.post(
        command.po_id,
        command.supplier,
        command.location,
        command.expected_at,
        lines,
        work.user,
    )
    work.keep(order)
    work.details = DocumentDetails(location=command.location)


@handles(commands.CancelPurchaseOrder, documented=False)
def cancel_purchase_order(
    command: commands.CancelPurchaseOrder, work: Work
) -> CommandResult | None:
    """Cancels what is still open; a repeat (already cancelled) answers without a save."""
    order = work.take(PurchaseOrder.create_id(command.po_id))
    if not isinstance(order, PurchaseOrder):
        raise NotFoundError(f"purchase order {command.po_id} not found")
    if not order.cancel(work.user):
        (position,) = work.ledger.positions([(order.id, order.version)])
        return CommandResult(command.doc_type.value, command.po_id, [], position, False)
    work.keep(order)
    return None


def receipt_costs(
    command: commands.PostReceipt, work: Work, measured: list[Measured]
) -> list[Decimal]:
    """Each receipt line's unit cost (per entered unit). Without ``po_id`` every line gives
    one; with it the lines are recorded against the PO in this same save (refusing a SKU
    not on it, another location and more than is still on order) and a line without a
    cost takes the PO's price: the same as the PO's when entered in the PO line's unit,
    else its price per base unit times the line's factor (6 places)."""
    if command.po_id is None:
        for index, line in enumerate(command.lines):
            if line.unit_cost is None:
                field = f"lines[{index}].unit_cost"
                raise ValidationError("unit_cost is required without po_id", [{"field": field}])
        return [line.unit_cost for line in command.lines if line.unit_cost is not None]
    check_code(command.po_id, "po_id")
    order = work.take(PurchaseOrder.create_id(command.po_id))
    if not isinstance(order, PurchaseOrder):
        raise ValidationError(f"purchase order {command.po_id} not found", [{"field": "po_id"}])
    received = [(line.sku, m.quantity) for line, m in zip(command.lines, measured, strict=True)]
    indexes = order.receive(command.receipt_id, command.location, received, work.user)
    work.keep(order)
    costs = []
    for line, m, index in zip(command.lines, measured, indexes, strict=True):
        ordered = order.lines[index]
        if line.unit_cost is not None:
            costs.append(line.unit_cost)
        elif (line.unit or m.unit) == ordered.unit:
            costs.append(ordered.unit_price)
        else:
            factor = m.entered.factor if m.entered is not None else Decimal(1)
            costs.append((ordered.base_price * factor).quantize(COST_PLACES))
    return costs


def open_billing(command: commands.PostReceipt, work: Work) -> None:
    """A receipt against a PO opens its billing record (the PO's supplier) in its own save,
    from the RECEIVE movements just made: GRNI knows it from now on."""
    if command.po_id is None:
        return
    order = work.take(PurchaseOrder.create_id(command.po_id))
    assert isinstance(order, PurchaseOrder)
    received: dict[int, BilledLine] = {}
    for aggregate in work.touched.values():
        for event in getattr(aggregate, "pending_events", ()):
            if (
                isinstance(event, StockItem.Received)
                and event.document_id == command.receipt_id
                and event.document_type == DocType.RECEIPT.value
            ):
                line = BilledLine(event.sku, event.location, event.quantity, event.value)
                received[event.line] = line
    lines = [received[index] for index in sorted(received)]
    billing = ReceiptBilling.open_for(command.receipt_id, order.supplier, command.po_id, lines)
    work.keep(billing)
