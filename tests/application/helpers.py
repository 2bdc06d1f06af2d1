"""Shorthands for the application tests."""

from __future__ import annotations

from decimal import Decimal
from uuid import UUID

from application.commands import Line, PostReceipt, PricedLine, ReceiptLine
from application.ledger import Ledger
from domain.stock_item import Movement, StockItem

USER = "clerk-1"


def D(text: str | int) -> Decimal:
    return Decimal(text)


def receive(ledger: Ledger, doc_id: str, sku: str, qty: str, cost: str, location: str = "main"):
    return ledger.execute(
        PostReceipt(doc_id, location, [ReceiptLine(sku, D(qty), D(cost))]), user=USER
    )


def line(sku: str, qty: str) -> Line:
    return Line(sku, D(qty))


def quote_line(sku: str, qty: str, price: str = "10") -> PricedLine:
    return PricedLine(sku, D(qty), D(price))


def position(ledger: Ledger, sku: str, location: str = "main") -> StockItem | None:
    return ledger.get(StockItem, StockItem.create_id(sku, location))


def state(ledger: Ledger, sku: str, location: str = "main") -> tuple[Decimal, Decimal, Decimal]:
    """(on_hand, reserved, value) of a position; zeros if it does not exist."""
    item = position(ledger, sku, location)
    if item is None:
        return D(0), D(0), D(0)
    return item.on_hand, item.reserved, item.value


def movements(ledger: Ledger, sku: str, location: str = "main") -> list[Movement]:
    item_id: UUID = StockItem.create_id(sku, location)
    return [e for e in ledger.events.get(item_id) if isinstance(e, Movement)]
