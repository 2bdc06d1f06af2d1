"""Actual versus theoretical usage (SPEC §13): the report between two approved full counts
of a location (JSON, or CSV on ``Accept: text/csv``), and the drill-down from any of its
figures to the movements behind it."""

from __future__ import annotations

from typing import Any

from fastapi import Query, Request, Response
from pydantic import BaseModel

from api.dependencies import FreshReadModels
from api.params import CodeFilter, CodeQuery
from api.problems import ProjectionLaggingError
from api.respond import respond
from api.route_table import Routes
from api.routers.reports import csv_name
from api.schemas import MovementPublic, movement_body
from api.schemas.count_sheets import AvtReport, avt_body, avt_csv
from domain import avt
from domain.access import Role
from present.money import places_of
from projections.avt import Interval
from projections.count_sheets import compared
from projections.service import ReadModels

router = Routes("/api/reports", "reports", Role.FINANCE)

COLUMN_PATTERN = "^(" + "|".join(avt.COLUMNS) + ")$"
CSV = {
    "description": "AvT rows and totals; `Accept: text/csv` gives them as CSV",
    "content": {"text/csv": {"schema": {"type": "string"}}},
}


class AvtMovements(BaseModel):
    sku: str
    column: str
    items: list[MovementPublic]  # type: ignore[valid-type]  # derived: MOVEMENT_SHAPE
    position: int


def interval(
    read_models: ReadModels, location: str, from_count: str | None, to_count: str | None
) -> tuple[Interval, str, str]:
    """The interval between two approved full counts of ``location`` (by default the last
    two), once the read models have read up to the closing one. The counts are looked up
    once the read models have read the ledger's head (an approval just made counts)."""
    read_models.settle()
    sheets, _ = read_models.count_sheets.approved_full(location)
    first, last = compared(sheets, location, from_count, to_count)
    after, upto = first.approved_position, last.approved_position
    assert after is not None and upto is not None
    if not read_models.settle(upto):
        raise ProjectionLaggingError(f"the read models have not reached position {upto} yet")
    return Interval(location, after, upto), first.count_id, last.count_id


@router.read("/avt", AvtReport, 404, 503, answers=CSV)
def avt_report(
    request: Request,
    read_models: FreshReadModels,
    location: CodeQuery,
    from_count: CodeFilter = None,
    to_count: CodeFilter = None,
) -> Response:
    """Actual versus theoretical usage between two approved full counts"""
    span, from_id, to_id = interval(read_models, location, from_count, to_count)
    found = read_models.avt.figures(span)
    body = avt_body(location, from_id, to_id, found, places_of(request))
    if "text/csv" in request.headers.get("accept", ""):
        answer = respond(request, body, csv=avt_csv)
        answer.headers["Content-Disposition"] = f'attachment; filename="{csv_name(request)}"'
        return answer
    return respond(request, body, shaped=True)


@router.read("/avt/movements", AvtMovements, 404, 503)
def avt_movements(
    read_models: FreshReadModels,
    location: CodeQuery,
    sku: CodeQuery,
    column: str = Query(pattern=COLUMN_PATTERN),
    from_count: CodeFilter = None,
    to_count: CodeFilter = None,
) -> Any:
    """The movements behind one figure of an AvT row (its column, for one SKU)"""
    span, _, _ = interval(read_models, location, from_count, to_count)
    records, position = read_models.avt.behind(span, sku, column)
    items = [movement_body(r) for r in records]
    return {"sku": sku, "column": column, "items": items, "position": position}
