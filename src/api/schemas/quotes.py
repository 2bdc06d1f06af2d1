"""Quotes: the draft a clerk creates, the Quote answered, and the quote command result."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel

from api.numbers import Quantity, UnitCost
from api.schemas.common import LINES, Code, Dec, EnteredPublic, Name, Strict, Unit, example
from application.records import QuoteRecord


class QuoteLineIn(Strict):
    sku: Code
    quantity: Quantity
    unit_price: UnitCost
    unit: Unit = None


class QuoteCreate(Strict):
    model_config = example(
        {
            "quote_id": "Q-1",
            "customer": "Bistro Nord",
            "location": "main",
            "lines": [{"sku": "AB-001", "quantity": "5", "unit_price": "24.90"}],
        }
    )
    quote_id: Code
    customer: Name
    location: Code
    lines: Annotated[list[QuoteLineIn], LINES]


class QuoteLinePublic(BaseModel):
    sku: str
    quantity: Dec
    unit_price: Dec
    reserved: Dec
    delivered: Dec
    returned: Dec
    # Given in a pack unit: what was entered (the quantity is in base units, the unit
    # price per pack).
    entered: EnteredPublic | None = None


class QuotePublic(BaseModel):
    quote_id: str
    customer: str
    location: str
    status: Literal["draft", "closed", "delivered", "cancelled"]
    lines: list[QuoteLinePublic]
    position: int


def quote_body(record: QuoteRecord) -> dict[str, Any]:
    """The record's fields as they are: QuotePublic names them alike."""
    return dict(vars(record))
