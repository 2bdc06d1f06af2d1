"""Posted documents: receipts, deliveries, returns, transfers, consumption, waste, counts.

Each answers 201 with its movements the first time and 200 with the original result when
the same id and payload come again; another payload under the same id is 409. A handler
builds the command from its body and runs it: ``ledger.execute(command_of(...))``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from fastapi import APIRouter, Request, Response

from api.deps import Admin, Clerk, LedgerDep
from api.problems import responses
from api.routing import DecimalRoute, answer, command_of
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
from application.commands import (
    PostConsumption,
    PostCount,
    PostDelivery,
    PostReceipt,
    PostReturn,
    PostTransfer,
    PostWaste,
)

COMMAND_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "Repeat of a posted document: the original result, nothing recorded"},
    **responses(401, 403, 409, 422),
}

router = APIRouter(prefix="/api", tags=["documents"], route_class=DecimalRoute)
F = TypeVar("F", bound=Callable[..., Any])


def _route(path: str, summary: str) -> Callable[[F], F]:
    """A document's POST route: 201 with its result, 200 on a repeat."""
    return router.post(
        path,
        status_code=201,
        response_model=CommandResultPublic,
        responses=COMMAND_RESPONSES,
        summary=summary,
    )


@_route("/receipts", "Receive stock (RECEIVE per line)")
def post_receipt(
    body: ReceiptCreate, request: Request, response: Response, who: Clerk, ledger: LedgerDep
) -> dict[str, Any]:
    result = ledger.execute(command_of(PostReceipt, body), user=who.user)
    return answer(request, response, result)


@_route("/deliveries", "Deliver stock, against a closed quote or directly (SHIP per line)")
def post_delivery(
    body: DeliveryCreate, request: Request, response: Response, who: Clerk, ledger: LedgerDep
) -> dict[str, Any]:
    result = ledger.execute(command_of(PostDelivery, body), user=who.user)
    return answer(request, response, result)


@_route("/returns", "Take back delivered stock at the delivery's cost (RETURN per line)")
def post_return(
    body: ReturnCreate, request: Request, response: Response, who: Clerk, ledger: LedgerDep
) -> dict[str, Any]:
    result = ledger.execute(command_of(PostReturn, body), user=who.user)
    return answer(request, response, result)


@_route("/transfers", "Move stock and its value between locations (TRANSFER_OUT + TRANSFER_IN)")
def post_transfer(
    body: TransferCreate, request: Request, response: Response, who: Clerk, ledger: LedgerDep
) -> dict[str, Any]:
    result = ledger.execute(command_of(PostTransfer, body), user=who.user)
    return answer(request, response, result)


@_route("/consumptions", "Use stock in production or recipes (CONSUME per line)")
def post_consumption(
    body: ConsumptionCreate, request: Request, response: Response, who: Clerk, ledger: LedgerDep
) -> dict[str, Any]:
    result = ledger.execute(command_of(PostConsumption, body), user=who.user)
    return answer(request, response, result)


@_route("/waste", "Write off spoiled or broken stock, with a note (WASTE per line)")
def post_waste(
    body: WasteCreate, request: Request, response: Response, who: Clerk, ledger: LedgerDep
) -> dict[str, Any]:
    result = ledger.execute(command_of(PostWaste, body), user=who.user)
    return answer(request, response, result)


@_route("/counts", "Record a stock count (ADJUSTMENT per line with a difference; admin)")
def post_count(
    body: CountCreate, request: Request, response: Response, who: Admin, ledger: LedgerDep
) -> dict[str, Any]:
    result = ledger.execute(command_of(PostCount, body), user=who.user)
    return answer(request, response, result)
