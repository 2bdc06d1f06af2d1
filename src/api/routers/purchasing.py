"""Purchasing (SPEC §14): suppliers (put by an admin, read by any viewer), purchase orders
(posted and cancelled by a clerk; nothing moves in the ledger) and their reads.

A PO's answers are the PO as it stands (201 when the post recorded it, 200 on a repeat);
its reads come from the PurchaseOrder aggregates of the ledger.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from api.auth import Admin, Clerk, Finance, Viewer
from api.command_route import command_route
from api.dependencies import CatalogueDep, LedgerDep, StockViewDep
from api.problems import responses
from api.respond import respond
from api.routing import DecimalRoute, command_of
from api.schemas import CODE_PATTERN
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

commands = [
    command_route(
        "/api/supplier-invoices",
        SupplierInvoiceCreate,
        PostSupplierInvoice,
        Role.FINANCE,
        name="post_supplier_invoice",
        status_code=201,
        response_model=InvoiceResultPublic,
        responses={
            200: {"description": "Repeat of a posted invoice: the original result"},
            **responses(401, 403, 404, 409, 422),
        },
        summary="Match a supplier invoice to receipt lines; differences post as late costs",
        tags=["documents"],
    )
]

router = APIRouter(prefix="/api", tags=["purchasing"], route_class=DecimalRoute)

CodePath = Path(pattern=CODE_PATTERN, examples=["GREEN"])
PoPath = Path(pattern=CODE_PATTERN, examples=["PO-1"])
WRITE = {200: {"description": "Repeat or unchanged"}, **responses(401, 403, 404, 409, 422)}
READ = responses(401, 403, 404, 422)
# Routes reading views wait for ?min_position= (FreshReadModels): 503 when they fall short.
FRESH_READ = responses(401, 403, 404, 422, 503)
FRESH_WRITE = {
    200: {"description": "Repeat or unchanged"},
    **responses(401, 403, 404, 409, 422, 503),
}
STATUSES = "^(open|partially_received|received|cancelled)$"


def _position(ledger: Ledger, aggregate: Supplier | PurchaseOrder) -> int:
    (position,) = ledger.positions([(aggregate.id, aggregate.version)])
    return position


@router.put(
    "/suppliers/{code}",
    status_code=201,
    response_model=SupplierPublic,
    responses=WRITE,
    summary="Create or change a supplier and the items it sells (admin)",
)
def put_supplier(
    body: SupplierPut, request: Request, who: Admin, ledger: LedgerDep, code: str = CodePath
) -> Response:
    supplier, saved = purchasing.put_supplier(ledger, code, body.spec(), who.user)
    return respond(
        request, supplier_body(supplier, saved.position), status=201 if saved.created else 200
    )


@router.get("/suppliers", response_model=SupplierList, responses=READ, summary="Suppliers")
def list_suppliers(request: Request, who: Viewer, ledger: LedgerDep) -> Response:
    found = purchasing.suppliers(ledger)
    return respond(request, {"items": [supplier_body(s, _position(ledger, s)) for s in found]})


@router.get(
    "/suppliers/{code}", response_model=SupplierPublic, responses=READ, summary="A supplier"
)
def get_supplier(
    request: Request, who: Viewer, ledger: LedgerDep, code: str = CodePath
) -> Response:
    found = ledger.get(Supplier, Supplier.create_id(code))
    if found is None:
        raise NotFoundError(f"supplier {code} not found")
    return respond(request, supplier_body(found, _position(ledger, found)))


@router.post(
    "/purchase-orders",
    status_code=201,
    response_model=PurchaseOrderPublic,
    responses=WRITE,
    summary="Post a purchase order (nothing moves in the ledger; clerk)",
)
def post_purchase_order(
    body: PurchaseOrderCreate, request: Request, who: Clerk, ledger: LedgerDep
) -> Response:
    result = ledger.execute(command_of(PostPurchaseOrder, body), user=who.user)
    order = purchasing.purchase_order(ledger, body.po_id)
    answer = order_body(order, _position(ledger, order))
    return respond(request, answer, status=201 if result.created else 200)


@router.get(
    "/purchase-orders",
    response_model=PurchaseOrderList,
    responses=READ,
    summary="Purchase orders, by status and supplier",
)
def list_purchase_orders(
    request: Request,
    who: Viewer,
    ledger: LedgerDep,
    status: Annotated[str | None, Query(pattern=STATUSES)] = None,
    supplier: Annotated[str | None, Query(pattern=CODE_PATTERN)] = None,
) -> Response:
    orders = purchasing.purchase_orders(ledger, status, supplier)
    items = [order_body(order, _position(ledger, order)) for order in orders]
    position = max((item["position"] for item in items), default=0)
    return respond(request, {"items": items, "position": position})


@router.get(
    "/purchase-orders/{po_id}",
    response_model=PurchaseOrderPublic,
    responses=READ,
    summary="A purchase order: ordered, received and still open per line",
)
def get_purchase_order(
    request: Request, who: Viewer, ledger: LedgerDep, po_id: str = PoPath
) -> Response:
    order = purchasing.purchase_order(ledger, po_id)
    return respond(request, order_body(order, _position(ledger, order)))


@router.post(
    "/purchase-orders/{po_id}/cancel",
    response_model=PurchaseOrderPublic,
    responses=WRITE,
    summary="Cancel what is still open on a purchase order (clerk)",
)
def cancel_purchase_order(
    request: Request, who: Clerk, ledger: LedgerDep, po_id: str = PoPath
) -> Response:
    purchasing.purchase_order(ledger, po_id)  # 404 before anything
    ledger.execute(CancelPurchaseOrder(po_id), user=who.user)
    order = purchasing.purchase_order(ledger, po_id)
    return respond(request, order_body(order, _position(ledger, order)))


@router.get(
    "/reports/grni",
    response_model=GrniReport,
    responses=READ,
    summary="Goods received not invoiced per supplier and receipt (finance)",
)
def grni_report(
    request: Request,
    who: Finance,
    ledger: LedgerDep,
    supplier: Annotated[str | None, Query(pattern=CODE_PATTERN)] = None,
) -> Response:
    rows, position = invoices.grni(ledger, supplier)
    names = ("received_value", "billed_value", "open_value")
    totals = {name: sum((Decimal(str(row[name])) for row in rows), Decimal(0)) for name in names}
    return respond(request, {"rows": rows, "totals": totals, "position": position})


@router.get(
    "/purchasing/suggestions",
    response_model=SuggestionList,
    responses=FRESH_READ,
    summary="Suggested orders: up to par in whole supplier packs (clerk)",
)
def get_suggestions(
    request: Request,
    who: Clerk,
    ledger: LedgerDep,
    catalogue: CatalogueDep,
    stock: StockViewDep,
    location: Annotated[str | None, Query(pattern=CODE_PATTERN)] = None,
    supplier: Annotated[str | None, Query(pattern=CODE_PATTERN)] = None,
) -> Response:
    found, position = suggestions.suggestions(ledger, catalogue, stock, location, supplier)
    items = [{k: v for k, v in vars(s).items() if k != "price"} for s in found]
    return respond(request, {"items": items, "position": position})


@router.post(
    "/purchasing/suggestions/order",
    status_code=201,
    response_model=PurchaseOrderPublic,
    responses=FRESH_WRITE,
    summary="Turn one supplier's suggestions at a location into a purchase order (clerk)",
)
def order_suggestions(
    body: SuggestionOrder,
    request: Request,
    who: Clerk,
    ledger: LedgerDep,
    catalogue: CatalogueDep,
    stock: StockViewDep,
) -> Response:
    command = suggestions.order_suggestions(
        ledger, catalogue, stock, body.po_id, body.supplier, body.location, body.expected_at
    )
    result = ledger.execute(command, user=who.user)
    order = purchasing.purchase_order(ledger, body.po_id)
    answer = order_body(order, _position(ledger, order))
    return respond(request, answer, status=201 if result.created else 200)
