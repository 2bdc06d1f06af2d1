"""Posted documents: receipts, deliveries, returns, transfers, consumption, waste, counts.

Each answers 201 with its movements the first time and 200 with the original result when
the same id and payload come again; another payload under the same id is 409. Each is a
command route (api.command_route): its body becomes the command, run by the ledger; a
new document is one row of the table at the end.
"""

from __future__ import annotations

from api.command_route import Commands
from api.schemas import documents as body
from application import commands as command
from domain.access import Role

REPEAT = "Repeat of a posted document: the original result, nothing recorded"
RECEIVE = "Receive stock (RECEIVE per line)"
DELIVER = "Deliver stock, against a closed quote or directly (SHIP per line)"
RETURN = "Take back delivered stock at the delivery's cost (RETURN per line)"
TRANSFER = "Move stock and its value between locations (TRANSFER_OUT + TRANSFER_IN)"
CONSUME = "Use stock in production or recipes (CONSUME per line)"
WASTE = "Write off spoiled or broken stock, with a note (WASTE per line)"
COUNT = "Record a stock count (ADJUSTMENT per line with a difference; admin)"

# One row per document: path, body, command, summary, problems (and a role of its own).
commands = Commands("documents", Role.CLERK, REPEAT)
commands.add("/receipts", body.ReceiptCreate, command.PostReceipt, RECEIVE, 409)
commands.add("/deliveries", body.DeliveryCreate, command.PostDelivery, DELIVER, 409)
commands.add("/returns", body.ReturnCreate, command.PostReturn, RETURN, 409)
commands.add("/transfers", body.TransferCreate, command.PostTransfer, TRANSFER, 409)
commands.add("/consumptions", body.ConsumptionCreate, command.PostConsumption, CONSUME, 409)
commands.add("/waste", body.WasteCreate, command.PostWaste, WASTE, 409)
commands.add("/counts", body.CountCreate, command.PostCount, COUNT, 409, role=Role.ADMIN)
