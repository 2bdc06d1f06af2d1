"""Late costs against a receipt (finance; SPEC §10): posted now, never restating history."""

from __future__ import annotations

from fastapi import APIRouter, Path, Request, Response

from api.deps import Finance, LedgerDep
from api.one_hop import saves_only
from api.problems import responses
from api.routing import DecimalRoute, answer, command_of
from api.schemas import CODE_PATTERN, CostCreate, CostResultPublic
from application.commands import PostCost

router = APIRouter(prefix="/api/receipts", tags=["documents"], route_class=DecimalRoute)


@router.post(
    "/{receipt_id}/costs",
    status_code=201,
    response_model=CostResultPublic,
    responses={
        200: {"description": "Repeat of a posted cost: the original result"},
        **responses(401, 403, 404, 409, 422),
    },
    summary="Post a landed cost or invoice difference against a receipt (finance)",
)
@saves_only
def post_cost(
    body: CostCreate,
    request: Request,
    who: Finance,
    ledger: LedgerDep,
    receipt_id: str = Path(pattern=CODE_PATTERN, examples=["R-1"]),
) -> Response:
    result = ledger.execute(command_of(PostCost, body, receipt_id=receipt_id), user=who.user)
    return answer(request, result)
