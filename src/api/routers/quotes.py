"""Quotes: draft, close (reserve every line or none), cancel (release), read."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Depends, Path, Request, Response

from api.auth import Principal, clerk, viewer
from api.dependencies import fresh_read_models, get_ledger, get_read_models
from api.problems import responses
from api.routing import DecimalRoute, answer
from api.schemas import CODE_PATTERN, QuoteCreate, QuotePublic, QuoteResultPublic, quote_body
from application.commands import QuoteLineIn
from application.ledger import Ledger

if TYPE_CHECKING:
    from projections.service import ReadModels

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
def create_quote(
    body: QuoteCreate,
    request: Request,
    response: Response,
    who: Principal = Depends(clerk),
    ledger: Ledger = Depends(get_ledger),
    read_models: ReadModels = Depends(get_read_models),
) -> dict[str, Any]:
    lines = [QuoteLineIn(line.sku, line.quantity, line.unit_price) for line in body.lines]
    result = ledger.create_quote(body.quote_id, body.customer, body.location, lines, user=who.user)
    return answer(request, response, read_models, result)


@router.post(
    "/{quote_id}/close",
    status_code=201,
    response_model=QuoteResultPublic,
    responses={**REPEAT, **responses(401, 403, 404, 409, 422)},
    summary="Close a draft quote: one RESERVE per line, all or nothing",
)
def close_quote(
    request: Request,
    response: Response,
    quote_id: str = QuoteId,
    who: Principal = Depends(clerk),
    ledger: Ledger = Depends(get_ledger),
    read_models: ReadModels = Depends(get_read_models),
) -> dict[str, Any]:
    result = ledger.close_quote(quote_id, user=who.user)
    return answer(request, response, read_models, result)


@router.post(
    "/{quote_id}/cancel",
    status_code=201,
    response_model=QuoteResultPublic,
    responses={**REPEAT, **responses(401, 403, 404, 409, 422)},
    summary="Cancel a quote, releasing its undelivered reservations",
)
def cancel_quote(
    request: Request,
    response: Response,
    quote_id: str = QuoteId,
    who: Principal = Depends(clerk),
    ledger: Ledger = Depends(get_ledger),
    read_models: ReadModels = Depends(get_read_models),
) -> dict[str, Any]:
    result = ledger.cancel_quote(quote_id, user=who.user)
    return answer(request, response, read_models, result)


@router.get(
    "/{quote_id}",
    response_model=QuotePublic,
    responses=responses(401, 403, 404, 422, 503),
    summary="A quote with each line's reserved, delivered and returned quantities",
)
def get_quote(
    request: Request,
    quote_id: str = QuoteId,
    who: Principal = Depends(viewer),
    ledger: Ledger = Depends(get_ledger),
    read_models: ReadModels = Depends(fresh_read_models),
) -> dict[str, Any]:
    record = ledger.get_quote(quote_id)
    request.state.position = record.position
    return quote_body(record)
