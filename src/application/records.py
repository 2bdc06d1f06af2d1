"""What the command side hands back: movements with their positions, quotes, results."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from domain.movements import MOVEMENT_SHAPE, MovementFigures
from domain.quote import Quote
from domain.stock_item import Movement

FIGURE_NAMES = tuple(figure.name for figure in MOVEMENT_SHAPE)


@dataclass(frozen=True)
class MovementRecord(MovementFigures):
    """One recorded movement with its global position and time: the Movement shape of
    API.md. Its figures are ``domain.movements.MovementFigures``'s fields (declared once),
    typed: ``record.sku``, ``record.on_hand_after``."""

    position: int
    recorded_at: datetime
    # A VARIANCE movement's amount expensed to COGS (SPEC §10; the event's ``variance``),
    # so a COGS figure's movements add up to it; None on every other movement.
    variance: Decimal | None = None

    @classmethod
    def from_event(cls, event: Movement, position: int) -> MovementRecord:
        figures = {name: getattr(event, name) for name in FIGURE_NAMES}
        variance = getattr(event, "variance", None)
        return cls(position=position, recorded_at=event.timestamp, variance=variance, **figures)


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
                    "entered": asdict(line.entered) if line.entered else None,
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
