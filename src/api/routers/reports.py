"""Finance reports: COGS and the valuation roll-forward, each as JSON or CSV."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from api.dependencies import answered, json_answer
from api.deps import Finance, ReportsDep
from api.problems import responses
from api.routing import DecimalRoute
from api.schemas import (
    CODE_PATTERN,
    CogsAmounts,
    CogsReport,
    ValuationAmounts,
    ValuationReport,
)
from api.schemas.reports import report_body
from domain.errors import ValidationError

router = APIRouter(prefix="/api/reports", tags=["reports"], route_class=DecimalRoute)

PERIOD_PATTERN = r"^[0-9]{4}-[0-9]{2}$"
GROUP_KEYS = ("period", "location", "sku")
AMOUNTS = tuple(CogsAmounts.model_fields)
VALUATION_AMOUNTS = tuple(ValuationAmounts.model_fields)


def group_keys(raw: list[str] | None) -> list[str]:
    """``group_by`` as repeated parameters or one comma-separated list; default all three."""
    if not raw:
        return list(GROUP_KEYS)
    keys = [part.strip() for item in raw for part in item.split(",") if part.strip()]
    unknown = [key for key in keys if key not in GROUP_KEYS]
    if unknown or not keys:
        raise ValidationError(
            f"group_by takes a subset of {', '.join(GROUP_KEYS)}", [{"field": "group_by"}]
        )
    return [key for key in GROUP_KEYS if key in keys]


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def report_csv(report: dict[str, Any], keys: list[str], amounts: tuple[str, ...]) -> str:
    """The rows as CSV with the JSON's columns, then a totals line: ``total`` in the first
    key column, the other keys blank, the totals' amounts."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    columns = [*keys, *amounts]
    writer.writerow(columns)
    for row in report["rows"]:
        writer.writerow([_cell(row.get(column)) for column in columns])
    totals = report["totals"]
    label = ["total", *([""] * (len(keys) - 1))]
    writer.writerow([*label, *(_cell(totals.get(name)) for name in amounts)])
    return out.getvalue()


def cogs_csv(report: dict[str, Any], keys: list[str]) -> str:
    return report_csv(report, keys, AMOUNTS)


def wants_csv(request: Request) -> bool:
    return "text/csv" in request.headers.get("accept", "")


def csv_or_json(description: str) -> dict[int | str, dict[str, Any]]:
    """The documented answers of a report: JSON, or CSV on ``Accept: text/csv``."""
    csv_content = {"text/csv": {"schema": {"type": "string"}}}
    return {
        200: {"description": description, "content": csv_content},
        **responses(401, 403, 422, 503),
    }


@router.get(
    "/cogs",
    response_model=CogsReport,
    response_model_exclude_none=True,
    responses=csv_or_json("COGS rows and totals; `Accept: text/csv` gives the rows as CSV"),
    summary="Cost of goods sold per period, location and SKU",
)
def cogs(
    request: Request,
    who: Finance,
    reports: ReportsDep,
    from_: str | None = Query(None, alias="from", pattern=PERIOD_PATTERN, examples=["2026-01"]),
    to: str | None = Query(None, pattern=PERIOD_PATTERN, examples=["2026-03"]),
    location: str | None = Query(None, pattern=CODE_PATTERN),
    sku: str | None = Query(None, pattern=CODE_PATTERN),
    group_by: list[str] | None = Query(
        None, description="Subset of period,location,sku (comma-separated or repeated)"
    ),
) -> Any:
    keys = group_keys(group_by)
    body = report_body(reports.cogs(from_, to, location, sku, keys), tuple(keys))
    if wants_csv(request):
        return Response(cogs_csv(answered(request, body), keys), media_type="text/csv")
    return json_answer(request, body)


@router.get(
    "/valuation",
    response_model=ValuationReport,
    responses=csv_or_json(
        "Valuation rows and totals; `Accept: text/csv` gives them as CSV "
        "(same columns, then a totals line)"
    ),
    summary="Valuation roll-forward: opening + movements = closing, per position",
)
def valuation(
    request: Request,
    who: Finance,
    reports: ReportsDep,
    period: str | None = Query(None, pattern=PERIOD_PATTERN, examples=["2026-03"]),
    location: str | None = Query(None, pattern=CODE_PATTERN),
    sku: str | None = Query(None, pattern=CODE_PATTERN),
) -> Any:
    body = report_body(reports.valuation(period, location, sku), GROUP_KEYS)
    if wants_csv(request):
        report = answered(request, body)
        return Response(
            report_csv(report, list(GROUP_KEYS), VALUATION_AMOUNTS), media_type="text/csv"
        )
    return json_answer(request, body)
