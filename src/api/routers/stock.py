"""Stock positions: balances, stock at a date, movement history (adjust: routers.adjustments)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from api.auth import Viewer
from api.dependencies import CatalogueDep, MovementViewDep, StockViewDep
from api.numbers import IsoTime
from api.problems import responses
from api.respond import respond
from api.routing import DecimalRoute
from api.schemas import (
    CODE_PATTERN,
    BalancePublic,
    MovementPage,
    SkuStock,
    StockAt,
    StockPage,
)
from api.schemas.common import SearchText
from api.schemas.stock import (
    balance_body,
    movement_page_body,
    sku_stock_body,
    stock_at_body,
    stock_page_body,
)
from domain.movements import Kind

router = APIRouter(prefix="/api/stock", tags=["stock"], route_class=DecimalRoute)

Sku = Path(pattern=CODE_PATTERN, examples=["AB-001"])
Location = Path(pattern=CODE_PATTERN, examples=["main"])
QUERY_RESPONSES = responses(401, 403, 422, 503)


@router.get(
    "",
    response_model=StockPage,
    responses=QUERY_RESPONSES,
    summary="Balances of every position, filtered and paged",
)
def stock_list(
    request: Request,
    who: Viewer,
    stock: StockViewDep,
    catalogue: CatalogueDep,
    location: str | None = Query(None, pattern=CODE_PATTERN),
    sku_prefix: Annotated[SearchText | None, Query(max_length=64)] = None,
    limit: int = Query(100, ge=1, le=1000),
    cursor: str | None = Query(None, max_length=512),
) -> Response:
    page = stock.page(location, sku_prefix, limit, cursor)
    units = catalogue.units_of(b.sku for b in page.items)
    return respond(request, stock_page_body(page, units))


@router.get(
    "/{sku}",
    response_model=SkuStock,
    responses=QUERY_RESPONSES,
    summary="One SKU at every location, with totals",
)
def stock_of_sku(
    request: Request, who: Viewer, stock: StockViewDep, catalogue: CatalogueDep, sku: str = Sku
) -> Response:
    return respond(request, sku_stock_body(stock.of_sku(sku), catalogue.units_of([sku])))


@router.get(
    "/{sku}/{location}",
    response_model=BalancePublic,
    responses=QUERY_RESPONSES,
    summary="One position's balance (zeros for a position never used)",
)
def balance(
    request: Request,
    who: Viewer,
    stock: StockViewDep,
    catalogue: CatalogueDep,
    sku: str = Sku,
    location: str = Location,
) -> Response:
    units = catalogue.units_of([sku])
    return respond(request, balance_body(stock.balance(sku, location), units))


@router.get(
    "/{sku}/{location}/at",
    response_model=StockAt,
    responses=QUERY_RESPONSES,
    summary="Stock just after the last movement recorded at or before `time`",
)
def stock_at(
    request: Request,
    # Annotated form: with a bare ``= Query(...)`` default FastAPI drops IsoTime's validator.
    time: Annotated[IsoTime, Query(examples=["2026-03-14T10:00:00+00:00"])],
    who: Viewer,
    view: MovementViewDep,
    sku: str = Sku,
    location: str = Location,
) -> Response:
    return respond(request, stock_at_body(view.stock_at(sku, location, time)))


@router.get(
    "/{sku}/{location}/movements",
    response_model=MovementPage,
    responses=QUERY_RESPONSES,
    summary="A position's movements, oldest first",
)
def movements(
    request: Request,
    who: Viewer,
    view: MovementViewDep,
    sku: str = Sku,
    location: str = Location,
    from_: IsoTime | None = Query(None, alias="from"),
    to: IsoTime | None = Query(None),
    kind: Kind | None = Query(None),
    limit: int = Query(100, ge=1, le=1000),
    cursor: str | None = Query(None, max_length=512),
) -> Response:
    found = view.history(sku, location, from_, to, kind.value if kind else None, limit, cursor)
    return respond(request, movement_page_body(found))
