"""What sales owe (SPEC §17): every position a ticket consumed more of than the shelf held,
with the quantity owed and the sales owing it, until the next delivery settles it."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from api.schemas.common import CODE_PATTERN
from console.session import Viewer
from console.web import ConsoleRoute, NavEntry, read_models, render
from domain.access import Role

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)
NAV = NavEntry("Owed", "/owed", Role.VIEWER)


@router.get("/owed")
def owed_page(
    request: Request, who: Viewer, location: str | None = Query(None, pattern=CODE_PATTERN)
) -> HTMLResponse:
    items, position = read_models(request).stock.owed(location or None)
    return render(request, who, "owed.html", items=items, location=location, position=position)
