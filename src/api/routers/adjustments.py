"""Admin adjustments of one position (its path sits with the stock it changes)."""

from __future__ import annotations

from fastapi import Path

from api.command_route import command_route
from api.problems import responses
from api.schemas import CODE_PATTERN, AdjustmentCreate, CommandResultPublic
from application.commands import PostAdjustment
from domain.access import Role

commands = [
    command_route(
        "/api/stock/{sku}/{location}/adjust",
        AdjustmentCreate,
        PostAdjustment,
        Role.ADMIN,
        name="adjust",
        params={
            "sku": Path(pattern=CODE_PATTERN, examples=["AB-001"]),
            "location": Path(pattern=CODE_PATTERN, examples=["main"]),
        },
        status_code=201,
        response_model=CommandResultPublic,
        responses={
            200: {"description": "Repeat of a posted adjustment: the original result"},
            **responses(401, 403, 409, 422),
        },
        summary="Adjust a position by a signed quantity, with a note (admin)",
        tags=["stock"],
    )
]
