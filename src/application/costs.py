"""The handler of a late cost (SPEC §10): a supplier invoice difference, freight or duty
posted against a receipt now, in the open period — never restating what was recorded.

The amount is shared over the receipt's lines (``domain.late_costs.allocate``); each share is
split between the units of that line still on hand at the receipt's position (a REVALUE
movement) and the current period's COGS (a VARIANCE movement carrying the cost variance).
The document's lines are the allocation, answered with the result and with every repeat.
"""

from __future__ import annotations

from decimal import Decimal
from uuid import UUID

from application.commands import PostCost
from application.errors import ReceiptNotFoundError
from application.posting import handles
from application.work import Work
from domain import bounds
from domain.codes import check_code, require_note
from domain.documents import Document, DocumentDetails
from domain.late_costs import allocate, check_cost
from domain.movements import DocType, Kind
from domain.stock_item import Movement


def _rules(command: PostCost) -> None:
    require_note(command.note)
    check_code(command.receipt_id, "receipt_id")
    check_cost(command.amount, command.by)


def receipt_lines(work: Work, receipt_id: str) -> list[Movement]:
    """The RECEIVE movements of a posted receipt, in line order (not the settlements of
    owed consumption its save posted, SPEC §17)."""
    receipt = work.ledger.get(Document, Document.create_id(DocType.RECEIPT.value, receipt_id))
    if receipt is None:
        raise ReceiptNotFoundError(receipt_id)
    lines = []
    for oid, version in receipt.movements:
        (event,) = work.ledger.events.get(UUID(oid), gt=version - 1, lte=version)
        assert isinstance(event, Movement)
        if event.kind == Kind.RECEIVE:
            lines.append(event)
    return lines


@handles(PostCost, check=_rules, answers_lines="allocation")
def cost(command: PostCost, work: Work) -> None:
    """Shares the amount by value (default) or quantity; per line a REVALUE of the share
    still on hand (never below a value of 0, nothing on an empty position) and a VARIANCE
    of the rest, at the receipt's position. A share follows the receipt's position: units
    moved away since are no longer there and their share is expensed."""
    bounds.check_money(command.amount, work.places, "amount")
    lines = receipt_lines(work, command.receipt_id)
    weights = [line.value if command.by == "value" else line.quantity for line in lines]
    shares = allocate(command.amount, weights, work.places)
    for index, (line, share) in enumerate(zip(lines, shares, strict=True)):
        item = work.item(line.sku, line.location)
        src = work.src(index, command.note)
        to_stock, to_cogs = item.take_late_cost(share, line.quantity, src, work.at, work.places)
        work.moved(item)
        work.shipped.append(allocation(line, share, to_stock, to_cogs))
    work.details = DocumentDetails(location=lines[0].location)


def allocation(
    line: Movement, share: Decimal, to_stock: Decimal, to_cogs: Decimal
) -> dict[str, object]:
    return {
        "sku": line.sku,
        "location": line.location,
        "share": share,
        "to_stock": to_stock,
        "to_cogs": to_cogs,
    }
