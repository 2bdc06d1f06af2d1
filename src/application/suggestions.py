"""Suggested orders (SPEC §14) from the read models and the open purchase orders, and one
supplier's suggestions turned into a purchase order.

Per item reorder entry (the catalogue read model) whose position (the balances read model)
has available + on order ≤ its reorder point: par − available − on order (or reorder_qty),
rounded up to whole packs of the SKU's preferred supplier (domain.purchasing.suggest). A
SKU no supplier sells is suggested in base units with no supplier; a SKU several suppliers
sell without one marked preferred goes to the first by code.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

from application import purchasing
from application.commands import OrderLine, PostPurchaseOrder
from application.ports import LedgerPort
from domain.errors import ValidationError
from domain.purchasing import suggest
from domain.supplier import Supplier, SupplierItem

ZERO = Decimal(0)


class Catalogue(Protocol):
    """What suggestions read of the catalogue read model (projections.catalogue)."""

    def low_stock(self, location: str | None) -> tuple[list[Any], int]: ...

    def item(self, sku: str) -> Any: ...


@dataclass(frozen=True)
class Suggestion:
    sku: str
    location: str
    available: Decimal
    on_order: Decimal
    reorder_point: Decimal
    par: Decimal | None
    supplier: str | None
    unit: str | None
    packs: Decimal
    quantity: Decimal
    price: Decimal | None


def on_order(ledger: LedgerPort) -> dict[tuple[str, str], Decimal]:
    """Base units still on order per (SKU, location), over every PO not cancelled."""
    found: dict[tuple[str, str], Decimal] = {}
    for order in purchasing.purchase_orders(ledger):
        for index, line in enumerate(order.lines):
            key = (line.sku, order.location)
            found[key] = found.get(key, ZERO) + order.open_qty(index)
    return found


def preferred(suppliers: list[Supplier]) -> dict[str, tuple[str, SupplierItem]]:
    """One supplier per SKU: the one marked preferred, else the first by code."""
    chosen: dict[str, tuple[str, SupplierItem]] = {}
    for supplier in sorted(suppliers, key=lambda s: s.supplier):
        for entry in supplier.spec.items:
            if entry.sku not in chosen or (entry.preferred and not chosen[entry.sku][1].preferred):
                chosen[entry.sku] = (supplier.supplier, entry)
    return chosen


def suggestions(
    ledger: LedgerPort,
    catalogue: Catalogue,
    location: str | None = None,
    supplier: str | None = None,
) -> tuple[list[Suggestion], int]:
    """The suggested orders by SKU and location, and the read models' position."""
    low, position = catalogue.low_stock(location)
    ordered = on_order(ledger)
    sources = preferred(purchasing.suppliers(ledger))
    found: list[Suggestion] = []
    items = {}
    for row in low:
        source = sources.get(row.sku)
        if supplier is not None and (source is None or source[0] != supplier):
            continue
        if row.sku not in items:
            items[row.sku] = catalogue.item(row.sku)
        item = items[row.sku]
        entry = (
            next((r for r in item.reorder if r["location"] == row.location), None) if item else None
        )
        par = None if entry is None or entry.get("par") is None else Decimal(entry["par"])
        unit = source[1].unit if source else None
        factor = Decimal(1)
        if unit is not None and item is not None and unit != item.base_unit:
            factor = next((Decimal(u["factor"]) for u in item.units if u["unit"] == unit), factor)
        coming = ordered.get((row.sku, row.location), ZERO)
        need = suggest(row.available, coming, row.reorder_point, par, row.reorder_qty, factor)
        if need is None:
            continue
        found.append(
            Suggestion(
                row.sku,
                row.location,
                row.available,
                coming,
                row.reorder_point,
                par,
                source[0] if source else None,
                unit,
                need.packs,
                need.quantity,
                source[1].price if source else None,
            )
        )
    return found, position


def order_suggestions(
    ledger: LedgerPort,
    catalogue: Catalogue,
    po_id: str,
    supplier: str,
    location: str,
    expected_at: str | None = None,
) -> PostPurchaseOrder:
    """One supplier's suggestions at ``location`` as the purchase order ``po_id`` to post
    (packs in the supplier's unit at its last price); refuses when there is nothing to
    order (422 naming ``supplier``)."""
    purchasing.supplier_of(ledger, supplier)
    found, _ = suggestions(ledger, catalogue, location, supplier)
    if not found:
        raise ValidationError(
            f"nothing to order from {supplier} at {location}", [{"field": "supplier"}]
        )
    lines = [OrderLine(s.sku, s.packs, s.price or ZERO, s.unit) for s in found]
    return PostPurchaseOrder(po_id, supplier, location, lines, expected_at)
