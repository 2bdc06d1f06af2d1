"""Posted documents: receipts, deliveries, returns, transfers, consumption, waste, counts.

Each answers 201 with its movements the first time and 200 with the original result when
the same id and payload come again; another payload under the same id is 409.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Depends, Request, Response

from api.auth import Principal, admin, clerk
from api.dependencies import get_ledger, get_read_models
from api.problems import responses
from api.routing import DecimalRoute, answer
from api.schemas import (
    CommandResultPublic,
    ConsumptionCreate,
    CountCreate,
    DeliveryCreate,
    ReceiptCreate,
    ReturnCreate,
    TransferCreate,
    WasteCreate,
)
from application.commands import CountLine, Line, ReceiptLine
from application.ledger import Ledger

if TYPE_CHECKING:
    from projections.service import ReadModels

COMMAND_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "Repeat of a posted document: the original result, nothing recorded"},
    **responses(401, 403, 409, 422),
}

router = APIRouter(prefix="/api", tags=["documents"], route_class=DecimalRoute)


def _lines(lines: list[Any]) -> list[Line]:
    return [Line(line.sku, line.quantity) for line in lines]


@router.post(
    "/receipts",
    status_code=201,
    response_model=CommandResultPublic,
    responses=COMMAND_RESPONSES,
    summary="Receive stock (RECEIVE per line)",
)
def post_receipt(
    body: ReceiptCreate,
    request: Request,
    response: Response,
    who: Principal = Depends(clerk),
    ledger: Ledger = Depends(get_ledger),
    read_models: ReadModels = Depends(get_read_models),
) -> dict[str, Any]:
    lines = [ReceiptLine(line.sku, line.quantity, line.unit_cost) for line in body.lines]
    result = ledger.post_receipt(body.receipt_id, body.location, lines, body.note, user=who.user)
    return answer(request, response, read_models, result)


@router.post(
    "/deliveries",
    status_code=201,
    response_model=CommandResultPublic,
    responses=COMMAND_RESPONSES,
    summary="Deliver stock, against a closed quote or directly (SHIP per line)",
)
def post_delivery(
    body: DeliveryCreate,
    request: Request,
    response: Response,
    who: Principal = Depends(clerk),
    ledger: Ledger = Depends(get_ledger),
    read_models: ReadModels = Depends(get_read_models),
) -> dict[str, Any]:
    result = ledger.post_delivery(
        body.delivery_id, body.location, _lines(body.lines), body.quote_id, user=who.user
    )
    return answer(request, response, read_models, result)


@router.post(
    "/returns",
    status_code=201,
    response_model=CommandResultPublic,
    responses=COMMAND_RESPONSES,
    summary="Take back delivered stock at the delivery's cost (RETURN per line)",
)
def post_return(
    body: ReturnCreate,
    request: Request,
    response: Response,
    who: Principal = Depends(clerk),
    ledger: Ledger = Depends(get_ledger),
    read_models: ReadModels = Depends(get_read_models),
) -> dict[str, Any]:
    result = ledger.post_return(
        body.return_id, body.delivery_id, _lines(body.lines), body.note, user=who.user
    )
    return answer(request, response, read_models, result)


@router.post(
    "/transfers",
    status_code=201,
    response_model=CommandResultPublic,
    responses=COMMAND_RESPONSES,
    summary="Move stock and its value between locations (TRANSFER_OUT + TRANSFER_IN)",
)
def post_transfer(
    body: TransferCreate,
    request: Request,
    response: Response,
    who: Principal = Depends(clerk),
    ledger: Ledger = Depends(get_ledger),
    read_models: ReadModels = Depends(get_read_models),
) -> dict[str, Any]:
    result = ledger.post_transfer(
        body.transfer_id,
        body.from_location,
        body.to_location,
        _lines(body.lines),
        body.note,
        user=who.user,
    )
    return answer(request, response, read_models, result)


@router.post(
    "/consumptions",
    status_code=201,
    response_model=CommandResultPublic,
    responses=COMMAND_RESPONSES,
    summary="Use stock in production or recipes (CONSUME per line)",
)
def post_consumption(
    body: ConsumptionCreate,
    request: Request,
    response: Response,
    who: Principal = Depends(clerk),
    ledger: Ledger = Depends(get_ledger),
    read_models: ReadModels = Depends(get_read_models),
) -> dict[str, Any]:
    result = ledger.post_consumption(
        body.consumption_id, body.location, _lines(body.lines), body.note, user=who.user
    )
    return answer(request, response, read_models, result)


@router.post(
    "/waste",
    status_code=201,
    response_model=CommandResultPublic,
    responses=COMMAND_RESPONSES,
    summary="Write off spoiled or broken stock, with a note (WASTE per line)",
)
def post_waste(
    body: WasteCreate,
    request: Request,
    response: Response,
    who: Principal = Depends(clerk),
    ledger: Ledger = Depends(get_ledger),
    read_models: ReadModels = Depends(get_read_models),
) -> dict[str, Any]:
    result = ledger.post_waste(
        body.waste_id, body.location, _lines(body.lines), body.note, user=who.user
    )
    return answer(request, response, read_models, result)


@router.post(
    "/counts",
    status_code=201,
    response_model=CommandResultPublic,
    responses=COMMAND_RESPONSES,
    summary="Record a stock count (ADJUSTMENT per line with a difference; admin)",
)
def post_count(
    body: CountCreate,
    request: Request,
    response: Response,
    who: Principal = Depends(admin),
    ledger: Ledger = Depends(get_ledger),
    read_models: ReadModels = Depends(get_read_models),
) -> dict[str, Any]:
    lines = [CountLine(line.sku, line.counted, line.unit_cost) for line in body.lines]
    result = ledger.post_count(
        body.count_id, body.location, lines, body.note, body.counted_at, user=who.user
    )
    return answer(request, response, read_models, result)
