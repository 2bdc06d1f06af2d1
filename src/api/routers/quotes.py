"""Quotes: draft, close (reserve every line or none), cancel (release), read."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Path, Request, Response

from api.auth import Viewer
from api.command_route import command_route
from api.dependencies import FreshReadModels, LedgerDep
from api.problems import responses
from api.respond import respond
from api.routing import DecimalRoute
from api.schemas import CODE_PATTERN, QuoteCreate, QuotePublic, QuoteResultPublic, quote_body
from application.commands import CancelQuote, CloseQuote, CreateQuote
from domain.access import Role

router = APIRouter(prefix="/api/quotes", tags=["quotes"], route_class=DecimalRoute)

QuoteId = Path(pattern=CODE_PATTERN, examples=["Q-1"])
REPEAT: dict[int | str, dict[str, Any]] = {
    200: {"description": "Same quote again, or already in that state: nothing recorded"}
}
ANSWERS: dict[str, Any] = {
    "status_code": 201,
    "response_model": QuoteResultPublic,
    "tags": ["quotes"],
}

commands = [
    command_route(
        "/api/quotes",
        QuoteCreate,
        CreateQuote,
        Role.CLERK,
        name="create_quote",
        responses={**REPEAT, **responses(401, 403, 409, 422)},
        summary="Create a draft quote (no stock effect)",
        **ANSWERS,
    ),
    command_route(
        "/api/quotes/{quote_id}/close",
        None,
        CloseQuote,
        Role.CLERK,
        name="close_quote",
        params={"quote_id": QuoteId},
        responses={**REPEAT, **responses(401, 403, 404, 409, 422)},
        summary="Close a draft quote: one RESERVE per line, all or nothing",
        **ANSWERS,
    ),
    command_route(
        "/api/quotes/{quote_id}/cancel",
        None,
        CancelQuote,
        Role.CLERK,
        name="cancel_quote",
        params={"quote_id": QuoteId},
        responses={**REPEAT, **responses(401, 403, 404, 409, 422)},
        summary="Cancel a quote, releasing its undelivered reservations",
        **ANSWERS,
    ),
]


@router.get(
    "/{quote_id}",
    response_model=QuotePublic,
    responses=responses(401, 403, 404, 422, 503),
    summary="A quote with each line's reserved, delivered and returned quantities",
)
def get_quote(
    request: Request,
    who: Viewer,
    ledger: LedgerDep,
    read_models: FreshReadModels,
    quote_id: str = QuoteId,
) -> Response:
    record = ledger.get_quote(quote_id)
    return respond(request, quote_body(record))
