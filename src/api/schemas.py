"""Request and response shapes of API.md.

Decimals travel as JSON strings in responses; requests accept strings or numbers, parsed
exactly and within the bounds of SPEC §7 (see api.numbers and api.routing).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    StringConstraints,
)

from api.numbers import Counted, IsoTime, Quantity, SignedQuantity, UnitCost
from application.records import CommandResult, MovementRecord, QuoteRecord
from domain.bounds import MAX_LINES

CODE_PATTERN = r"^[A-Za-z0-9._-]{1,64}$"

Code = Annotated[
    str,
    StringConstraints(pattern=CODE_PATTERN),
    Field(description="1–64 characters of A-Z a-z 0-9 . _ -", examples=["AB-001"]),
]


def _plain(value: Decimal) -> str:
    return format(value, "f")


# A decimal in a response: always a JSON string such as "12.5".
Dec = Annotated[Decimal, PlainSerializer(_plain, return_type=str, when_used="json")]

Note = Annotated[str, Field(max_length=2000, examples=["pallet dropped"])]
RequiredNote = Annotated[str, Field(min_length=1, max_length=2000, examples=["monthly count"])]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- requests --------------------------------------------------------------------------------


class LineIn(Strict):
    sku: Code
    quantity: Quantity


class ReceiptLineIn(Strict):
    sku: Code
    quantity: Quantity
    unit_cost: UnitCost


class QuoteLineIn(Strict):
    sku: Code
    quantity: Quantity
    unit_price: UnitCost


class CountLineIn(Strict):
    sku: Code
    counted: Counted
    unit_cost: UnitCost | None = None


class ReceiptCreate(Strict):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "receipt_id": "R-1",
                    "location": "main",
                    "lines": [{"sku": "AB-001", "quantity": "20", "unit_cost": "15.00"}],
                    "note": "PO 4711",
                }
            ]
        }
    )
    receipt_id: Code
    location: Code
    lines: Annotated[list[ReceiptLineIn], Field(min_length=1, max_length=MAX_LINES)]
    note: Note | None = None


class QuoteCreate(Strict):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "quote_id": "Q-1",
                    "customer": "Bistro Nord",
                    "location": "main",
                    "lines": [{"sku": "AB-001", "quantity": "5", "unit_price": "24.90"}],
                }
            ]
        }
    )
    quote_id: Code
    customer: Annotated[str, Field(min_length=1, max_length=200)]
    location: Code
    lines: Annotated[list[QuoteLineIn], Field(min_length=1, max_length=MAX_LINES)]


class DeliveryCreate(Strict):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "delivery_id": "D-1",
                    "location": "main",
                    "quote_id": "Q-1",
                    "lines": [{"sku": "AB-001", "quantity": "3"}],
                }
            ]
        }
    )
    delivery_id: Code
    location: Code
    quote_id: Code | None = None
    lines: Annotated[list[LineIn], Field(min_length=1, max_length=MAX_LINES)]


class ReturnCreate(Strict):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "return_id": "RT-1",
                    "delivery_id": "D-1",
                    "lines": [{"sku": "AB-001", "quantity": "1"}],
                    "note": "damaged in transit",
                }
            ]
        }
    )
    return_id: Code
    delivery_id: Code
    lines: Annotated[list[LineIn], Field(min_length=1, max_length=MAX_LINES)]
    note: Note | None = None


class TransferCreate(Strict):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "transfer_id": "T-1",
                    "from_location": "main",
                    "to_location": "kitchen",
                    "lines": [{"sku": "AB-001", "quantity": "2"}],
                }
            ]
        }
    )
    transfer_id: Code
    from_location: Code
    to_location: Code
    lines: Annotated[list[LineIn], Field(min_length=1, max_length=MAX_LINES)]
    note: Note | None = None


class ConsumptionCreate(Strict):
    consumption_id: Code
    location: Code
    lines: Annotated[list[LineIn], Field(min_length=1, max_length=MAX_LINES)]
    note: Note | None = None


class WasteCreate(Strict):
    waste_id: Code
    location: Code
    lines: Annotated[list[LineIn], Field(min_length=1, max_length=MAX_LINES)]
    note: RequiredNote


class AdjustmentCreate(Strict):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"adjustment_id": "A-1", "quantity": "-2", "note": "found broken"}]
        }
    )
    adjustment_id: Code
    quantity: SignedQuantity
    note: RequiredNote
    unit_cost: UnitCost | None = None


class CountCreate(Strict):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "count_id": "C-1",
                    "location": "main",
                    "counted_at": "2026-03-14T10:00:00+00:00",
                    "lines": [{"sku": "AB-001", "counted": "14"}],
                    "note": "monthly count",
                }
            ]
        }
    )
    count_id: Code
    location: Code
    counted_at: IsoTime | None = None
    lines: Annotated[list[CountLineIn], Field(min_length=1, max_length=MAX_LINES)]
    note: RequiredNote


# --- responses -------------------------------------------------------------------------------


class DocumentLine(BaseModel):
    type: str
    id: str
    line: int


class DocumentPublic(BaseModel):
    type: str
    id: str


class MovementPublic(BaseModel):
    position: int
    recorded_at: datetime
    sku: str
    location: str
    kind: str
    quantity: Dec
    on_hand_delta: Dec
    reserved_delta: Dec
    unit_cost: Dec
    value: Dec
    document: DocumentLine
    user: str
    note: str | None
    on_hand_after: Dec
    reserved_after: Dec
    value_after: Dec


class QuoteLinePublic(BaseModel):
    sku: str
    quantity: Dec
    unit_price: Dec
    reserved: Dec
    delivered: Dec
    returned: Dec


class QuotePublic(BaseModel):
    quote_id: str
    customer: str
    location: str
    status: Literal["draft", "closed", "delivered", "cancelled"]
    lines: list[QuoteLinePublic]
    position: int


class CommandResultPublic(BaseModel):
    document: DocumentPublic
    movements: list[MovementPublic]
    position: int


class QuoteResultPublic(CommandResultPublic):
    quote: QuotePublic


class BalancePublic(BaseModel):
    sku: str
    location: str
    on_hand: Dec
    reserved: Dec
    available: Dec
    value: Dec
    unit_cost: Dec | None
    position: int


class StockPage(BaseModel):
    items: list[BalancePublic]
    next_cursor: str | None
    position: int


class StockTotal(BaseModel):
    on_hand: Dec
    reserved: Dec
    available: Dec
    value: Dec


class SkuStock(BaseModel):
    sku: str
    locations: list[BalancePublic]
    total: StockTotal
    position: int


class StockAt(BaseModel):
    sku: str
    location: str
    time: datetime
    on_hand: Dec
    reserved: Dec
    value: Dec
    position: int


class MovementPage(BaseModel):
    items: list[MovementPublic]
    next_cursor: str | None
    position: int


class CogsAmounts(BaseModel):
    shipped_qty: Dec
    shipped_value: Dec
    returned_qty: Dec
    returned_value: Dec
    consumed_qty: Dec
    consumed_value: Dec
    waste_qty: Dec
    waste_value: Dec
    net_cogs: Dec


class CogsKeys(BaseModel):
    period: str | None = None
    location: str | None = None
    sku: str | None = None


class CogsRow(CogsAmounts, CogsKeys):
    """The group keys asked for (``group_by``), then the amounts."""


class CogsReport(BaseModel):
    rows: list[CogsRow]
    totals: CogsAmounts
    position: int


class ValuationAmounts(BaseModel):
    opening_qty: Dec
    opening_value: Dec
    receipts_qty: Dec
    receipts_value: Dec
    returns_qty: Dec
    returns_value: Dec
    transfers_in_qty: Dec
    transfers_in_value: Dec
    transfers_out_qty: Dec
    transfers_out_value: Dec
    shipped_qty: Dec
    shipped_value: Dec
    consumed_qty: Dec
    consumed_value: Dec
    waste_qty: Dec
    waste_value: Dec
    adjustments_qty: Dec
    adjustments_value: Dec
    closing_qty: Dec
    closing_value: Dec


class ValuationKeys(BaseModel):
    period: str
    location: str
    sku: str


class ValuationRow(ValuationAmounts, ValuationKeys):
    pass


class ValuationReport(BaseModel):
    rows: list[ValuationRow]
    totals: dict[str, Dec]
    position: int


class PeriodPublic(BaseModel):
    period: str
    closed_at: datetime
    closed_by: str
    digest: str


class PeriodDetail(PeriodPublic):
    totals: dict[str, Any]
    verified: bool


class PeriodClosed(PeriodPublic):
    model_config = ConfigDict(extra="allow")
    totals: dict[str, Any]


class RebuildProgress(BaseModel):
    position: int
    head: int
    events_per_s: float | None  # ok-float: a rate, not money
    version: int = Field(description="The version being built")


class ProjectionStatus(BaseModel):
    name: str
    version: int = Field(description="The version whose generation is live")
    code_version: int = Field(description="The version this process's code builds")
    position: int
    head: int
    lag: int
    state: Literal["live", "rebuilding", "catching_up"]
    rebuild: RebuildProgress | None


class RebuildAccepted(BaseModel):
    name: str
    state: str


class Health(BaseModel):
    status: Literal["ok"]


# --- records to bodies -----------------------------------------------------------------------


def movement_body(record: MovementRecord) -> dict[str, Any]:
    return {
        "position": record.position,
        "recorded_at": record.recorded_at,
        "sku": record.sku,
        "location": record.location,
        "kind": record.kind,
        "quantity": record.quantity,
        "on_hand_delta": record.on_hand_delta,
        "reserved_delta": record.reserved_delta,
        "unit_cost": record.unit_cost,
        "value": record.value,
        "document": {
            "type": record.document_type,
            "id": record.document_id,
            "line": record.line,
        },
        "user": record.user,
        "note": record.note,
        "on_hand_after": record.on_hand_after,
        "reserved_after": record.reserved_after,
        "value_after": record.value_after,
    }


def quote_body(record: QuoteRecord) -> dict[str, Any]:
    return {
        "quote_id": record.quote_id,
        "customer": record.customer,
        "location": record.location,
        "status": record.status,
        "lines": record.lines,
        "position": record.position,
    }


def command_body(result: CommandResult) -> dict[str, Any]:
    body: dict[str, Any] = {
        "document": {"type": result.document_type, "id": result.document_id},
        "movements": [movement_body(m) for m in result.movements],
        "position": result.position,
    }
    if result.quote is not None:
        body["quote"] = quote_body(result.quote)
    return body
