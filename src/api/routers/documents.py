"""Posted documents: receipts, deliveries, returns, transfers, consumption, waste, counts.

Each answers 201 with its movements the first time and 200 with the original result when
the same id and payload come again; another payload under the same id is 409. A handler
builds the command from its body and runs it: ``ledger.execute(command_of(...))``; a
new document is one row of the table at the end.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel

from api.deps import Admin, Clerk, LedgerDep
from api.one_hop import saves_only
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
    Command,
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


def _route(path: str, body: type[BaseModel], kind: type[Command], role: Any, summary: str) -> None:
    """One document's POST route (named after its command: PostReceipt → post_receipt): its
    body becomes ``kind``, run by the ledger; 201 with the result, 200 on a repeat."""

    def post(body: Any, request: Request, who: Any, ledger: LedgerDep) -> Response:
        result = ledger.execute(command_of(kind, body), user=who.user)
        return answer(request, result)

    post.__name__ = re.sub(r"(?<!^)(?=[A-Z])", "_", kind.__name__).lower()
    post.__annotations__.update(body=body, who=role)
    saves_only(post)
    router.post(
        path,
        status_code=201,
        response_model=CommandResultPublic,
        responses=COMMAND_RESPONSES,
        summary=summary,
    )(post)


DELIVER = "Deliver stock, against a closed quote or directly (SHIP per line)"
RETURN = "Take back delivered stock at the delivery's cost (RETURN per line)"
TRANSFER = "Move stock and its value between locations (TRANSFER_OUT + TRANSFER_IN)"
CONSUME = "Use stock in production or recipes (CONSUME per line)"
WASTE = "Write off spoiled or broken stock, with a note (WASTE per line)"
COUNT = "Record a stock count (ADJUSTMENT per line with a difference; admin)"

# One row per document: path, body, command, role, summary.
_route("/receipts", ReceiptCreate, PostReceipt, Clerk, "Receive stock (RECEIVE per line)")
_route("/deliveries", DeliveryCreate, PostDelivery, Clerk, DELIVER)
_route("/returns", ReturnCreate, PostReturn, Clerk, RETURN)
_route("/transfers", TransferCreate, PostTransfer, Clerk, TRANSFER)
_route("/consumptions", ConsumptionCreate, PostConsumption, Clerk, CONSUME)
_route("/waste", WasteCreate, PostWaste, Clerk, WASTE)
_route("/counts", CountCreate, PostCount, Admin, COUNT)
