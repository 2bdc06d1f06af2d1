"""Periods: the closed ones with their digests, one with its totals and the verified badge
(does the ledger still reproduce the close?), and closing an ended period (finance)."""

from __future__ import annotations

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from api.params import PERIOD_PATTERN
from application.periods import ClosePeriod
from console.session import Finance, Form
from console.web import ConsoleRoute, NavEntry, ledger_of, render
from domain.access import Role
from domain.errors import ValidationError

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)
NAV = NavEntry("Periods", "/periods", Role.FINANCE)


@router.get("/periods")
def periods_page(request: Request, who: Finance) -> HTMLResponse:
    closes = ledger_of(request).books().closes
    return render(
        request, who, "periods.html", closes=[closes[p] for p in sorted(closes, reverse=True)]
    )


@router.get("/periods/{period}")
def period_page(
    request: Request, who: Finance, period: str = Path(pattern=PERIOD_PATTERN)
) -> HTMLResponse:
    close, verified = ledger_of(request).closed_period(period)
    return render(request, who, "period.html", close=close, verified=verified)


@router.post("/periods/close")
def close_period(request: Request, who: Finance, form: Form) -> RedirectResponse:
    """Closes the period through the ledger command; its rules (ended, calendar order)
    refuse with the API's status and title."""
    period = form.get("period", "").strip()
    if not period:
        raise ValidationError("period is required (YYYY-MM)", [{"field": "period"}])
    ledger_of(request).close_period(ClosePeriod(period), user=who.user)
    return RedirectResponse(f"/periods/{period}", status_code=303)
