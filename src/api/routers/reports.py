"""Finance reports: COGS and the valuation roll-forward, each as JSON or CSV."""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import Query, Request
from fastapi.responses import Response

from api.dependencies import ReportsDep
from api.params import PERIOD_PATTERN, CodeFilter
from api.respond import respond
from api.route_table import Routes
from api.schemas import CogsReport, ValuationReport
from application.errors import PeriodNotStartedError
from domain.access import Role
from present.reports import COGS, VALUATION, Found, Report
from projections.cogs_view import CogsView

router = Routes("/api/reports", "reports", Role.FINANCE)

Period = Annotated[str | None, Query(pattern=PERIOD_PATTERN, examples=["2026-03"])]
From = Annotated[str | None, Query(alias="from", pattern=PERIOD_PATTERN, examples=["2026-01"])]
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


def csv_or_json(description: str) -> dict[str, Any]:
    """The 200 of a report: JSON, or CSV on ``Accept: text/csv`` (``Routes``' ``answers``)."""
    return {"description": description, "content": {"text/csv": {"schema": {"type": "string"}}}}


def grouping(report: Report) -> Any:
    """The ``group_by`` query parameter of ``report``."""
    return Query(None, description=GROUP_BY.format(",".join(report.groups)))


COGS_CSV = csv_or_json("COGS rows and totals; `Accept: text/csv` gives the rows as CSV")
VALUATION_CSV = csv_or_json(
    "Valuation rows and totals; `Accept: text/csv` gives them as CSV "
    "(same columns, then a totals line)"
)


def over_months(
    report: Report, source: Any, query: Callable[..., Any], summary: str, *, shaped: bool = True
) -> Callable[..., Response]:
    """The answer of a grouped ``report`` over a span of months (``from``, ``to``), filtered
    by each of its other group keys (``location``, ``sku``…), grouped by ``group_by``: its
    query parameters follow the report's declaration. ``source`` is the view's dependency,
    ``query(view, from_, to, *filters, keys)`` its rows."""
    filters = [key for key in report.groups if key != "period"]

    def answer(
        request: Request, view: Any, from_: Any, to: Any, group_by: Any, **given: Any
    ) -> Response:
        keys = report.keys(group_by)
        found = query(view, from_, to, *(given[key] for key in filters), keys)
        return report_answer(request, report, found, keys, shaped=shaped)

    def parameter(name: str, annotation: Any, default: Any = None) -> inspect.Parameter:
        return inspect.Parameter(
            name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=annotation
        )

    answer.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [
            parameter("request", Request, inspect.Parameter.empty),
            parameter("view", source, inspect.Parameter.empty),
            parameter("from_", From),
            parameter("to", Period),
            *(parameter(key, CodeFilter) for key in filters),
            parameter("group_by", list[str] | None, grouping(report)),
        ],
        return_annotation=Response,
    )
    answer.__name__ = answer.__qualname__ = report.name.replace("-", "_")
    answer.__doc__ = summary
    return answer


COGS_SUMMARY = "Cost of goods sold per period, location and SKU"
cogs = router.read(
    "/cogs", CogsReport, 409, 503, answers=COGS_CSV, response_model_exclude_none=True
)(over_months(COGS, ReportsDep, CogsView.cogs, COGS_SUMMARY))


@router.read("/valuation", ValuationReport, 409, 503, answers=VALUATION_CSV)
def valuation(
    request: Request,
    reports: ReportsDep,
    period: Period = None,
    location: CodeFilter = None,
    sku: CodeFilter = None,
) -> Response:
    """Valuation roll-forward: opening + movements = closing, per position"""
    if period is not None:
        started(period, request.app.state.settings.zone)
    found = reports.valuation(period, location, sku)
    return report_answer(request, VALUATION, found, VALUATION.groups)
