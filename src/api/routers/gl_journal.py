"""The general-ledger journal (SPEC §15): the account map (admin sets, finance reads), the
journal of a period as JSON, manual-journal CSV or beancount text, and its reconciliation
with the valuation roll-forward. A closed period's journal is answered from its frozen text
(present.gl_journal), byte for byte."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any, Literal

from fastapi import Query, Request, Response
from fastapi.routing import APIRoute

from api.auth import Principal
from api.dependencies import FreshReadModels, LedgerDep
from api.params import PERIOD_PATTERN
from api.problems import ProjectionLaggingError
from api.route_table import Routes
from api.routers.reports import csv_name
from api.schemas.gl_journal import JournalPublic, MapIn, MapPublic, ReconciliationPublic
from application.accounts import account_map, set_map
from domain.access import Role
from domain.books import check_period
from present.gl_journal import (
    journal_text,
    locations_in_use,
    reconciliation,
    to_beancount,
    to_csv,
)

# FastAPI's own routes (not DecimalRoute): the journal's queries are read as they always were.
router = Routes("/api", "journal", Role.FINANCE, route_class=APIRoute)

PERIOD = PERIOD_PATTERN
JOURNAL = {
    "model": JournalPublic,
    "content": {"text/csv": {}, "text/plain": {}},
    "description": "JSON; format=csv: the manual-journal CSV; format=beancount: text",
}


def _map_body(ledger: Any) -> dict[str, Any]:
    version = account_map(ledger).current()
    return {
        "version": version.version,
        "set_at": version.set_at.isoformat(),
        "set_by": version.set_by,
        "rules": [rule.as_dict() for rule in version.rules],
    }


def _places(request: Request) -> int:
    places: int = request.app.state.settings.currency_decimals
    return places


@router.write("PUT", "/accounts/map", MapPublic, 503, role=Role.ADMIN)  # 503: read models behind
def put_map(
    request: Request, body: MapIn, who: Principal, ledger: LedgerDep, read_models: FreshReadModels
) -> Any:
    """Set the account map (every role must resolve at every location)"""
    locations = locations_in_use(read_models, ledger)
    if locations is None:
        raise ProjectionLaggingError("the read models are behind the ledger; retry shortly")
    set_map(ledger, [r.model_dump() for r in body.rules], locations, who.user)
    return _map_body(ledger)


@router.read("/accounts/map", MapPublic, 409)
def get_map(ledger: LedgerDep) -> Any:
    """The account map"""
    return _map_body(ledger)


@router.read("/journal", None, 409, 503, answers=JOURNAL)
def journal(
    request: Request,
    ledger: LedgerDep,
    read_models: FreshReadModels,
    period: str = Query(pattern=PERIOD),
    location: str | None = None,
    format: Literal["json", "csv", "beancount"] = "json",
) -> Response:
    """The general-ledger journal of a period (JSON, CSV or beancount)"""
    text = journal_text(ledger, read_models, period, _places(request))
    if location is not None:
        text = _only(text, location)
    if format == "csv":
        named = {"Content-Disposition": f'attachment; filename="{csv_name(request)}"'}
        return Response(to_csv(text), media_type="text/csv; charset=utf-8", headers=named)
    if format == "beancount":
        return Response(to_beancount(text), media_type="text/plain; charset=utf-8")
    return Response(text, media_type="application/json")


def _only(text: str, location: str) -> str:
    body = json.loads(text)
    body["entries"] = [e for e in body["entries"] if e["location"] == location]
    for side in ("debit", "credit"):
        total = sum((Decimal(x[side]) for e in body["entries"] for x in e["lines"]), Decimal(0))
        body["totals"][side] = str(total.quantize(Decimal(body["totals"][side])))
    return json.dumps(body, separators=(",", ":"))


@router.read("/journal/reconciliation", ReconciliationPublic, 409, 503)
def reconcile(
    request: Request,
    ledger: LedgerDep,
    read_models: FreshReadModels,
    from_: str = Query(alias="from", pattern=PERIOD),
    to: str = Query(pattern=PERIOD),
) -> Any:
    """The journal's inventory against the valuation roll-forward, per period and location"""
    check_period(from_)
    check_period(to)
    periods: list[str] = []
    year, month = int(from_[:4]), int(from_[5:])
    while f"{year:04d}-{month:02d}" <= to and len(periods) < 120:
        periods.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    rows = reconciliation(ledger, read_models, periods, _places(request))
    return {"rows": rows}
