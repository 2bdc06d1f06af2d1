"""The catalogue (SPEC §8): items with their units and reorder points, locations, and the
low-stock report."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from api.numbers import Counted, Factor
from api.schemas.common import Code, Dec, Name, Strict, example
from domain.item import MAX_UNITS, ItemSpec, PackUnit, Reorder
from projections.catalogue import ItemRow, LocationRow, LowStock

Text = Name


class UnitIn(Strict):
    unit: Code
    factor: Factor


class ReorderIn(Strict):
    location: Code
    reorder_point: Counted
    reorder_qty: Counted
    par: Counted | None = None


class ItemPut(Strict):
    model_config = example(
        {
            "name": "Pils 0.33 l",
            "base_unit": "each",
            "category": "beer",
            "barcode": "4006048000019",
            "units": [{"unit": "case", "factor": "24"}],
            "reorder": [{"location": "bar", "reorder_point": "48", "reorder_qty": "96"}],
        }
    )
    name: Text
    base_unit: Code
    category: Text | None = None
    barcode: Text | None = None
    units: Annotated[list[UnitIn], Field(default_factory=list, max_length=MAX_UNITS)]
    reorder: Annotated[list[ReorderIn], Field(default_factory=list, max_length=1000)]

    def spec(self) -> ItemSpec:
        return ItemSpec(
            name=self.name,
            base_unit=self.base_unit,
            category=self.category,
            barcode=self.barcode,
            units=tuple(PackUnit(u.unit, u.factor) for u in self.units),
            reorder=tuple(
                Reorder(r.location, r.reorder_point, r.reorder_qty, r.par) for r in self.reorder
            ),
        )


class UnitPublic(BaseModel):
    unit: str
    factor: Dec


class ReorderPublic(BaseModel):
    # An entry with a par (SPEC §14) also answers "par"; one without answers no par key.
    model_config = ConfigDict(extra="allow")
    location: str
    reorder_point: Dec
    reorder_qty: Dec


class ItemPublic(BaseModel):
    sku: str
    name: str
    base_unit: str
    category: str | None
    barcode: str | None
    units: list[UnitPublic]
    reorder: list[ReorderPublic]
    version: int
    position: int


class ItemPage(BaseModel):
    items: list[ItemPublic]
    next_cursor: str | None
    position: int


LocationKindName = Literal["warehouse", "store", "kitchen", "bar", "van"]


class LocationPut(Strict):
    name: Text
    kind: LocationKindName | None = None


class LocationPublic(BaseModel):
    code: str
    name: str | None
    kind: str | None
    declared: bool


class LocationSaved(LocationPublic):
    """A put location, with the position of the event that recorded it (or, unchanged, of
    its latest)."""

    position: int


class LocationList(BaseModel):
    items: list[LocationPublic]
    position: int


class LowStockPublic(BaseModel):
    sku: str
    location: str
    available: Dec
    reorder_point: Dec
    reorder_qty: Dec
    unit: str


class LowStockReport(BaseModel):
    items: list[LowStockPublic]
    position: int


def item_body(row: ItemRow) -> dict[str, Any]:
    """The row's fields as they are: ItemPublic names them alike."""
    return dict(vars(row))


def spec_body(sku: str, spec: ItemSpec, version: int, position: int) -> dict[str, Any]:
    """An item's body straight from the command side (what a put answers)."""
    recorded = spec.recorded()
    return {"sku": sku, **recorded, "version": version, "position": position}


def location_body(row: LocationRow) -> dict[str, Any]:
    """The row's fields as they are: LocationPublic names them alike."""
    return dict(vars(row))


def low_stock_body(rows: list[LowStock], position: int) -> dict[str, Any]:
    return {"items": [vars(row) for row in rows], "position": position}
