"""``stockledger report cogs|valuation|food-cost|avt|journal``: a finance report on stdout,
as JSON or CSV, produced exactly as the API produces it (issue 35.6): the same views, the
same bodies (present.reports, the AvT body and CSV of api.schemas.count_sheets), the same
money places; ``report journal`` is ``stockledger journal``. The CLI opens the store
directly, as the other commands do (the owner's database access).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from enum import StrEnum
from typing import Annotated, Any

import typer

from api.routers.avt import interval
from api.routers.reports import started
from api.schemas.count_sheets import avt_body, avt_csv
from application.errors import ApplicationError
from cli import gl_journal
from cli.context import CatchUpOption, TenantOption, caught_up, err, fail
from domain.errors import DomainError
from present.money import with_places
from present.reports import COGS, FOOD_COST, VALUATION, Report
from projections.service import ReadModels


class Kind(StrEnum):
    cogs = "cogs"
    valuation = "valuation"
    food_cost = "food-cost"
    avt = "avt"
    journal = "journal"


def report(
    kind: Annotated[Kind, typer.Argument(help="cogs, valuation, food-cost, avt or journal")],
    period: Annotated[
        str | None, typer.Option(help="YYYY-MM: the period (cogs, food-cost: from and to)")
    ] = None,
    from_: Annotated[
        str | None,
        typer.Option("--from", help="YYYY-MM first period; for avt the first count id"),
    ] = None,
    to: Annotated[
        str | None, typer.Option(help="YYYY-MM last period; for avt the last count id")
    ] = None,
    location: Annotated[str | None, typer.Option(help="One location (avt: required)")] = None,
    group_by: Annotated[
        list[str] | None, typer.Option(help="Group keys, as the API's group_by")
    ] = None,
    format: Annotated[str, typer.Option(help="json or csv (journal: also beancount)")] = "json",
    catch_up: CatchUpOption = 60.0,  # ok-float: seconds
    tenant: TenantOption = None,
) -> None:
    """Print a report as GET /api/reports/… answers it, for finance automations:
    `stockledger report cogs --from 2026-10 --to 2026-11 --format csv > cogs.csv`."""
    if kind is Kind.journal:
        if period is None:
            raise typer.BadParameter("the journal needs --period", param_hint="--period")
        gl_journal.journal(period, format, catch_up, tenant)
        return
    if format not in ("json", "csv"):
        raise typer.BadParameter("json or csv", param_hint="--format")
    with caught_up(tenant, catch_up, kind.value) as read_models:
        try:
            with err.status(f"{kind.value}: summing"):
                text = _text(read_models, kind, (period, from_, to), location, group_by, format)
        except (DomainError, ApplicationError) as refused:
            raise fail(getattr(refused, "detail", None) or str(refused)) from None
    sys.stdout.write(text)


def _text(
    read_models: ReadModels,
    kind: Kind,
    when: tuple[str | None, str | None, str | None],
    location: str | None,
    group_by: Sequence[str] | None,
    format: str,
) -> str:
    period, from_, to = when
    places = read_models.settings.currency_decimals
    if kind is Kind.avt:
        if location is None:
            raise typer.BadParameter("avt needs --location", param_hint="--location")
        span, first, last = interval(read_models, location, from_, to)
        body = avt_body(location, first, last, read_models.avt.figures(span), places)
        return avt_csv(with_places(body, places)) if format == "csv" else _json(body, places)
    start, end = (from_ or period, to or period)
    found: Any
    chosen: Report
    if kind is Kind.valuation:
        if period is not None:
            started(period, read_models.settings.zone)
        chosen, keys = VALUATION, list(VALUATION.groups)
        found = read_models.cogs.valuation(period, location, None)
    elif kind is Kind.cogs:
        chosen = COGS
        keys = COGS.keys(group_by)
        found = read_models.cogs.cogs(start, end, location, None, keys)
    else:
        chosen = FOOD_COST
        keys = FOOD_COST.keys(group_by)
        found = read_models.food_cost.food_cost(start, end, location, None, keys)
    shaped = chosen.body(found, keys)
    if format == "csv":
        return chosen.csv(with_places(shaped, places), keys)
    return _json(shaped, places)


def _json(body: Any, places: int) -> str:
    placed = with_places(body, places, as_text=True)
    return json.dumps(placed, ensure_ascii=False, allow_nan=False, indent=2) + "\n"
