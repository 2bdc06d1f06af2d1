"""Suppliers (SPEC §14): a catalogue entry versioned like items — code, name, lead time in
days and the supplier items (SKU, the supplier's own code, the pack unit it sells in, the
last price per that unit, and whether it is the SKU's preferred supplier).

A pack unit must be one the SKU's item has (checked by application.purchasing, which reads
the catalogue); the rules here need no state.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

from domain import bounds
from domain.codes import check_code, each_sku_once
from domain.errors import ValidationError
from domain.text import MAX_TEXT, check_name, check_text
from domain.versioned import Versioned

MAX_LEAD_DAYS = 365


class UnknownSupplierError(ValidationError):
    """A purchase order or invoice names a supplier never put (422 ``unknown_supplier``)."""


@dataclass(frozen=True)
class SupplierItem:
    sku: str
    supplier_sku: str | None = None
    unit: str | None = None  # None: the SKU's base unit
    price: Decimal | None = None  # per ``unit``
    preferred: bool = False


@dataclass(frozen=True)
class SupplierSpec:
    name: str
    lead_time_days: int = 0
    items: tuple[SupplierItem, ...] = ()

    def check(self) -> None:
        """A name of 1–200 characters, a lead time 0–365 days, each SKU once, codes of the
        code form, prices as unit costs (≥ 0, 6 places)."""
        check_name(self.name)
        if not 0 <= self.lead_time_days <= MAX_LEAD_DAYS:
            raise ValidationError("lead_time_days is 0–365", [{"field": "lead_time_days"}])
        if len(self.items) > bounds.MAX_LINES:
            raise ValidationError(
                f"items has more than {bounds.MAX_LINES} entries", [{"field": "items"}]
            )
        for field, entry in each_sku_once(self.items, "items"):
            if entry.supplier_sku is not None:
                if not entry.supplier_sku.strip() or len(entry.supplier_sku) > MAX_TEXT:
                    raise ValidationError("bad supplier_sku", [{"field": f"{field}.supplier_sku"}])
                check_text(entry.supplier_sku, f"{field}.supplier_sku", multiline=False)
            if entry.unit is not None:
                check_code(entry.unit, f"{field}.unit")
            if entry.price is not None:
                bounds.check_unit_cost(entry.price, f"{field}.price")

    def recorded(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_recorded(cls, data: dict[str, Any]) -> SupplierSpec:
        items = tuple(
            SupplierItem(
                i["sku"],
                i["supplier_sku"],
                i["unit"],
                None if i["price"] is None else Decimal(i["price"]),
                bool(i["preferred"]),
            )
            for i in data["items"]
        )
        return cls(data["name"], int(data["lead_time_days"]), items)

    def item(self, sku: str) -> SupplierItem | None:
        return next((i for i in self.items if i.sku == sku), None)


class Supplier(Versioned, id_prefix="supplier"):
    """The catalogue entry of one supplier; every change is an attributed version."""

    TOPIC = "stockledger:Supplier"

    def __init__(self, supplier: str, spec: dict[str, Any], user: str) -> None:
        self.supplier = supplier
        self.spec = SupplierSpec.from_recorded(spec)


SUPPLIER_TOPICS = frozenset({Supplier.Created.TOPIC, Supplier.Changed.TOPIC})
