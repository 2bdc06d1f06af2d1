"""What a command answers: its document, its movements, its position (and the quote)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from api.schemas.common import DocumentPublic, MovementPublic, movement_body
from api.schemas.quotes import QuotePublic, quote_body
from application.records import CommandResult


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
    body.update(result.extra)
    return body
