"""Late costs against a receipt (finance; SPEC §10): posted now, never restating history."""

from __future__ import annotations

from fastapi import Path

from api.command_route import command_route
from api.problems import responses
from api.schemas import CODE_PATTERN, CostCreate, CostResultPublic
from application.commands import PostCost
from domain.access import Role

commands = [
    command_route(
        "/api/receipts/{receipt_id}/costs",
        CostCreate,
        PostCost,
        Role.FINANCE,
        name="post_cost",
        params={"receipt_id": Path(pattern=CODE_PATTERN, examples=["R-1"])},
        status_code=201,
        response_model=CostResultPublic,
        responses={
            200: {"description": "Repeat of a posted cost: the original result"},
            **responses(401, 403, 404, 409, 422),
        },
        summary="Post a landed cost or invoice difference against a receipt (finance)",
        tags=["documents"],
    )
]
