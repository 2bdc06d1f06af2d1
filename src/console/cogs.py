"""COGS by period × location; any figure drills down to its SKUs, and a SKU's figure to the
movements behind it; CSV of the selection on screen, every row (the API's CSV writer)."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import HTMLResponse

from console.movement_words import words_of
from console.params import Code, Cursor, PageNumber, Period
from console.report_page import Selected, Span, report_page, screened
from console.session import Finance
from console.web import ConsoleRoute, NavEntry, csv_download, journal_of, read_models, render
from domain.access import Role
from domain.errors import ValidationError
from domain.rollforward import COGS_KINDS
from present.reports import COGS, Body

if TYPE_CHECKING:
    from application.records import MovementRecord

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)
NAV = NavEntry("COGS", "/cogs", Role.FINANCE)
PAGE_SIZE = 200

# The movement kinds behind each COGS column (its declaration), by column and by group
# ("shipped" for shipped_qty and shipped_value; "net" for net_cogs).
KINDS = {name.split("_")[0]: tuple(kinds) for name, kinds in COGS_KINDS.items()}
COLUMN_KINDS = {name: name.split("_")[0] for name in COGS_KINDS}


INWARD = ("returned", "voided")  # columns whose figure is the movements' value as recorded


def share(movement: MovementRecord, column: str, group: str) -> Decimal:
    """What ``movement`` adds to a COGS figure of ``column``: costs are positive, so an
    outbound movement's (negative) value counts negated, a return's or void's as recorded
    (and subtracted from net COGS), a VARIANCE's amount to COGS as it is."""
    variance = movement.variance or Decimal(0)
    if group == "variance":
        return variance
    if column.endswith("_qty"):
        delta = movement.on_hand_delta
        return delta if group in INWARD else -delta
    if group == "net":
        return -movement.value + variance
    return movement.value if group in INWARD else -movement.value


def _report(request: Request, span: Span, sku: str, keys: list[str]) -> Body:
    from_, to, location = span.bounds()
    return COGS.body(read_models(request).cogs.cogs(from_, to, location, sku or None, keys), keys)


def _keys(by_sku: bool) -> list[str]:
    return ["period", "location", "sku"] if by_sku else ["period", "location"]


@router.get("/cogs")
def cogs_page(
    request: Request, who: Finance, span: Selected, by_sku: bool = False, page: PageNumber = 1
) -> HTMLResponse:
    """Period × location, or (``by_sku``, the first drill-down) × SKU."""
    keys = _keys(by_sku)
    report = _report(request, span, "", keys)
    return report_page(
        request,
        who,
        "cogs.html",
        COGS,
        report,
        screened(report, page),
        keys=keys,
        # Quantities of different SKUs are in different units: shown by SKU only.
        shown=[a for a in COGS.amounts if by_sku or not a.endswith("_qty")],
        kinds=COLUMN_KINDS,
        by_sku=by_sku,
        **span.context(),
    )


@router.get("/cogs.csv")
def cogs_csv_page(request: Request, who: Finance, span: Selected, by_sku: bool = False) -> Response:
    keys = _keys(by_sku)
    return csv_download(request, COGS, _report(request, span, "", keys), keys)


@router.get("/cogs/movements")
def cogs_movements(
    request: Request,
    who: Finance,
    period: Period,
    location: Code,
    sku: Code,
    column: str = Query("net_cogs", max_length=32),
    cursor: Cursor = None,
) -> HTMLResponse:
    """The movements behind one figure: one SKU at one location in one period."""
    group = COLUMN_KINDS.get(column)  # a figure's column; a group ("net") has no figure
    if group not in KINDS:
        raise ValidationError(f"unknown column {column}", [{"field": "column"}])
    keys = ["period", "location", "sku"]
    read_models(request).settle()  # the figure (COGS) and its rows (the journal) must tie
    report = _report(request, Span(period, period, location), sku, keys)
    page = journal_of(request).behind(period, location, sku, KINDS[group], PAGE_SIZE, cursor)
    shares = {m.position: share(m, column, group) for m in page.items}
    return render(
        request,
        who,
        "cogs_movements.html",
        report=report,
        amounts=COGS.amounts,
        column=column,
        kinds=KINDS[group],
        period=period,
        location=location,
        sku=sku,
        page=page,
        words=words_of(request, page.items),
        shares=shares,
        whole=page.next_cursor is None and cursor is None,
    )
