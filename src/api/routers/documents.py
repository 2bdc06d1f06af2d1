"""Posted documents: receipts, deliveries, returns, transfers, consumption, waste, counts.

Each answers 201 with its movements the first time and 200 with the original result when
the same id and payload come again; another payload under the same id is 409. Each is a
command route (api.command_route): its body becomes the command, run by the ledger; a
new document is one row of the table at the end.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel

from api.command_route import CommandRoute, command_route
from api.problems import responses
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
from domain.access import Role

COMMAND_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "Repeat of a posted document: the original result, nothing recorded"},
    **responses(401, 403, 409, 422),
}


def _route(
    path: str, body: type[BaseModel], kind: type[Command], role: Role, summary: str
) -> CommandRoute:
    """One document's POST route, named after its command (PostReceipt → post_receipt)."""
    return command_route(
        f"/api{path}",
        body,
        kind,
        role,
        name=re.sub(r"(?<!^)(?=[A-Z])", "_", kind.__name__).lower(),
        status_code=201,
        response_model=CommandResultPublic,
        responses=COMMAND_RESPONSES,
        summary=summary,
        tags=["documents"],
    )


DELIVER = "Deliver stock, against a closed quote or directly (SHIP per line)"
RETURN = "Take back delivered stock at the delivery's cost (RETURN per line)"
TRANSFER = "Move stock and its value between locations (TRANSFER_OUT + TRANSFER_IN)"
CONSUME = "Use stock in production or recipes (CONSUME per line)"
WASTE = "Write off spoiled or broken stock, with a note (WASTE per line)"
COUNT = "Record a stock count (ADJUSTMENT per line with a difference; admin)"

# One row per document: path, body, command, role, summary.
commands = [
    _route("/receipts", ReceiptCreate, PostReceipt, Role.CLERK, "Receive stock (RECEIVE per line)"),
    _route("/deliveries", DeliveryCreate, PostDelivery, Role.CLERK, DELIVER),
    _route("/returns", ReturnCreate, PostReturn, Role.CLERK, RETURN),
    _route("/transfers", TransferCreate, PostTransfer, Role.CLERK, TRANSFER),
    _route("/consumptions", ConsumptionCreate, PostConsumption, Role.CLERK, CONSUME),
    _route("/waste", WasteCreate, PostWaste, Role.CLERK, WASTE),
    _route("/counts", CountCreate, PostCount, Role.ADMIN, COUNT),
]
