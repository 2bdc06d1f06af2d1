"""Periods: list the closed ones, read one (with whether the ledger still reproduces it),
close one once it has ended. Every answer comes from the ledger's ``Books``; the queries
still honour ``min_position`` like every other query."""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter, Path, Request, Response

from api.auth import Finance
from api.dependencies import FreshReadModels, LedgerDep
from api.problems import responses
from api.respond import respond
from api.routing import DecimalRoute
from api.schemas import PeriodClosed, PeriodDetail, PeriodPublic
from application.periods import ClosePeriod

router = APIRouter(prefix="/api/periods", tags=["periods"], route_class=DecimalRoute)

Period = Path(pattern=r"^[0-9]{4}-[0-9]{2}$", examples=["2026-02"])


@router.get(
    "",
    response_model=list[PeriodPublic],
    responses=responses(401, 403, 422, 503),
    summary="Closed periods",
)
def periods(request: Request, who: Finance, ledger: LedgerDep, _: FreshReadModels) -> Response:
    closes = ledger.books().closes
    return respond(request, [asdict(closes[period]) for period in sorted(closes)])


@router.get(
    "/{period}",
    response_model=PeriodDetail,
    responses=responses(401, 403, 404, 422, 503),
    summary="A closed period with its totals and whether the ledger still reproduces them",
)
def period(
    request: Request, who: Finance, ledger: LedgerDep, _: FreshReadModels, period: str = Period
) -> Response:
    close, verified = ledger.closed_period(period)
    return respond(request, {**asdict(close), "verified": verified})


@router.post(
    "/{period}/close",
    status_code=201,
    response_model=PeriodClosed,
    responses={
        200: {"description": "Already closed: the original close"},
        **responses(401, 403, 409, 422),
    },
    summary="Close an ended period, recording its totals and a ledger digest",
)
def close_period(
    request: Request, who: Finance, ledger: LedgerDep, period: str = Period
) -> Response:
    closed, created = ledger.close_period(ClosePeriod(period), user=who.user)
    return respond(request, asdict(closed), status=201 if created else 200)
