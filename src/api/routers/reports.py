"""Finance reports: COGS and the valuation roll-forward, each as JSON or CSV."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from api.auth import Finance
from api.dependencies import ReportsDep
from api.problems import responses
from api.respond import respond
from api.routing import DecimalRoute
from api.schemas import CODE_PATTERN, CogsReport, ValuationReport
from application.errors import PeriodNotStartedError
from present.reports import COGS, VALUATION, Found, Report

router = APIRouter(prefix="/api/reports", tags=["reports"], route_class=DecimalRoute)

PERIOD_PATTERN = r"^[0-9]{4}-[0-9]{2}$"
GROUP_BY = "Subset of {} (comma-separated or repeated)"


def report_answer(
    request: Request, report: Report, found: Found, keys: Sequence[str], *, shaped: bool = True
) -> Response:
    """A report as JSON (``shaped``: written straight from its body, which has the model's
    shape), or as CSV on ``Accept: text/csv``: the same body, its money placed."""
    body = report.body(found, keys)
    if wants_csv(request):
        answer = respond(request, body, csv=lambda placed: report.csv(placed, keys))
        answer.headers["Content-Disposition"] = f'attachment; filename="{csv_name(request)}"'
        return answer
    return respond(request, body, shaped=shaped)


def started(period: str, zone: ZoneInfo) -> None:
    """Refuses a period that has not started in the ledger's zone (409 period_not_started):
    its report would show figures for a month nobody has lived yet."""
    year, month = (int(part) for part in period.split("-"))
    start = datetime(year, month, 1, tzinfo=zone) if 1 <= month <= 12 else None
    if start is not None and start > datetime.now(zone):
        raise PeriodNotStartedError(
            f"period {period} has not started: it starts {start.isoformat()}"
        )


def csv_name(request: Request) -> str:
    """A CSV answer's file name saying what and when (issue 35.5): the report, the values
    it was asked for in the order given, and the UTC minute it was made —
    ``cogs-2026-11-2026-12-main-20261207T0304Z.csv``."""
    asked = [
        v
        for k, v in request.query_params.multi_items()
        if k not in ("min_position", "format") and v
    ]
    words = [request.url.path.rstrip("/").rsplit("/", 1)[-1], *asked]
    made = datetime.now(UTC).strftime("%Y%m%dT%H%MZ")
    name = "-".join(re.sub(r"[^A-Za-z0-9._-]+", "_", word) for word in words)
    return f"{name}-{made}.csv"


def wants_csv(request: Request) -> bool:
    return "text/csv" in request.headers.get("accept", "")


def csv_or_json(description: str) -> dict[int | str, dict[str, Any]]:
    """The documented answers of a report: JSON, or CSV on ``Accept: text/csv``."""
    csv_content = {"text/csv": {"schema": {"type": "string"}}}
    return {
        200: {"description": description, "content": csv_content},
        **responses(401, 403, 409, 422, 503),
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
    group_by: list[str] | None = Query(None, description=GROUP_BY.format(",".join(COGS.groups))),
) -> Any:
    keys = COGS.keys(group_by)
    return report_answer(request, COGS, reports.cogs(from_, to, location, sku, keys), keys)


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
    if period is not None:
        started(period, request.app.state.settings.zone)
    found = reports.valuation(period, location, sku)
    return report_answer(request, VALUATION, found, VALUATION.groups)
