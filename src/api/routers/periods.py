"""Periods: list the closed ones, read one (with whether the ledger still reproduces it),
close one once it has ended. Every answer comes from the ledger's ``Books``; the queries
still honour ``min_position`` like every other query."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, Path, Request, Response

from api.deps import Finance, FreshReadModels, LedgerDep
from api.problems import responses
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
def periods(who: Finance, ledger: LedgerDep, _: FreshReadModels) -> list[dict[str, Any]]:
    closes = ledger.books().closes
    return [asdict(closes[period]) for period in sorted(closes)]


@router.get(
    "/{period}",
    response_model=PeriodDetail,
    responses=responses(401, 403, 404, 422, 503),
    summary="A closed period with its totals and whether the ledger still reproduces them",
)
def period(
    who: Finance, ledger: LedgerDep, _: FreshReadModels, period: str = Period
) -> dict[str, Any]:
    close, verified = ledger.closed_period(period)
    return {**asdict(close), "verified": verified}


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
    request: Request, response: Response, who: Finance, ledger: LedgerDep, period: str = Period
) -> dict[str, Any]:
    closed, created = ledger.close_period(ClosePeriod(period), user=who.user)
    response.status_code = 201 if created else 200
    request.state.position = closed.position
    return asdict(closed)
