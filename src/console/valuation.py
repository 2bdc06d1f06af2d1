"""The valuation roll-forward of a period: opening + the movements' columns = closing, per
location and SKU (the API's report, from the same view)."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from api.routers.reports import PERIOD_PATTERN
from api.schemas import CODE_PATTERN
from console.session import Finance
from console.web import ConsoleRoute, NavEntry, Rows, read_models, render
from domain.access import Role
from present.reports import VALUATION

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)
NAV = NavEntry("Valuation", "/valuation", Role.FINANCE)
ROWS = 100  # rows per screen, the only ones read; the totals are of every row (in SQL)


@router.get("/valuation")
def valuation_page(
    request: Request,
    who: Finance,
    period: str = Query("", pattern=f"({PERIOD_PATTERN})|^$"),
    location: str = Query("", pattern=f"({CODE_PATTERN})|^$"),
    sku: str = Query("", pattern=f"({CODE_PATTERN})|^$"),
    page: int = Query(1, ge=1, le=100_000),
) -> HTMLResponse:
    models = read_models(request)
    found = models.cogs.valuation_screen(period or None, location or None, sku or None, page, ROWS)
    report = VALUATION.body(found.report, VALUATION.groups)
    locations, _ = models.catalogue.all_locations()
    return render(
        request,
        who,
        "valuation.html",
        report=report,
        rows=Rows.of(report["rows"], found.number, ROWS, found.count),
        amounts=VALUATION.amounts,
        period=period or (report["rows"][0]["period"] if report["rows"] else ""),
        location=location,
        sku=sku,
        locations=locations,
    )
