"""The catalogue (SPEC §8): items and locations (put by an admin, read by any viewer) and the
low-stock report."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Body, Query
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from api.auth import Principal
from api.dependencies import CatalogueDep, LedgerDep
from api.params import CodeFilter, Cursor, Limit, Sku, code
from api.route_table import Answer, Routes, created
from api.schemas.catalogue import (
    ItemPage,
    ItemPublic,
    ItemPut,
    LocationList,
    LocationPut,
    LocationSaved,
    LowStockReport,
    item_body,
    location_body,
    low_stock_body,
    spec_body,
)
from api.schemas.common import SearchText
from application.errors import NotFoundError
from domain.access import Role
from domain.item import Item

router = Routes("/api", "catalogue")

Code = code("bar")
ITEM = "/items/{sku}"
Search = Annotated[SearchText | None, Query(max_length=200)]
# A put answers 201 when it recorded a change, else 200.
PUT: dict[str, Any] = {"role": Role.ADMIN, "repeat": "Changed or unchanged", "status_code": 201}


@router.write("PUT", ITEM, ItemPublic, 409, **PUT)
def put_item(body: ItemPut, who: Principal, ledger: LedgerDep, sku: str = Sku) -> Answer:
    """Create or change the item of a SKU: units, pack sizes, reorder points (admin)"""
    item, saved = ledger.put_item(sku, body.spec(), user=who.user)
    return created(spec_body(sku, item.spec, saved.version, saved.position), saved.created)


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7396: an object patch merges member by member (null removes), anything else
    replaces the target (so a list is given whole)."""
    if not isinstance(patch, dict):
        return patch
    merged = dict(target) if isinstance(target, dict) else {}
    for name, value in patch.items():
        if value is None:
            merged.pop(name, None)
        else:
            merged[name] = merge_patch(merged.get(name), value)
    return merged


@router.write(
    "PATCH",
    ITEM,
    ItemPublic,
    404,
    409,
    role=Role.ADMIN,
    openapi_extra={"requestBody": {"content": {"application/merge-patch+json": {}}}},
)
def patch_item(
    who: Principal,
    ledger: LedgerDep,
    patch: Annotated[dict[str, Any], Body(media_type="application/merge-patch+json")],
    sku: str = Sku,
) -> Any:
    """Change some fields of an item (JSON merge patch, RFC 7396; admin)

    The item with ``patch`` merged into its current spec, checked as a whole put would
    be: a field left out keeps its value, null clears it (units, reorder: the list is
    replaced whole)."""
    current = ledger.get(Item, Item.create_id(sku))
    if current is None:
        raise NotFoundError(f"item {sku} not found")
    merged = merge_patch(current.spec.recorded(), patch)
    try:
        body = ItemPut.model_validate(merged)
    except ValidationError as exc:
        errors = [{**e, "loc": ("body", *e["loc"])} for e in exc.errors(include_url=False)]
        raise RequestValidationError(errors, body=patch) from None
    item, saved = ledger.put_item(sku, body.spec(), user=who.user)
    return spec_body(sku, item.spec, saved.version, saved.position)


@router.read("/items", ItemPage, 503)
def list_items(
    catalogue: CatalogueDep,
    search: Search = None,
    category: Search = None,
    limit: Limit = 100,
    cursor: Cursor = None,
) -> Any:
    """Items by sku; search matches sku, name or barcode, case-insensitive"""
    page = catalogue.search(search, category, limit, cursor)
    items = [item_body(row) for row in page.items]
    return {"items": items, "next_cursor": page.next_cursor, "position": page.position}


@router.read(ITEM, ItemPublic, 404, 503)
def get_item(catalogue: CatalogueDep, sku: str = Sku) -> Any:
    """One item"""
    row = catalogue.item(sku)
    if row is None:
        raise NotFoundError(f"item {sku} not found")
    return item_body(row)


@router.write("PUT", "/locations/{code}", LocationSaved, 409, **PUT)
def put_location(body: LocationPut, who: Principal, ledger: LedgerDep, code: str = Code) -> Answer:
    """Name a location and give its kind (admin)"""
    place, saved = ledger.put_location(code, body.name, body.kind, user=who.user)
    answer = {"code": code, "name": place.name, "kind": place.kind, "declared": True}
    return created({**answer, "position": saved.position}, saved.created)


@router.read("/locations", LocationList, 503)
def list_locations(catalogue: CatalogueDep) -> Any:
    """Declared locations and every location seen in the ledger"""
    rows, position = catalogue.all_locations()
    return {"items": [location_body(r) for r in rows], "position": position}


@router.read("/reports/low-stock", LowStockReport, 503)
def low_stock(catalogue: CatalogueDep, location: CodeFilter = None) -> Any:
    """Positions whose available stock is at or below their reorder point"""
    return low_stock_body(*catalogue.low_stock(location))
