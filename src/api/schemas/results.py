"""What a command answers: its document, its movements, its position (and the quote)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from api.schemas.common import DocumentPublic, MovementPublic, movement_body
from api.schemas.quotes import QuotePublic, quote_body
from application.records import CommandResult
from domain.movements import DocType, Kind


class CommandResultPublic(BaseModel):
    document: DocumentPublic
    movements: list[MovementPublic]  # type: ignore[valid-type]  # derived: MOVEMENT_SHAPE
    position: int


class QuoteResultPublic(CommandResultPublic):
    quote: QuotePublic


def command_body(result: CommandResult) -> dict[str, Any]:
    body: dict[str, Any] = {
        "document": {"type": result.document_type, "id": result.document_id},
        "movements": [movement_body(m) for m in result.movements],
        "position": result.position,
    }
    if result.quote is not None:
        body["quote"] = quote_body(result.quote)
    if result.document_type == DocType.SALE.value:  # what the sale owes (SPEC §17)
        body["owed"] = [
            {"sku": m.sku, "location": m.location, "quantity": m.quantity}
            for m in result.movements
            if m.kind == Kind.OWED
        ]
    body.update(result.extra)
    return body
