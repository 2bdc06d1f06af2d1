"""Input lines of the commands in API.md, as the application takes them (Decimal throughout)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any


@dataclass(frozen=True)
class Line:
    sku: str
    quantity: Decimal


@dataclass(frozen=True)
class ReceiptLine:
    sku: str
    quantity: Decimal
    unit_cost: Decimal


@dataclass(frozen=True)
class QuoteLineIn:
    sku: str
    quantity: Decimal
    unit_price: Decimal


@dataclass(frozen=True)
class CountLine:
    sku: str
    counted: Decimal
    unit_cost: Decimal | None = None


def as_payload(lines: list[Any]) -> list[dict[str, Any]]:
    return [asdict(line) for line in lines]
