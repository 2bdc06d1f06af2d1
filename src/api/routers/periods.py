"""Periods: list the closed ones, read one (with whether the ledger still reproduces it),
close one once it has ended."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Depends, Path, Request, Response

from api.auth import Principal, finance
from api.dependencies import fresh_read_models, get_read_models
from api.problems import responses
from api.routing import DecimalRoute
from api.schemas import PeriodClosed, PeriodDetail, PeriodPublic

if TYPE_CHECKING:
    from projections.service import ReadModels

router = APIRouter(prefix="/api/periods", tags=["periods"], route_class=DecimalRoute)

Period = Path(pattern=r"^[0-9]{4}-[0-9]{2}$", examples=["2026-02"])


@router.get(
    "",
    response_model=list[PeriodPublic],
    responses=responses(401, 403, 422, 503),
    summary="Closed periods",
)
def periods(
    who: Principal = Depends(finance),
    read_models: ReadModels = Depends(fresh_read_models),
) -> list[dict[str, Any]]:
    return read_models.periods()


@router.get(
    "/{period}",
    response_model=PeriodDetail,
    responses=responses(401, 403, 404, 422, 503),
    summary="A closed period with its totals and whether the ledger still reproduces them",
)
def period(
    period: str = Period,
    who: Principal = Depends(finance),
    read_models: ReadModels = Depends(fresh_read_models),
) -> dict[str, Any]:
    return read_models.period(period)


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
    request: Request,
    response: Response,
    period: str = Period,
    who: Principal = Depends(finance),
    read_models: ReadModels = Depends(get_read_models),
) -> dict[str, Any]:
    closed, created = read_models.close_period(period, who.user)
    response.status_code = 201 if created else 200
    request.state.position = closed.get("position")
    return closed
