"""The catalogue (SPEC §8): items and locations (put by an admin, read by any viewer) and the
low-stock report."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from api.auth import Admin, Viewer
from api.dependencies import CatalogueDep, LedgerDep
from api.problems import responses
from api.respond import respond
from api.routing import DecimalRoute
from api.schemas import CODE_PATTERN
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
from domain.item import Item

router = APIRouter(prefix="/api", tags=["catalogue"], route_class=DecimalRoute)

Sku = Path(pattern=CODE_PATTERN, examples=["AB-001"])
Code = Path(pattern=CODE_PATTERN, examples=["bar"])
PUT_RESPONSES = {200: {"description": "Changed or unchanged"}, **responses(401, 403, 409, 422)}
QUERY_RESPONSES = responses(401, 403, 422, 503)


@router.put(
    "/items/{sku}",
    status_code=201,
    response_model=ItemPublic,
    responses=PUT_RESPONSES,
    summary="Create or change the item of a SKU: units, pack sizes, reorder points (admin)",
)
def put_item(
    body: ItemPut,
    request: Request,
    who: Admin,
    ledger: LedgerDep,
    sku: str = Sku,
) -> Response:
    item, saved = ledger.put_item(sku, body.spec(), user=who.user)
    answer = spec_body(sku, item.spec, saved.version, saved.position)
    return respond(request, answer, status=201 if saved.created else 200)


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


@router.patch(
    "/items/{sku}",
    response_model=ItemPublic,
    responses=responses(401, 403, 404, 409, 422),
    summary="Change some fields of an item (JSON merge patch, RFC 7396; admin)",
    openapi_extra={"requestBody": {"content": {"application/merge-patch+json": {}}}},
)
def patch_item(
    request: Request,
    who: Admin,
    ledger: LedgerDep,
    patch: Annotated[dict[str, Any], Body(media_type="application/merge-patch+json")],
    sku: str = Sku,
) -> Response:
    """The item with ``patch`` merged into its current spec, checked as a whole put would
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
    return respond(request, spec_body(sku, item.spec, saved.version, saved.position))


@router.get(
    "/items",
    response_model=ItemPage,
    responses=QUERY_RESPONSES,
    summary="Items by sku; search matches sku, name or barcode, case-insensitive",
)
def list_items(
    request: Request,
    who: Viewer,
    catalogue: CatalogueDep,
    search: Annotated[SearchText | None, Query(max_length=200)] = None,
    category: Annotated[SearchText | None, Query(max_length=200)] = None,
    limit: int = Query(100, ge=1, le=1000),
    cursor: str | None = Query(None, max_length=512),
) -> Response:
    page = catalogue.search(search, category, limit, cursor)
    body = {
        "items": [item_body(row) for row in page.items],
        "next_cursor": page.next_cursor,
        "position": page.position,
    }
    return respond(request, body)


@router.get(
    "/items/{sku}",
    response_model=ItemPublic,
    responses=responses(401, 403, 404, 422, 503),
    summary="One item",
)
def get_item(request: Request, who: Viewer, catalogue: CatalogueDep, sku: str = Sku) -> Response:
    row = catalogue.item(sku)
    if row is None:
        raise NotFoundError(f"item {sku} not found")
    return respond(request, item_body(row))


@router.put(
    "/locations/{code}",
    status_code=201,
    response_model=LocationSaved,
    responses=PUT_RESPONSES,
    summary="Name a location and give its kind (admin)",
)
def put_location(
    body: LocationPut,
    request: Request,
    who: Admin,
    ledger: LedgerDep,
    code: str = Code,
) -> Response:
    place, saved = ledger.put_location(code, body.name, body.kind, user=who.user)
    saved_body = {"code": code, "name": place.name, "kind": place.kind, "declared": True}
    answer = {**saved_body, "position": saved.position}
    return respond(request, answer, status=201 if saved.created else 200)


@router.get(
    "/locations",
    response_model=LocationList,
    responses=QUERY_RESPONSES,
    summary="Declared locations and every location seen in the ledger",
)
def list_locations(request: Request, who: Viewer, catalogue: CatalogueDep) -> Response:
    rows, position = catalogue.all_locations()
    return respond(request, {"items": [location_body(r) for r in rows], "position": position})


@router.get(
    "/reports/low-stock",
    response_model=LowStockReport,
    responses=QUERY_RESPONSES,
    summary="Positions whose available stock is at or below their reorder point",
)
def low_stock(
    request: Request,
    who: Viewer,
    catalogue: CatalogueDep,
    location: str | None = Query(None, pattern=CODE_PATTERN),
) -> Response:
    rows, position = catalogue.low_stock(location)
    return respond(request, low_stock_body(rows, position))
