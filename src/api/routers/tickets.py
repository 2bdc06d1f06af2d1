"""A sale in depth (SPEC §17): its void, the sale as it stands, what sales owe."""

from __future__ import annotations

from fastapi import APIRouter, Path, Query, Request, Response

from api.auth import Viewer
from api.command_route import command_route
from api.dependencies import FreshReadModels, LedgerDep
from api.problems import responses
from api.respond import respond
from api.routing import DecimalRoute
from api.schemas import CODE_PATTERN, CommandResultPublic
from api.schemas.tickets import OwedReportPublic, SalePublic, VoidCreate, owed_body, sale_body
from application.commands import VoidSale
from application.sale_view import sale_state
from domain.access import Role

router = APIRouter(prefix="/api", tags=["sales"], route_class=DecimalRoute)

SaleId = Path(pattern=CODE_PATTERN, examples=["S-1"])

commands = [
    command_route(
        "/api/sales/{sale_id}/void",
        VoidCreate,
        VoidSale,
        Role.CLERK,
        name="void_sale",
        params={"sale_id": SaleId},
        status_code=201,
        response_model=CommandResultPublic,
        responses={
            200: {"description": "Same void again: nothing recorded"},
            **responses(401, 403, 404, 409, 422),
        },
        summary="Void a sale or some of its lines: VOID takes back exactly what they consumed",
        tags=["sales"],
    )
]


@router.get(
    "/sales/{sale_id}",
    response_model=SalePublic,
    responses=responses(401, 403, 404, 422, 503),
    summary="A sale: its lines, revenue, movements, what it still owes, its voids",
)
def get_sale(
    request: Request,
    who: Viewer,
    ledger: LedgerDep,
    read_models: FreshReadModels,
    sale_id: str = SaleId,
) -> Response:
    return respond(request, sale_body(sale_state(ledger, sale_id)))


@router.get(
    "/reports/owed",
    response_model=OwedReportPublic,
    responses=responses(401, 403, 422, 503),
    summary="What sales owe each position, and the sales owing it (SPEC §17)",
)
def owed_report(
    request: Request,
    who: Viewer,
    read_models: FreshReadModels,
    location: str | None = Query(None, pattern=CODE_PATTERN),
) -> Response:
    items, position = read_models.stock.owed(location)
    return respond(request, owed_body(items, position))
