"""An item at one location: its balance at every location, its history (each movement with
the figures after it and its document in words, ``console.movement_words``), the stock at a
chosen moment, and a chart of on hand and value over time of its latest movements
(``console.chart``)."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from api.schemas import CODE_PATTERN
from console.chart import step_chart
from console.movement_words import document_label, kind_label, words_of
from console.session import Viewer
from console.web import ConsoleRoute, NavEntry, journal_of, read_models, render
from domain.access import Role
from domain.errors import ValidationError

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)
NAV = NavEntry("Items", "/items", Role.VIEWER)
PAGE_SIZE = 50
CHART_POINTS = 200


def moment(raw: str, request: Request) -> datetime | None:
    """The picker's local date-time (``2025-01-31T18:00``) in the ledger's zone."""
    if not raw:
        return None
    try:
        at = datetime.fromisoformat(raw)
    except ValueError:
        raise ValidationError("at must be a date and time", [{"field": "at"}]) from None
    zone = read_models(request).cogs.projection.zone
    return at if at.tzinfo is not None else at.replace(tzinfo=zone)


@router.get("/items", response_model=None)
def items_page(
    request: Request,
    who: Viewer,
    sku: str = Query("", pattern=f"({CODE_PATTERN})|^$"),
    location: str = Query("", pattern=f"({CODE_PATTERN})|^$"),
) -> HTMLResponse | RedirectResponse:
    """Open one position by SKU and location (the stock page and the catalogue link here)."""
    if sku and location:
        return RedirectResponse(f"/items/{sku}/{location}", status_code=303)
    locations, _ = read_models(request).catalogue.all_locations()
    return render(request, who, "items.html", sku=sku, locations=locations)


@router.get("/items/{sku}/{location}")
def item_page(
    request: Request,
    who: Viewer,
    sku: str = Path(pattern=CODE_PATTERN),
    location: str = Path(pattern=CODE_PATTERN),
    at: str = Query("", max_length=40),
    cursor: str | None = Query(None, max_length=512),
) -> HTMLResponse:
    models = read_models(request)
    settings = request.app.state.settings
    when = moment(at, request)
    item = models.catalogue.item(sku)
    history = models.movements.history(sku, location, None, None, None, PAGE_SIZE, cursor)
    recent = journal_of(request).recent(sku, location, CHART_POINTS)
    chart = step_chart(
        recent,
        unit=item.base_unit if item else "",
        currency=settings.currency,
        places=settings.currency_decimals,
        zone=settings.zone,
        what=lambda m: f"{kind_label(m.kind)} · {document_label(m.document_type, m.document_id)}",
    )
    return render(
        request,
        who,
        "item.html",
        sku=sku,
        location=location,
        item=item,
        stock=models.stock.of_sku(sku),
        page=history,
        words=words_of(request, history.items),
        kind_label=kind_label,
        at=at,
        stock_at=models.movements.stock_at(sku, location, when) if when else None,
        chart=chart,
        chart_points=len(recent),
    )
