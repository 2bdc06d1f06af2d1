"""What the command side hands back: movements with their positions, quotes, results."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from domain.quote import Quote
from domain.stock_item import Movement


@dataclass(frozen=True)
class MovementRecord:
    """One recorded movement with its global position: the Movement shape of API.md."""

    position: int
    recorded_at: datetime
    sku: str
    location: str
    kind: str
    quantity: Decimal
    on_hand_delta: Decimal
    reserved_delta: Decimal
    unit_cost: Decimal
    value: Decimal
    document_type: str
    document_id: str
    line: int
    user: str
    note: str | None
    on_hand_after: Decimal
    reserved_after: Decimal
    value_after: Decimal

    @classmethod
    def from_event(cls, event: Movement, position: int) -> MovementRecord:
        return cls(
            position=position,
            recorded_at=event.timestamp,
            sku=event.sku,
            location=event.location,
            kind=event.kind,
            quantity=event.quantity,
            on_hand_delta=event.on_hand_delta,
            reserved_delta=event.reserved_delta,
            unit_cost=event.unit_cost,
            value=event.value,
            document_type=event.document_type,
            document_id=event.document_id,
            line=event.line,
            user=event.user,
            note=event.note,
            on_hand_after=event.on_hand_after,
            reserved_after=event.reserved_after,
            value_after=event.value_after,
        )


@dataclass(frozen=True)
class QuoteRecord:
    quote_id: str
    customer: str
    location: str
    status: str
    lines: list[dict[str, Any]]
    position: int

    @classmethod
    def from_quote(cls, quote: Quote, position: int) -> QuoteRecord:
        return cls(
            quote_id=quote.quote_id,
            customer=quote.customer,
            location=quote.location,
            status=str(quote.status),
            lines=[
                {
                    "sku": line.sku,
                    "quantity": line.quantity,
                    "unit_price": line.unit_price,
                    "reserved": line.reserved,
                    "delivered": line.delivered,
                    "returned": line.returned,
                }
                for line in quote.lines
            ],
            position=position,
        )


@dataclass(frozen=True)
class CommandResult:
    """A command's answer; ``created`` is False on an idempotent repeat or a no-op."""

    document_type: str
    document_id: str
    movements: list[MovementRecord]
    position: int
    created: bool
    quote: QuoteRecord | None = None
    extra: dict[str, Any] = field(default_factory=dict)
