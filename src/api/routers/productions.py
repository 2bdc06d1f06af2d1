"""Productions (SPEC §16): a prep recipe's batches made, posted like any document (201,
then 200 with the original result on a repeat)."""

from __future__ import annotations

from fastapi import APIRouter

from api.command_route import command_route
from api.routers.documents import COMMAND_RESPONSES
from api.routing import DecimalRoute
from api.schemas import CommandResultPublic
from api.schemas.productions import ProductionCreate
from application.commands import PostProduction
from domain.access import Role

router = APIRouter(prefix="/api", tags=["productions"], route_class=DecimalRoute)

commands = [
    command_route(
        "/api/productions",
        ProductionCreate,
        PostProduction,
        Role.CLERK,
        name="post_production",
        status_code=201,
        response_model=CommandResultPublic,
        responses=COMMAND_RESPONSES,
        summary="Post a production: PRODUCTION_OUT per ingredient, PRODUCTION_IN of the output",
        tags=["productions"],
    )
]
