"""Quotes: draft, close (reserve every line or none), cancel (release), read."""

from __future__ import annotations

from typing import Any

from api.command_route import command_route
from api.dependencies import FreshReadModels, LedgerDep
from api.params import code
from api.problems import responses
from api.route_table import Routes
from api.schemas import QuoteCreate, QuotePublic, QuoteResultPublic, quote_body
from application.commands import CancelQuote, CloseQuote, CreateQuote
from domain.access import Role

router = Routes("/api/quotes", "quotes")

QuoteId = code("Q-1")
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


@router.read("/{quote_id}", QuotePublic, 404, 503)
def get_quote(ledger: LedgerDep, read_models: FreshReadModels, quote_id: str = QuoteId) -> Any:
    """A quote with each line's reserved, delivered and returned quantities"""
    return quote_body(ledger.get_quote(quote_id))
