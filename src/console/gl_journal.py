"""The general-ledger journal (finance, SPEC §15): a period's entries per location with
downloads (JSON, manual-journal CSV, beancount), and the reconciliation of the journal's
inventory with the valuation roll-forward, period by period. Produced as the API produces
them (present.gl_journal): a closed period's journal is its frozen text."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, Response

from api.params import PERIOD_PATTERN
from console.params import AnyPeriod
from console.session import Finance
from console.web import ConsoleRoute, NavEntry, ledger_of, read_models, render
from domain.access import Role
from domain.rollforward import period_of
from present.gl_journal import journal_text, reconciliation, to_beancount, to_csv

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)
NAV = NavEntry("GL journal", "/gl-journal", Role.FINANCE)
MEDIA = {"json": "application/json", "csv": "text/csv", "beancount": "text/plain"}
MONTHS = 12  # the reconciliation shows twelve periods


def _places(request: Request) -> int:
    places: int = request.app.state.settings.currency_decimals
    return places


def _now(request: Request) -> str:
    models = read_models(request)
    return period_of(ledger_of(request).clock(), models.zone)


@router.get("/gl-journal")
def journal_page(request: Request, who: Finance, period: AnyPeriod = "") -> HTMLResponse:
    chosen = period or _now(request)
    text = journal_text(ledger_of(request), read_models(request), chosen, _places(request))
    body = json.loads(text)
    closed = chosen in ledger_of(request).books().closes
    return render(request, who, "gl_journal.html", body=body, period=chosen, closed=closed)


@router.get("/gl-journal/{period}.{fmt}")
def download(
    request: Request,
    who: Finance,
    period: str = Path(pattern=PERIOD_PATTERN),
    fmt: str = Path(pattern="^(json|csv|beancount)$"),
) -> Response:
    text = journal_text(ledger_of(request), read_models(request), period, _places(request))
    content = to_csv(text) if fmt == "csv" else to_beancount(text) if fmt == "beancount" else text
    name = f"journal-{period}.{fmt}"
    return Response(
        content,
        media_type=f"{MEDIA[fmt]}; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/gl-journal/reconciliation")
def reconciliation_page(request: Request, who: Finance, to: AnyPeriod = "") -> HTMLResponse:
    """The twelve periods up to ``to`` (default: the current one)."""
    last = min(to, _now(request)) if to else _now(request)
    year, month = int(last[:4]), int(last[5:])
    periods = []
    for _ in range(MONTHS):
        periods.append(f"{year:04d}-{month:02d}")
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    rows = reconciliation(
        ledger_of(request), read_models(request), sorted(periods), _places(request)
    )
    checked = datetime.now(UTC)
    return render(request, who, "gl_reconciliation.html", rows=rows, checked=checked)
