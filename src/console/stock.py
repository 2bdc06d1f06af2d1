"""Stock: every position's balance, searched by SKU prefix, filtered by location, paged,
with the positions at or below their reorder point marked low."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from console.params import AnyCode, Cursor, Search
from console.session import Viewer
from console.web import ConsoleRoute, NavEntry, read_models, render
from domain.access import Role

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)
NAV = NavEntry("Stock", "/stock", Role.VIEWER)
PAGE_SIZE = 50


@router.get("/stock")
def stock_page(
    request: Request, who: Viewer, q: Search = "", location: AnyCode = "", cursor: Cursor = None
) -> HTMLResponse:
    models = read_models(request)
    page = models.stock.page(location or None, q or None, PAGE_SIZE, cursor)
    low, _ = models.catalogue.low_stock(location or None)
    locations, _ = models.catalogue.all_locations()
    units = models.catalogue.units_of(b.sku for b in page.items)
    return render(
        request,
        who,
        "stock.html",
        page=page,
        low={(row.sku, row.location) for row in low},
        locations=locations,
        units=units,
        q=q,
        location=location,
    )
