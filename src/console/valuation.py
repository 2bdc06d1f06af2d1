"""The valuation roll-forward of a period: opening + the movements' columns = closing, per
location and SKU (the API's report, from the same view)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from console.params import AnyCode, AnyPeriod, PageNumber
from console.report_page import ROWS, report_page
from console.session import Finance
from console.web import ConsoleRoute, NavEntry, Rows, read_models
from domain.access import Role
from present.reports import VALUATION

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)
NAV = NavEntry("Valuation", "/valuation", Role.FINANCE)


@router.get("/valuation")
def valuation_page(
    request: Request,
    who: Finance,
    period: AnyPeriod = "",
    location: AnyCode = "",
    sku: AnyCode = "",
    page: PageNumber = 1,
) -> HTMLResponse:
    """One screen of rows, the only ones read; the totals are of every row (in SQL)."""
    found = read_models(request).cogs.valuation_screen(
        period or None, location or None, sku or None, page, ROWS
    )
    report = VALUATION.body(found.report, VALUATION.groups)
    return report_page(
        request,
        who,
        "valuation.html",
        VALUATION,
        report,
        Rows.of(report["rows"], found.number, ROWS, found.count),
        period=period or (report["rows"][0]["period"] if report["rows"] else ""),
        location=location,
        sku=sku,
    )
