"""AvT (finance): actual versus theoretical usage of a location between two approved full
counts, sortable by unexplained value, each figure drilling down to its movements, and the
CSV of every row and column. The figures are ``GET /api/reports/avt``'s: the same query
(``AvtView.figures``), body (``api.schemas.count_sheets.avt_body``) and money places."""

from __future__ import annotations

from dataclasses import asdict
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import HTMLResponse

from api.schemas import CODE_PATTERN
from api.schemas.count_sheets import avt_body, avt_csv
from application.errors import NotFoundError
from console.session import Finance
from console.web import HEADERS, ConsoleRoute, NavEntry, read_models, render
from domain import avt
from domain.access import Role
from present.money import places_of, with_places
from projections.avt import Interval
from projections.count_sheets import compared
from projections.service import ReadModels

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)
NAV = NavEntry("AvT", "/avt", Role.FINANCE)
Code = f"({CODE_PATTERN})|^$"
Location = Query("", pattern=Code)
FromCount = Query("", pattern=Code)
ToCount = Query("", pattern=Code)
Sort = Query("unexplained", pattern="^(unexplained|sku|variance)$")
# The columns on screen (every column is in the CSV), each a drill-down.
SHOWN = ("opening", "received", "closing", "actual", "theoretical", "waste", "unexplained")


def _report(
    request: Request, location: str, from_count: str, to_count: str
) -> tuple[dict[str, Any] | None, list[Any], str | None]:
    """The API's body for the selection (None with the reason when there is none), and the
    location's approved full counts to choose from."""
    models: ReadModels = read_models(request)
    models.wait_for(models.events.head(), models.settings.read_your_writes_wait)
    sheets, _ = models.count_sheets.approved_full(location) if location else ([], 0)
    if not location:
        return None, sheets, "Choose a location."
    try:
        first, last = compared(sheets, location, from_count or None, to_count or None)
    except NotFoundError as missing:
        return None, sheets, missing.detail
    assert first.approved_position is not None and last.approved_position is not None
    models.wait_for(last.approved_position, models.settings.read_your_writes_wait)
    span = Interval(location, first.approved_position, last.approved_position)
    found = models.avt.figures(span)
    body = avt_body(location, first.count_id, last.count_id, found, places_of(request))
    return body, sheets, None


def _sorted(rows: list[dict[str, Any]], sort: str) -> list[dict[str, Any]]:
    if sort == "sku":
        return sorted(rows, key=lambda r: r["sku"])
    key = "variance_pct" if sort == "variance" else "unexplained_value"
    return sorted(rows, key=lambda r: (-(r[key] or Decimal(0)), r["sku"]))


@router.get("/avt")
def avt_page(
    request: Request,
    who: Finance,
    location: str = Location,
    from_count: str = FromCount,
    to_count: str = ToCount,
    sort: str = Sort,
) -> HTMLResponse:
    body, sheets, reason = _report(request, location, from_count, to_count)
    locations, _ = read_models(request).catalogue.all_locations()
    rows = _sorted(body["rows"], sort) if body else []
    return render(
        request,
        who,
        "avt.html",
        report=body,
        rows=rows,
        reason=reason,
        sheets=sheets,
        locations=locations,
        location=location,
        sort=sort,
        shown=SHOWN,
    )


@router.get("/avt.csv")
def avt_download(
    request: Request,
    who: Finance,
    location: str = Location,
    from_count: str = FromCount,
    to_count: str = ToCount,
) -> Response:
    body, _, reason = _report(request, location, from_count, to_count)
    if body is None:
        raise NotFoundError(reason or "no report")
    headers = {**HEADERS, "Content-Disposition": 'attachment; filename="avt.csv"'}
    return Response(avt_csv(body), media_type="text/csv", headers=headers)


@router.get("/avt/movements")
def avt_movements(
    request: Request,
    who: Finance,
    location: str = Query(pattern=CODE_PATTERN),
    sku: str = Query(pattern=CODE_PATTERN),
    column: str = Query(pattern="^(" + "|".join(avt.COLUMNS) + ")$"),
    from_count: str = FromCount,
    to_count: str = ToCount,
) -> HTMLResponse:
    body, _, reason = _report(request, location, from_count, to_count)
    if body is None:
        raise NotFoundError(reason or "no report")
    models = read_models(request)
    sheets, _ = models.count_sheets.approved_full(location)
    first, last = compared(sheets, location, body["from_count"], body["to_count"])
    assert first.approved_position is not None and last.approved_position is not None
    span = Interval(location, first.approved_position, last.approved_position)
    records, _ = models.avt.behind(span, sku, column)
    row = next((r for r in body["rows"] if r["sku"] == sku), None)
    figure = row[f"{column}_value"] if row else None
    movements = with_places([asdict(r) for r in records], places_of(request))
    return render(
        request,
        who,
        "avt_movements.html",
        report=body,
        sku=sku,
        column=column,
        figure=figure,
        movements=movements,
    )
