"""Counts (SPEC §13): the list of sheets and opening one (clerk), the count page made for a
phone walking the walk-in (areas in walking order, one big decimal input per line, each
entry saved on blur by ``count_sheets.js`` with a visible mark, progress per area), and the
review page where finance approves (posting the count) or rejects with a note. Every step
is the API's command on the ledger (application.count_sheets)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse

from api.schemas.count_sheets import sheet_body
from application.count_sheets import (
    ApproveCountSheet,
    EnterCountLine,
    OpenCountSheet,
    RejectCountSheet,
    SubmitCountSheet,
)
from application.errors import NotFoundError
from application.ledger import Ledger
from console.params import AnyCode
from console.session import Clerk, Finance, Form
from console.web import ConsoleRoute, NavEntry, ledger_of, read_models, render
from domain.access import Role
from domain.count_sheet import CountSheet
from domain.errors import ValidationError

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)
NAV = NavEntry("Counts", "/count-sheets", Role.CLERK)


def _sheet(ledger: Ledger, count_id: str) -> dict[str, Any]:
    found = ledger.get(CountSheet, CountSheet.create_id(count_id))
    if found is None:
        raise NotFoundError(f"count sheet {count_id} not found")
    (position,) = ledger.positions([(found.id, found.version)])
    return sheet_body(found, position)


def _areas(body: dict[str, Any]) -> list[dict[str, Any]]:
    """The sheet's lines grouped by area, in walking order."""
    areas: dict[str, dict[str, Any]] = {a["area"]: {**a, "lines": []} for a in body["areas"]}
    for line in body["lines"]:
        areas[line["area"]]["lines"].append(line)
    return list(areas.values())


@router.get("/count-sheets")
def sheets_page(request: Request, who: Clerk, location: AnyCode = "") -> HTMLResponse:
    rows, _ = read_models(request).count_sheets.sheets(location or None, None, 100)
    locations, _ = read_models(request).catalogue.all_locations()
    return render(
        request,
        who,
        "count_sheets.html",
        sheets=rows,
        locations=locations,
        location=location,
        finance=who.may(Role.FINANCE),
    )


@router.post("/count-sheets")
def open_sheet(request: Request, who: Clerk, form: Form) -> RedirectResponse:
    count_id, location = form.get("count_id", "").strip(), form.get("location", "").strip()
    kind = form.get("kind", "full")
    if not count_id or not location:
        raise ValidationError("count_id and location are required", [{"field": "count_id"}])
    models, ledger = read_models(request), ledger_of(request)
    skus: tuple[str, ...] = ()
    if kind == "full":
        models.settle()
        skus = models.stock.stocked(location)
    ledger.execute(OpenCountSheet(count_id, location, kind, None, None, skus), user=who.user)
    return RedirectResponse(f"/count-sheets/{count_id}", status_code=303)


@router.get("/count-sheets/{count_id}")
def count_page(request: Request, who: Clerk, count_id: str) -> HTMLResponse:
    body = _sheet(ledger_of(request), count_id)
    return render(
        request,
        who,
        "count_sheet.html",
        sheet=body,
        areas=_areas(body),
        finance=who.may(Role.FINANCE),
    )


@router.post("/count-sheets/{count_id}/lines")
def save_line(request: Request, who: Clerk, form: Form, count_id: str) -> Response:
    """One entry, saved at once; answers the sheet's progress as JSON for the page's
    script (a plain form post is sent back to the page)."""
    text = form.get("quantity", "").strip().replace(",", ".")
    try:
        quantity = Decimal(text)
    except InvalidOperation:
        raise ValidationError("quantity must be a number", [{"field": "quantity"}]) from None
    sku, area = form.get("sku", ""), form.get("area") or None
    ledger = ledger_of(request)
    result = ledger.execute(EnterCountLine(count_id, sku, quantity, None, area), user=who.user)
    if "application/json" not in request.headers.get("accept", ""):
        return RedirectResponse(f"/count-sheets/{count_id}", status_code=303)
    body = _sheet(ledger, count_id)
    return JSONResponse(
        {
            "saved": True,
            "position": result.position,
            "counted": body["counted"],
            "total": body["total"],
            "areas": body["areas"],
        }
    )


@router.post("/count-sheets/{count_id}/submit")
def submit(request: Request, who: Clerk, form: Form, count_id: str) -> RedirectResponse:
    ledger_of(request).execute(SubmitCountSheet(count_id), user=who.user)
    return RedirectResponse(f"/count-sheets/{count_id}", status_code=303)


@router.get("/count-sheets/{count_id}/review")
def review_page(request: Request, who: Finance, count_id: str) -> HTMLResponse:
    """Per SKU: counted (areas summed), the book at ``counted_at`` and the difference the
    approval would post."""
    body = _sheet(ledger_of(request), count_id)
    models = read_models(request)
    models.settle()
    counted: dict[str, Decimal | None] = {}
    for line in body["lines"]:
        sku, quantity = line["sku"], line["quantity"]
        if quantity is not None:
            counted[sku] = (counted.get(sku) or Decimal(0)) + quantity
        else:
            counted.setdefault(sku, None)
    sheet = ledger_of(request).get(CountSheet, CountSheet.create_id(count_id))
    assert sheet is not None
    rows = []
    for sku, quantity in counted.items():
        book = models.movements.stock_at(sku, body["location"], sheet.counted_at).on_hand
        change = None if quantity is None else quantity - book
        rows.append({"sku": sku, "counted": quantity, "book": book, "difference": change})
    return render(request, who, "count_review.html", sheet=body, rows=rows)


@router.post("/count-sheets/{count_id}/approve")
def approve(request: Request, who: Finance, form: Form, count_id: str) -> RedirectResponse:
    uncounted = "zero" if form.get("uncounted") == "zero" else None
    ledger_of(request).execute(ApproveCountSheet(count_id, uncounted), user=who.user)
    return RedirectResponse(f"/count-sheets/{count_id}/review", status_code=303)


@router.post("/count-sheets/{count_id}/reject")
def reject(request: Request, who: Finance, form: Form, count_id: str) -> RedirectResponse:
    note = form.get("note", "")
    ledger_of(request).execute(RejectCountSheet(count_id, note), user=who.user)
    return RedirectResponse(f"/count-sheets/{count_id}/review", status_code=303)
