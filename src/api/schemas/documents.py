"""Posted documents: the request bodies of API.md's commands and the command result."""

from __future__ import annotations

from typing import Annotated

from pydantic import ConfigDict, Field

from api.numbers import Counted, IsoTime, Quantity, SignedQuantity, UnitCost
from api.schemas.common import (
    Code,
    Note,
    RequiredNote,
    Strict,
    Unit,
)
from domain.bounds import MAX_LINES


class LineIn(Strict):
    sku: Code
    quantity: Quantity
    unit: Unit = None


class ReceiptLineIn(Strict):
    sku: Code
    quantity: Quantity
    unit_cost: UnitCost | None = None  # required unless the receipt names a po_id
    unit: Unit = None


class CountLineIn(Strict):
    sku: Code
    counted: Counted
    unit_cost: UnitCost | None = None
    unit: Unit = None


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
    po_id: Code | None = None  # a purchase order the receipt is against (SPEC §14)


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
    unit: Unit = None


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
