"""Purchasing in the console (SPEC §14): suppliers, suggested orders (one button turns a
supplier's suggestions into a purchase order), purchase orders (ordered / received / open)
with a receiving form that fits a phone, supplier invoice matching, and GRNI."""

from __future__ import annotations

import secrets
from typing import Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from api.problems import ProjectionLaggingError
from api.schemas.common import CODE_PATTERN
from application import invoices, purchasing, suggestions
from application.commands import (
    CancelPurchaseOrder,
    InvoiceLine,
    PostReceipt,
    PostSupplierInvoice,
    ReceiptLine,
)
from console.forms import number
from console.session import Clerk, Finance, Form, Viewer
from console.web import ConsoleRoute, NavEntry, ledger_of, read_models, render
from domain.access import Role, allows
from domain.errors import ValidationError
from domain.supplier_invoice import ReceiptBilling

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)
NAV = NavEntry("Purchasing", "/purchasing", Role.VIEWER)
PoId = Path(pattern=CODE_PATTERN)


def code_filter() -> Any:
    """An optional code in the query string. One per parameter: FastAPI reads every parameter
    sharing one ``Query()`` under the first one's name (supplier read ``location``)."""
    return Query(None, pattern=CODE_PATTERN)


def proposed(prefix: str) -> str:
    """A fresh document id for a form, so a form posted twice records once."""
    return f"{prefix}-{secrets.token_hex(4).upper()}"


@router.get("/purchasing")
def purchasing_page(
    request: Request,
    who: Viewer,
    location: str | None = code_filter(),
    supplier: str | None = code_filter(),
    status: str | None = Query(None, pattern="^(open|partially_received|received|cancelled)$"),
) -> HTMLResponse:
    ledger, views = ledger_of(request), read_models(request)
    views.settle()  # an order just placed or received counts
    clerk = allows(who.role, Role.CLERK)
    found: list[suggestions.Suggestion] = []
    if clerk:
        found, _ = suggestions.suggestions(
            ledger,
            views.catalogue,
            views.stock,
            views.purchase_orders,
            location or None,
            supplier or None,
        )
    groups: dict[tuple[str, str], list[suggestions.Suggestion]] = {}
    for row in found:
        if row.supplier is not None:
            groups.setdefault((row.supplier, row.location), []).append(row)
    return render(
        request,
        who,
        "purchasing.html",
        suppliers=purchasing.suppliers(ledger),
        suggested=found,
        groups=groups,
        orders=purchasing.orders_of(
            ledger, views.purchase_orders.po_ids(status or None, supplier or None)[0]
        ),
        clerk=clerk,
        po_id=proposed("PO"),
        location=location,
        supplier=supplier,
        shown_status=status,
    )


@router.post("/purchasing/suggestions/order")
def order_suggestions(request: Request, who: Clerk, form: Form) -> RedirectResponse:
    """One supplier's suggestions at a location as a purchase order."""
    ledger, views = ledger_of(request), read_models(request)
    if not views.settle():  # what is on order must count every order placed
        raise ProjectionLaggingError("the read models have not read the ledger's head yet")
    command = suggestions.order_suggestions(
        ledger,
        views.catalogue,
        views.stock,
        views.purchase_orders,
        form.get("po_id", "") or proposed("PO"),
        form.get("supplier", ""),
        form.get("location", ""),
    )
    ledger.execute(command, user=who.user)
    return RedirectResponse(f"/purchasing/orders/{command.po_id}", status_code=303)


@router.get("/purchasing/orders/{po_id}")
def order_page(request: Request, who: Viewer, po_id: str = PoId) -> HTMLResponse:
    order = purchasing.purchase_order(ledger_of(request), po_id)
    lines = [(index, line, order.open_qty(index)) for index, line in enumerate(order.lines)]
    return render(
        request,
        who,
        "purchase_order.html",
        order=order,
        lines=lines,
        clerk=allows(who.role, Role.CLERK),
        receipt_id=proposed("R"),
    )


@router.post("/purchasing/orders/{po_id}/receive")
def receive(request: Request, who: Clerk, form: Form, po_id: str = PoId) -> RedirectResponse:
    """A receipt against the PO: each line's quantity in base units (blank: not received),
    at the PO's price; a scanned or typed SKU picks its line."""
    ledger = ledger_of(request)
    order = purchasing.purchase_order(ledger, po_id)
    lines = []
    for index, line in enumerate(order.lines):
        quantity = number(form, f"qty-{index}")
        if quantity:
            lines.append(ReceiptLine(line.sku, quantity, None))
    scanned, quantity = form.get("scan", "").strip(), number(form, "scan-qty")
    if scanned and quantity:
        lines.append(ReceiptLine(scanned, quantity, None))
    if not lines:
        raise ValidationError("enter a quantity for at least one line", [{"field": "lines"}])
    receipt_id = form.get("receipt_id", "") or proposed("R")
    command = PostReceipt(receipt_id, order.location, lines, form.get("note") or None, po_id)
    ledger.execute(command, user=who.user)
    return RedirectResponse(f"/purchasing/orders/{po_id}", status_code=303)


@router.post("/purchasing/orders/{po_id}/cancel")
def cancel(request: Request, who: Clerk, form: Form, po_id: str = PoId) -> RedirectResponse:
    ledger_of(request).execute(CancelPurchaseOrder(po_id), user=who.user)
    return RedirectResponse(f"/purchasing/orders/{po_id}", status_code=303)


# The most receipt lines one invoice page shows (its inputs are numbered lines of one form).
MAX_LINES = 500


@router.get("/purchasing/invoice")
def invoice_page(
    request: Request,
    who: Finance,
    receipt_id: str | None = code_filter(),
    supplier: str | None = code_filter(),
) -> HTMLResponse:
    """With a receipt or a supplier chosen, its lines still to bill (at most MAX_LINES), to
    type the invoice's quantities and prices; with neither, the receipts still to bill."""
    views = read_models(request)
    views.settle()  # a receipt just posted is there to bill
    chosen = bool(receipt_id or supplier)
    rows, _ = views.billing.grni(supplier or None, receipt_id or None)
    return render(
        request,
        who,
        "supplier_invoice.html",
        rows=rows[:MAX_LINES] if chosen else [],
        more=max(len(rows) - MAX_LINES, 0) if chosen else 0,
        receipts=[] if chosen else invoices.grni_receipts(rows),
        receipt_id=receipt_id,
        supplier=supplier,
        invoice_id=proposed("INV"),
        matched=None,
    )


@router.post("/purchasing/invoice")
def post_invoice(request: Request, who: Finance, form: Form) -> HTMLResponse:
    """Matches the typed lines; the page then shows each difference and what it posted."""
    ledger = ledger_of(request)
    lines, suppliers = [], set()
    # Each line names its receipt and SKU (hidden inputs), so what is billed is what the page
    # showed, whichever receipt it showed and whatever was billed since (a retry included).
    numbered = (k.removeprefix("receipt-") for k in form if k.startswith("receipt-"))
    for index in sorted((n for n in numbered if n.isdecimal() and len(n) < 5), key=int):
        quantity, price = number(form, f"qty-{index}"), number(form, f"price-{index}")
        if quantity and price is not None:
            receipt, sku = form[f"receipt-{index}"], form.get(f"sku-{index}", "")
            billing = ledger.get(ReceiptBilling, ReceiptBilling.create_id(receipt))
            if billing is None:
                raise ValidationError(f"{receipt} is not to bill", [{"field": f"qty-{index}"}])
            lines.append(InvoiceLine(receipt, sku, quantity, price))
            suppliers.add(billing.supplier)
    if not lines:
        raise ValidationError("enter a quantity and a price for a line", [{"field": "lines"}])
    if len(suppliers) > 1:
        raise ValidationError("one invoice is from one supplier", [{"field": "lines"}])
    supplier = suppliers.pop()
    invoice_id = form.get("invoice_id", "") or proposed("INV")
    note = form.get("note") or None
    result = ledger.execute(PostSupplierInvoice(invoice_id, supplier, lines, note), user=who.user)
    return render(
        request,
        who,
        "supplier_invoice.html",
        rows=[],
        more=0,
        receipts=[],
        receipt_id=None,
        supplier=None,
        invoice_id=invoice_id,
        matched=result.extra["matched"],
        movements=result.movements,
    )


@router.get("/purchasing/grni")
def grni_page(request: Request, who: Finance, supplier: str | None = code_filter()) -> HTMLResponse:
    views = read_models(request)
    views.settle()
    rows, position = views.billing.grni(supplier or None)
    total = invoices.grni_totals(rows)["open_value"]
    return render(
        request, who, "grni.html", rows=rows, total=total, supplier=supplier, position=position
    )
