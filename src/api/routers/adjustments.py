"""Admin adjustments of one position (its path sits with the stock it changes)."""

from __future__ import annotations

from fastapi import APIRouter, Path, Request, Response

from api.deps import Admin, LedgerDep
from api.one_hop import saves_only
from api.problems import responses
from api.routing import DecimalRoute, answer, command_of
from api.schemas import CODE_PATTERN, AdjustmentCreate, CommandResultPublic
from application.commands import PostAdjustment

router = APIRouter(prefix="/api/stock", tags=["stock"], route_class=DecimalRoute)

Sku = Path(pattern=CODE_PATTERN, examples=["AB-001"])
Location = Path(pattern=CODE_PATTERN, examples=["main"])


@router.post(
    "/{sku}/{location}/adjust",
    status_code=201,
    response_model=CommandResultPublic,
    responses={
        200: {"description": "Repeat of a posted adjustment: the original result"},
        **responses(401, 403, 409, 422),
    },
    summary="Adjust a position by a signed quantity, with a note (admin)",
)
@saves_only
def adjust(
    body: AdjustmentCreate,
    request: Request,
    who: Admin,
    ledger: LedgerDep,
    sku: str = Sku,
    location: str = Location,
) -> Response:
    command = command_of(PostAdjustment, body, sku=sku, location=location)
    return answer(request, ledger.execute(command, user=who.user))
