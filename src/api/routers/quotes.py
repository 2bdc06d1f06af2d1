"""Quotes: draft, close (reserve every line or none), cancel (release), read."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Path, Request, Response

from api.deps import Clerk, FreshReadModels, LedgerDep, Viewer
from api.one_hop import saves_only
from api.problems import responses
from api.routing import DecimalRoute, answer, command_of
from api.schemas import CODE_PATTERN, QuoteCreate, QuotePublic, QuoteResultPublic, quote_body
from application.commands import CancelQuote, CloseQuote, CreateQuote

router = APIRouter(prefix="/api/quotes", tags=["quotes"], route_class=DecimalRoute)

QuoteId = Path(pattern=CODE_PATTERN, examples=["Q-1"])
REPEAT: dict[int | str, dict[str, Any]] = {
    200: {"description": "Same quote again, or already in that state: nothing recorded"}
}


@router.post(
    "",
    status_code=201,
    response_model=QuoteResultPublic,
    responses={**REPEAT, **responses(401, 403, 409, 422)},
    summary="Create a draft quote (no stock effect)",
)
@saves_only
def create_quote(body: QuoteCreate, request: Request, who: Clerk, ledger: LedgerDep) -> Response:
    result = ledger.execute(command_of(CreateQuote, body), user=who.user)
    return answer(request, result)


@router.post(
    "/{quote_id}/close",
    status_code=201,
    response_model=QuoteResultPublic,
    responses={**REPEAT, **responses(401, 403, 404, 409, 422)},
    summary="Close a draft quote: one RESERVE per line, all or nothing",
)
@saves_only
def close_quote(
    request: Request, who: Clerk, ledger: LedgerDep, quote_id: str = QuoteId
) -> Response:
    result = ledger.execute(CloseQuote(quote_id), user=who.user)
    return answer(request, result)


@router.post(
    "/{quote_id}/cancel",
    status_code=201,
    response_model=QuoteResultPublic,
    responses={**REPEAT, **responses(401, 403, 404, 409, 422)},
    summary="Cancel a quote, releasing its undelivered reservations",
)
@saves_only
def cancel_quote(
    request: Request, who: Clerk, ledger: LedgerDep, quote_id: str = QuoteId
) -> Response:
    result = ledger.execute(CancelQuote(quote_id), user=who.user)
    return answer(request, result)


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
) -> dict[str, Any]:
    record = ledger.get_quote(quote_id)
    request.state.position = record.position
    return quote_body(record)
