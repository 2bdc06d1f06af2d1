"""Helpers for the pure domain tests: a position, a source line, a fixed time."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from domain.movements import Source
from domain.stock_item import Movement, StockItem

AT = datetime(2025, 3, 14, 9, 26, 53, tzinfo=UTC)
PLACES = 2


def D(text: str | int) -> Decimal:
    return Decimal(text)


def src(
    doc_type: str = "receipt", doc_id: str = "doc-1", line: int = 0, note: str | None = None
) -> Source:
    return Source(doc_type, doc_id, line, "alice", note)


def stocked(quantity: str, unit_cost: str, sku: str = "SKU-1", location: str = "main") -> StockItem:
    """A position that has received ``quantity`` at ``unit_cost``."""
    item = StockItem(sku, location)
    item.receive(D(quantity), D(unit_cost), src(), AT, PLACES)
    return item


def last(item: StockItem) -> Movement:
    """The most recent pending event of ``item``."""
    event = item.pending_events[-1]
    assert isinstance(event, Movement)
    return event
