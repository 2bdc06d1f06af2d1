"""Suggested orders (SPEC §14) from the read models, and one supplier's suggestions turned
into a purchase order.

Per item reorder entry (the catalogue read model) whose position (the balances read model)
has available + on order (the purchase_orders read model) ≤ its reorder point: par −
available − on order (or reorder_qty), rounded up to whole packs of the SKU's preferred
supplier (domain.purchasing.suggest). A SKU no supplier sells is suggested in base units
with no supplier; a SKU several suppliers sell without one marked preferred goes to the
first by code.
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

    def search(
        self, search: str | None, category: str | None, limit: int, cursor: str | None
    ) -> Any: ...


class Stock(Protocol):
    """What suggestions read of the balances read model (projections.balances)."""

    def available(
        self, location: str | None = None
    ) -> tuple[dict[tuple[str, str], Decimal], int]: ...


class Orders(Protocol):
    """What suggestions read of the purchase_orders read model (projections.purchase_orders)."""

    def on_order(
        self, location: str | None = None
    ) -> tuple[dict[tuple[str, str], Decimal], int]: ...


def every(read: Any) -> tuple[list[Any], int]:
    """Every row of a paged view (pages of 1,000: one query each) and the lowest position."""
    rows: list[Any] = []
    cursor, position = None, None
    while True:
        page = read(cursor)
        rows.extend(page.items)
        position = page.position if position is None else min(position, page.position)
        cursor = page.next_cursor
        if cursor is None:
            return rows, position


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
    stock: Stock,
    orders: Orders,
    location: str | None = None,
    supplier: str | None = None,
) -> tuple[list[Suggestion], int]:
    """The suggested orders by SKU and location, and the read models' position (items read
    in pages, balances and what is on order in one query each, not per SKU)."""
    items, position = every(lambda cursor: catalogue.search(None, None, 1000, cursor))
    available, at = stock.available(location)
    ordered, on = orders.on_order(location)
    sources = preferred(purchasing.suppliers(ledger))
    found: list[Suggestion] = []
    for item in items:
        source = sources.get(item.sku)
        if supplier is not None and (source is None or source[0] != supplier):
            continue
        unit = source[1].unit if source else None
        factor = Decimal(1)
        if unit is not None and unit != item.base_unit:
            factor = next((Decimal(u["factor"]) for u in item.units if u["unit"] == unit), factor)
        for entry in item.reorders(location):
            have = available.get((item.sku, entry.location), ZERO)
            coming = ordered.get((item.sku, entry.location), ZERO)
            point, par = entry.reorder_point, entry.par
            need = suggest(have, coming, point, par, entry.reorder_qty, factor)
            if need is None:
                continue
            found.append(
                Suggestion(
                    item.sku,
                    entry.location,
                    have,
                    coming,
                    point,
                    par,
                    source[0] if source else None,
                    unit,
                    need.packs,
                    need.quantity,
                    source[1].price if source else None,
                )
            )
    found.sort(key=lambda s: (s.sku, s.location))
    return found, min(position, at, on)


def order_suggestions(
    ledger: LedgerPort,
    catalogue: Catalogue,
    stock: Stock,
    orders: Orders,
    po_id: str,
    supplier: str,
    location: str,
    expected_at: str | None = None,
) -> PostPurchaseOrder:
    """One supplier's suggestions at ``location`` as the purchase order ``po_id`` to post
    (packs in the supplier's unit at its last price); refuses when there is nothing to
    order (422 naming ``supplier``)."""
    purchasing.supplier_of(ledger, supplier)
    found, _ = suggestions(ledger, catalogue, stock, orders, location, supplier)
    if not found:
        raise ValidationError(
            f"nothing to order from {supplier} at {location}", [{"field": "supplier"}]
        )
    lines = [OrderLine(s.sku, s.packs, s.price or ZERO, s.unit) for s in found]
    return PostPurchaseOrder(po_id, supplier, location, lines, expected_at)
