"""Purchasing (SPEC §14): suppliers, purchase orders, supplier invoices, GRNI and
suggestions — the request bodies, the answers and the ``*_body`` functions."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, Field

from api.numbers import Quantity, UnitCost
from api.schemas.common import LINES, Code, Dec, Name, Note, Strict, Unit
from api.schemas.results import CommandResultPublic
from domain.bounds import MAX_LINES
from domain.purchase_order import PurchaseOrder
from domain.supplier import MAX_LEAD_DAYS, Supplier, SupplierItem, SupplierSpec


class SupplierItemIn(Strict):
    sku: Code
    supplier_sku: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    unit: Unit = None
    price: UnitCost | None = None
    preferred: bool = False


class SupplierPut(Strict):
    name: Name
    lead_time_days: Annotated[int, Field(ge=0, le=MAX_LEAD_DAYS)] = 0
    items: Annotated[list[SupplierItemIn], Field(default_factory=list, max_length=MAX_LINES)]

    def spec(self) -> SupplierSpec:
        items = tuple(
            SupplierItem(i.sku, i.supplier_sku, i.unit, i.price, i.preferred) for i in self.items
        )
        return SupplierSpec(self.name, self.lead_time_days, items)


class SupplierItemPublic(BaseModel):
    sku: str
    supplier_sku: str | None
    unit: str | None
    price: Dec | None
    preferred: bool


class SupplierPublic(BaseModel):
    code: str
    name: str
    lead_time_days: int
    items: list[SupplierItemPublic]
    version: int
    position: int


class SupplierList(BaseModel):
    items: list[SupplierPublic]


def supplier_body(supplier: Supplier, position: int) -> dict[str, Any]:
    spec = supplier.spec
    return {
        "code": supplier.supplier,
        "name": spec.name,
        "lead_time_days": spec.lead_time_days,
        "items": [vars(item) for item in spec.items],
        "version": supplier.version,
        "position": position,
    }


class OrderLineIn(Strict):
    sku: Code
    quantity: Quantity
    unit: Unit = None
    unit_price: UnitCost


class PurchaseOrderCreate(Strict):
    po_id: Code
    supplier: Code
    location: Code
    expected_at: Annotated[str, Field(max_length=40)] | None = None
    lines: Annotated[list[OrderLineIn], LINES]


class EnteredIn(BaseModel):
    quantity: Dec
    unit: str | None
    factor: Dec


class OrderLinePublic(BaseModel):
    sku: str
    unit: str | None
    ordered: Dec
    received: Dec
    open: Dec
    unit_price: Dec
    entered: EnteredIn


class PurchaseOrderPublic(BaseModel):
    po_id: str
    supplier: str
    location: str
    status: str
    expected_at: str | None
    lines: list[OrderLinePublic]
    receipts: list[str]
    position: int


class PurchaseOrderList(BaseModel):
    items: list[PurchaseOrderPublic]
    position: int


def order_body(order: PurchaseOrder, position: int) -> dict[str, Any]:
    return {**order.summary(), "position": position}


class InvoiceLineIn(Strict):
    receipt_id: Code
    sku: Code
    quantity: Quantity
    unit: Unit = None
    unit_price: UnitCost


class SupplierInvoiceCreate(Strict):
    invoice_id: Code
    supplier: Code
    lines: Annotated[list[InvoiceLineIn], LINES]
    note: Note | None = None


class MatchedPublic(BaseModel):
    receipt_id: str
    sku: str
    quantity: Dec
    receipt_cost: Dec
    invoice_price: Dec
    billed_value: Dec
    invoiced_value: Dec
    difference: Dec


class InvoiceResultPublic(CommandResultPublic):
    matched: list[MatchedPublic]


class GrniRow(BaseModel):
    supplier: str
    receipt_id: str
    sku: str
    received_qty: Dec
    received_value: Dec
    billed_qty: Dec
    billed_value: Dec
    open_qty: Dec
    open_value: Dec


class GrniTotals(BaseModel):
    received_value: Dec
    billed_value: Dec
    open_value: Dec


class GrniReport(BaseModel):
    rows: list[GrniRow]
    totals: GrniTotals
    position: int


class SuggestionPublic(BaseModel):
    sku: str
    location: str
    available: Dec
    on_order: Dec
    reorder_point: Dec
    par: Dec | None
    supplier: str | None
    unit: str | None
    packs: Dec
    quantity: Dec


class SuggestionList(BaseModel):
    items: list[SuggestionPublic]
    position: int


class SuggestionOrder(Strict):
    po_id: Code
    supplier: Code
    location: Code
    expected_at: Annotated[str, Field(max_length=40)] | None = None
