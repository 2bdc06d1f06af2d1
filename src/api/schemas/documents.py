"""Posted documents: the request bodies of API.md's commands and the command result."""

from __future__ import annotations

from typing import Annotated

from api.numbers import Counted, IsoTime, Quantity, SignedQuantity, UnitCost
from api.schemas.common import LINES, Code, Note, RequiredNote, Strict, Unit, example


class LineIn(Strict):
    sku: Code
    quantity: Quantity
    unit: Unit = None


Lines = Annotated[list[LineIn], LINES]


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
    model_config = example(
        {
            "receipt_id": "R-1",
            "location": "main",
            "lines": [{"sku": "AB-001", "quantity": "20", "unit_cost": "15.00"}],
            "note": "PO 4711",
        }
    )
    receipt_id: Code
    location: Code
    lines: Annotated[list[ReceiptLineIn], LINES]
    note: Note | None = None
    po_id: Code | None = None  # a purchase order the receipt is against (SPEC §14)


class DeliveryCreate(Strict):
    model_config = example(
        {
            "delivery_id": "D-1",
            "location": "main",
            "quote_id": "Q-1",
            "lines": [{"sku": "AB-001", "quantity": "3"}],
        }
    )
    delivery_id: Code
    location: Code
    quote_id: Code | None = None
    lines: Lines


class ReturnCreate(Strict):
    model_config = example(
        {
            "return_id": "RT-1",
            "delivery_id": "D-1",
            "lines": [{"sku": "AB-001", "quantity": "1"}],
            "note": "damaged in transit",
        }
    )
    return_id: Code
    delivery_id: Code
    lines: Lines
    note: Note | None = None


class TransferCreate(Strict):
    model_config = example(
        {
            "transfer_id": "T-1",
            "from_location": "main",
            "to_location": "kitchen",
            "lines": [{"sku": "AB-001", "quantity": "2"}],
        }
    )
    transfer_id: Code
    from_location: Code
    to_location: Code
    lines: Lines
    note: Note | None = None


class ConsumptionCreate(Strict):
    consumption_id: Code
    location: Code
    lines: Lines
    note: Note | None = None


class WasteCreate(Strict):
    waste_id: Code
    location: Code
    lines: Lines
    note: RequiredNote


class AdjustmentCreate(Strict):
    model_config = example({"adjustment_id": "A-1", "quantity": "-2", "note": "found broken"})
    adjustment_id: Code
    quantity: SignedQuantity
    note: RequiredNote
    unit_cost: UnitCost | None = None
    unit: Unit = None


class CountCreate(Strict):
    model_config = example(
        {
            "count_id": "C-1",
            "location": "main",
            "counted_at": "2026-03-14T10:00:00+00:00",
            "lines": [{"sku": "AB-001", "counted": "14"}],
            "note": "monthly count",
        }
    )
    count_id: Code
    location: Code
    counted_at: IsoTime | None = None
    lines: Annotated[list[CountLineIn], LINES]
    note: RequiredNote
