"""``items`` and ``locations``: the catalogue as read models (SPEC §8); ``CatalogueView``,
their queries; and the low-stock report.

``items`` folds Item events: one row per SKU with its latest spec (units and reorder points
as JSON text) and a lower-cased search text (sku, name, barcode). ``locations`` folds
Location events and movements: one row per location code, declared or only seen in the
ledger. The low-stock report reads the reorder points from ``items`` and the balances from
``balances``: positions whose available ≤ reorder point.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from domain.item import ITEM_TOPICS, LOCATION_TOPICS, Location, Reorder
from domain.stock_item import MOVEMENT_TOPICS, Movement
from projections.balances import StockView
from projections.base import Column, Key, Projection, Rows
from projections.db import Database
from projections.live_read import Page, check_limit, equal_to, paged, read_cursor, select_live


class Items(Projection):
    NAME = "items"
    VERSION = 1
    TOPICS = ITEM_TOPICS
    COLUMNS = (
        Column("sku", "text"),
        Column("name", "text"),
        Column("base_unit", "text"),
        Column("category", "text", True),
        Column("barcode", "text", True),
        Column("units", "text"),
        Column("reorder", "text"),
        Column("search", "text"),
        Column("version", "int"),
        Column("position", "int"),
    )
    KEY = ("sku",)
    INDEXES = (("category", "sku"),)

    def key_of(self, event: Any, position: int) -> Key:
        return (event.sku,)

    def fold(self, rows: Rows, event: Any, position: int) -> None:
        spec = event.spec
        rows[(event.sku,)] = {
            "sku": event.sku,
            "name": spec["name"],
            "base_unit": spec["base_unit"],
            "category": spec["category"],
            "barcode": spec["barcode"],
            "units": _json(spec["units"]),
            "reorder": _json(spec["reorder"]),
            "search": "\n".join((event.sku, spec["name"], spec["barcode"] or "")).lower(),
            "version": event.originator_version,
            "position": position,
        }


class Locations(Projection):
    NAME = "locations"
    VERSION = 1
    TOPICS = LOCATION_TOPICS | MOVEMENT_TOPICS
    COLUMNS = (
        Column("code", "text"),
        Column("name", "text", True),
        Column("kind", "text", True),
        Column("declared", "int"),
    )
    KEY = ("code",)

    def key_of(self, event: Any, position: int) -> Key:
        return (event.location,) if isinstance(event, Movement) else (event.code,)

    def fold(self, rows: Rows, event: Any, position: int) -> None:
        if isinstance(event, Movement):
            rows.setdefault((event.location,), _seen(event.location))
        elif isinstance(event, Location.Created | Location.Changed):
            rows[(event.code,)] = {
                "code": event.code,
                "name": event.name,
                "kind": event.kind,
                "declared": 1,
            }


def _seen(code: str) -> dict[str, Any]:
    return {"code": code, "name": None, "kind": None, "declared": 0}


def _json(value: Any) -> str:
    return json.dumps(value, default=_plain, sort_keys=True, separators=(",", ":"))


def _plain(value: Any) -> str:
    """Decimals as plain strings ("0.75", never "7.5E-1")."""
    return format(value, "f")


@dataclass(frozen=True)
class ItemRow:
    """An item as the read model holds it (API.md's Item)."""

    sku: str
    name: str
    base_unit: str
    category: str | None
    barcode: str | None
    units: list[dict[str, Any]]
    reorder: list[dict[str, Any]]
    version: int
    position: int

    def reorders(self, location: str | None = None) -> list[Reorder]:
        """The item's reorder points: every one, or the one at ``location``."""
        return [
            Reorder.read(entry)
            for entry in self.reorder
            if location is None or entry["location"] == location
        ]


@dataclass(frozen=True)
class LocationRow:
    code: str
    name: str | None
    kind: str | None
    declared: bool


@dataclass(frozen=True)
class LowStock:
    """A position at or below its reorder point."""

    sku: str
    location: str
    available: Decimal
    reorder_point: Decimal
    reorder_qty: Decimal
    unit: str


@dataclass(frozen=True)
class CatalogueView:
    """Items (one, or a searched page), locations and the low-stock report."""

    db: Database
    items: Items
    locations: Locations
    stock: StockView

    def _items(self, where: str, params: list[Any]) -> tuple[list[ItemRow], int]:
        rows, position = select_live(self.db, self.items, where, params)
        return [_item(row) for row in rows], position

    def units_of(self, skus: Iterable[str]) -> dict[str, str]:
        """The base unit of each of ``skus`` that has an item (SPEC §8: balances carry it)."""
        wanted = sorted(set(skus))
        if not wanted:
            return {}
        marks = ", ".join("?" for _ in wanted)
        found, _ = self._items(f"sku IN ({marks})", list(wanted))
        return {row.sku: row.base_unit for row in found}

    def item(self, sku: str) -> ItemRow | None:
        found, _ = self._items("sku = ?", [sku])
        return found[0] if found else None

    def search(
        self, search: str | None, category: str | None, limit: int, cursor: str | None
    ) -> Page[ItemRow]:
        """Items by sku; ``search`` matches sku, name or barcode, case-insensitive."""
        check_limit(limit)
        after = read_cursor(cursor, lambda v: isinstance(v, str))
        filters, params = equal_to(category=category)
        where = ["1 = 1", *filters]
        if search:
            escaped = search.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            where.append("search LIKE ? ESCAPE '\\'")
            params.append(f"%{escaped}%")
        if after is not None:
            where.append("sku > ?")
            params.append(after)
        found, position = self._items(
            " AND ".join(where) + f" ORDER BY sku LIMIT {limit + 1}", params
        )
        return paged(found, limit, position, lambda row: row.sku)

    def all_locations(self) -> tuple[list[LocationRow], int]:
        rows, position = select_live(self.db, self.locations, order="code")
        return [
            LocationRow(r["code"], r["name"], r["kind"], bool(r["declared"])) for r in rows
        ], position

    def low_stock(self, location: str | None) -> tuple[list[LowStock], int]:
        """Positions whose available ≤ reorder_point, by sku and location; the position is
        the lower of the two read models'."""
        found, position = self._items("reorder <> ?", ["[]"])
        low: list[LowStock] = []
        for item in found:
            stock = self.stock.of_sku(item.sku)
            position = min(position, stock.position)
            available = {b.location: b.available for b in stock.locations}
            for entry in item.reorders(location):
                have = available.get(entry.location, Decimal(0))
                if have <= entry.reorder_point:
                    low.append(
                        LowStock(
                            item.sku,
                            entry.location,
                            have,
                            entry.reorder_point,
                            entry.reorder_qty,
                            item.base_unit,
                        )
                    )
        return sorted(low, key=lambda row: (row.sku, row.location)), position


def _item(row: dict[str, Any]) -> ItemRow:
    return ItemRow(
        sku=row["sku"],
        name=row["name"],
        base_unit=row["base_unit"],
        category=row["category"],
        barcode=row["barcode"],
        units=json.loads(row["units"]),
        reorder=sorted(json.loads(row["reorder"]), key=lambda r: r["location"]),
        version=row["version"],
        position=row["position"],
    )
