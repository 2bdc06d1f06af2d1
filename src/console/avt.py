"""AvT (finance): actual versus theoretical usage of a location between two approved full
counts, sortable by unexplained value, each figure drilling down to its movements, and the
CSV of every row and column. The figures are ``GET /api/reports/avt``'s: the same query
(``AvtView.figures``), body (``api.schemas.count_sheets.avt_body``) and money places."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import HTMLResponse

from api.schemas.count_sheets import avt_body, avt_csv
from application.errors import NotFoundError
from console.movement_words import words_of
from console.params import AnyCode, Code
from console.session import Finance
from console.web import ConsoleRoute, NavEntry, csv_file, read_models, render
from domain import avt
from domain.access import Role
from present.money import places_of, with_places
from projections.avt import Interval
from projections.count_sheets import compared
from projections.service import ReadModels

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)
NAV = NavEntry("AvT", "/avt", Role.FINANCE)
Sort = Query("unexplained", pattern="^(unexplained|sku|variance)$")
Column = Query(pattern="^(" + "|".join(avt.COLUMNS) + ")$")
# The columns on screen (every column is in the CSV), each a drill-down.
SHOWN = ("opening", "received", "closing", "actual", "theoretical", "waste", "unexplained")


@dataclass(frozen=True)
class Compared:
    """The API's body for a location between two approved full counts (None with the
    reason when there is none), the interval it reads and the counts to choose from."""

    location: str
    body: dict[str, Any] | None
    span: Interval | None
    sheets: list[Any]
    reason: str | None

    def found(self) -> tuple[dict[str, Any], Interval]:
        """The body and its interval; a 404 naming the reason when there is none."""
        if self.body is None or self.span is None:
            raise NotFoundError(self.reason or "no report")
        return self.body, self.span


def _report(
    request: Request, location: AnyCode = "", from_count: AnyCode = "", to_count: AnyCode = ""
) -> Compared:
    """The selection: a location and two of its approved full counts (blank: the last two)."""
    models: ReadModels = read_models(request)
    models.settle()
    sheets, _ = models.count_sheets.approved_full(location) if location else ([], 0)
    if not location:
        return Compared(location, None, None, sheets, "Choose a location.")
    try:
        first, last = compared(sheets, location, from_count or None, to_count or None)
    except NotFoundError as missing:
        return Compared(location, None, None, sheets, missing.detail)
    assert first.approved_position is not None and last.approved_position is not None
    models.settle(last.approved_position)
    span = Interval(location, first.approved_position, last.approved_position)
    found = models.avt.figures(span)
    body = avt_body(location, first.count_id, last.count_id, found, places_of(request))
    return Compared(location, body, span, sheets, None)


Selected = Annotated[Compared, Depends(_report)]


def _sorted(rows: list[dict[str, Any]], sort: str) -> list[dict[str, Any]]:
    if sort == "sku":
        return sorted(rows, key=lambda r: r["sku"])
    key = "variance_pct" if sort == "variance" else "unexplained_value"
    return sorted(rows, key=lambda r: (-(r[key] or Decimal(0)), r["sku"]))


@router.get("/avt")
def avt_page(request: Request, who: Finance, chosen: Selected, sort: str = Sort) -> HTMLResponse:
    locations, _ = read_models(request).catalogue.all_locations()
    return render(
        request,
        who,
        "avt.html",
        report=chosen.body,
        rows=_sorted(chosen.body["rows"], sort) if chosen.body else [],
        reason=chosen.reason,
        sheets=chosen.sheets,
        locations=locations,
        location=chosen.location,
        sort=sort,
        shown=SHOWN,
    )


@router.get("/avt.csv")
def avt_download(request: Request, who: Finance, chosen: Selected) -> Response:
    body, _ = chosen.found()
    return csv_file(avt_csv(body), "avt")


@router.get("/avt/movements")
def avt_movements(
    request: Request,
    who: Finance,
    chosen: Selected,
    location: Code,
    sku: Code,
    column: str = Column,
) -> HTMLResponse:
    body, span = chosen.found()
    records, _ = read_models(request).avt.behind(span, sku, column)
    row = next((r for r in body["rows"] if r["sku"] == sku), None)
    return render(
        request,
        who,
        "avt_movements.html",
        report=body,
        sku=sku,
        column=column,
        figure=row[f"{column}_value"] if row else None,
        movements=with_places([asdict(r) for r in records], places_of(request)),
        words=words_of(request, records),
    )
