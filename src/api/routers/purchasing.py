"""Purchasing (SPEC §14): suppliers (put by an admin, read by any viewer), purchase orders
(posted and cancelled by a clerk; nothing moves in the ledger) and their reads.

A PO's answers are the PO as it stands (201 when the post recorded it, 200 on a repeat);
its reads come from the PurchaseOrder aggregates of the ledger.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query

from api.auth import Principal
from api.command_route import Commands
from api.dependencies import LedgerDep, SettledReadModels
from api.params import CodeFilter, code
from api.route_table import Answer, Routes, created
from api.routing import command_of
from api.schemas.purchasing import (
    GrniReport,
    InvoiceResultPublic,
    PurchaseOrderCreate,
    PurchaseOrderList,
    PurchaseOrderPublic,
    SuggestionList,
    SuggestionOrder,
    SupplierInvoiceCreate,
    SupplierList,
    SupplierPublic,
    SupplierPut,
    order_body,
    supplier_body,
)
from application import invoices, purchasing, suggestions
from application.commands import CancelPurchaseOrder, PostPurchaseOrder, PostSupplierInvoice
from application.errors import NotFoundError
from application.ledger import Ledger
from domain.access import Role
from domain.purchase_order import PurchaseOrder
from domain.supplier import Supplier

INVOICE = "Match a supplier invoice to receipt lines; differences post as late costs"

BILLED = "Repeat of a posted invoice: the original result"

commands = Commands("documents", Role.FINANCE, BILLED, InvoiceResultPublic)
commands.add("/supplier-invoices", SupplierInvoiceCreate, PostSupplierInvoice, INVOICE, 404, 409)


router = Routes("/api", "purchasing")

CodePath = code("GREEN")
PoPath = code("PO-1")
REPEAT = "Repeat or unchanged"
# A write answers 201 when it recorded something, else 200 (a repeat, or nothing changed).
NEW: dict[str, Any] = {"repeat": REPEAT, "status_code": 201}
STATUSES = "^(open|partially_received|received|cancelled)$"


def _position(ledger: Ledger, aggregate: Supplier | PurchaseOrder) -> int:
    (position,) = ledger.positions([(aggregate.id, aggregate.version)])
    return position


def _order(ledger: Ledger, po_id: str) -> dict[str, Any]:
    """The purchase order as it stands (404 when there is none)."""
    order = purchasing.purchase_order(ledger, po_id)
    return order_body(order, _position(ledger, order))


@router.write("PUT", "/suppliers/{code}", SupplierPublic, 404, 409, role=Role.ADMIN, **NEW)
def put_supplier(
    body: SupplierPut, who: Principal, ledger: LedgerDep, code: str = CodePath
) -> Answer:
    """Create or change a supplier and the items it sells (admin)"""
    supplier, saved = purchasing.put_supplier(ledger, code, body.spec(), who.user)
    return created(supplier_body(supplier, saved.position), saved.created)


@router.read("/suppliers", SupplierList, 404)
def list_suppliers(ledger: LedgerDep) -> Any:
    """Suppliers"""
    found = purchasing.suppliers(ledger)
    return {"items": [supplier_body(s, _position(ledger, s)) for s in found]}


@router.read("/suppliers/{code}", SupplierPublic, 404)
def get_supplier(ledger: LedgerDep, code: str = CodePath) -> Any:
    """A supplier"""
    found = ledger.get(Supplier, Supplier.create_id(code))
    if found is None:
        raise NotFoundError(f"supplier {code} not found")
    return supplier_body(found, _position(ledger, found))


@router.write("POST", "/purchase-orders", PurchaseOrderPublic, 404, 409, role=Role.CLERK, **NEW)
def post_purchase_order(body: PurchaseOrderCreate, who: Principal, ledger: LedgerDep) -> Answer:
    """Post a purchase order (nothing moves in the ledger; clerk)"""
    result = ledger.execute(command_of(PostPurchaseOrder, body), user=who.user)
    return created(_order(ledger, body.po_id), result.created)


@router.read("/purchase-orders", PurchaseOrderList, 404, 503)
def list_purchase_orders(
    ledger: LedgerDep,
    read_models: SettledReadModels,
    status: Annotated[str | None, Query(pattern=STATUSES)] = None,
    supplier: CodeFilter = None,
) -> Any:
    """Purchase orders, by status and supplier"""
    po_ids, _ = read_models.purchase_orders.po_ids(status, supplier)
    orders = purchasing.orders_of(ledger, po_ids)
    items = [order_body(order, _position(ledger, order)) for order in orders]
    return {"items": items, "position": max((i["position"] for i in items), default=0)}


@router.read("/purchase-orders/{po_id}", PurchaseOrderPublic, 404)
def get_purchase_order(ledger: LedgerDep, po_id: str = PoPath) -> Any:
    """A purchase order: ordered, received and still open per line"""
    return _order(ledger, po_id)


@router.write(
    "POST",
    "/purchase-orders/{po_id}/cancel",
    PurchaseOrderPublic,
    404,
    409,
    role=Role.CLERK,
    repeat=REPEAT,
)
def cancel_purchase_order(who: Principal, ledger: LedgerDep, po_id: str = PoPath) -> Any:
    """Cancel what is still open on a purchase order (clerk)"""
    purchasing.purchase_order(ledger, po_id)  # 404 before anything
    ledger.execute(CancelPurchaseOrder(po_id), user=who.user)
    return _order(ledger, po_id)


@router.read("/reports/grni", GrniReport, 404, 503, role=Role.FINANCE)
def grni_report(read_models: SettledReadModels, supplier: CodeFilter = None) -> Any:
    """Goods received not invoiced per supplier and receipt (finance)"""
    rows, position = read_models.billing.grni(supplier)
    return {"rows": rows, "totals": invoices.grni_totals(rows), "position": position}


@router.read("/purchasing/suggestions", SuggestionList, 404, 503, role=Role.CLERK)
def get_suggestions(
    ledger: LedgerDep,
    read_models: SettledReadModels,
    location: CodeFilter = None,
    supplier: CodeFilter = None,
) -> Any:
    """Suggested orders: up to par in whole supplier packs (clerk)"""
    views = read_models.catalogue, read_models.stock, read_models.purchase_orders
    found, position = suggestions.suggestions(ledger, *views, location, supplier)
    items = [{k: v for k, v in vars(s).items() if k != "price"} for s in found]
    return {"items": items, "position": position}


@router.write(
    "POST",
    "/purchasing/suggestions/order",
    PurchaseOrderPublic,
    404,
    409,
    503,
    role=Role.CLERK,
    **NEW,
)
def order_suggestions(
    body: SuggestionOrder,
    who: Principal,
    ledger: LedgerDep,
    read_models: SettledReadModels,
) -> Answer:
    """Turn one supplier's suggestions at a location into a purchase order (clerk)"""
    views = read_models.catalogue, read_models.stock, read_models.purchase_orders
    command = suggestions.order_suggestions(
        ledger, *views, body.po_id, body.supplier, body.location, body.expected_at
    )
    result = ledger.execute(command, user=who.user)
    return created(_order(ledger, body.po_id), result.created)
