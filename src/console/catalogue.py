"""The catalogue: items (searched by SKU, name or barcode; with their pack units and
reorder points), the locations, and every position at or below its reorder point."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from console.params import Cursor, Search
from console.session import Viewer
from console.web import ConsoleRoute, NavEntry, read_models, render
from domain.access import Role

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)
NAV = NavEntry("Catalogue", "/catalogue", Role.VIEWER)
PAGE_SIZE = 50


@router.get("/catalogue")
def catalogue_page(
    request: Request, who: Viewer, search: Search = "", cursor: Cursor = None
) -> HTMLResponse:
    catalogue = read_models(request).catalogue
    page = catalogue.search(search or None, None, PAGE_SIZE, cursor)
    locations, _ = catalogue.all_locations()
    low, _ = catalogue.low_stock(None)
    return render(
        request,
        who,
        "catalogue.html",
        page=page,
        search=search,
        locations=locations,
        low=low,
    )
