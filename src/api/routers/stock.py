"""Stock positions: balances, stock at a date, movement history (adjust: routers.adjustments)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query

from api.auth import Principal
from api.dependencies import CatalogueDep, MovementViewDep, StockViewDep
from api.numbers import IsoTime
from api.params import CodeFilter, Cursor, Limit, Location, Sku
from api.route_table import Routes
from api.schemas import (
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

router = Routes("/api/stock", "stock")

POSITION = "/{sku}/{location}"


@router.read("", StockPage, 503)
def stock_list(
    stock: StockViewDep,
    catalogue: CatalogueDep,
    location: CodeFilter = None,
    sku_prefix: Annotated[SearchText | None, Query(max_length=64)] = None,
    limit: Limit = 100,
    cursor: Cursor = None,
) -> Any:
    """Balances of every position, filtered and paged"""
    page = stock.page(location, sku_prefix, limit, cursor)
    return stock_page_body(page, catalogue.units_of(b.sku for b in page.items))


@router.read("/{sku}", SkuStock, 503)
def stock_of_sku(stock: StockViewDep, catalogue: CatalogueDep, sku: str = Sku) -> Any:
    """One SKU at every location, with totals"""
    return sku_stock_body(stock.of_sku(sku), catalogue.units_of([sku]))


@router.read(POSITION, BalancePublic, 503)
def balance(
    stock: StockViewDep, catalogue: CatalogueDep, sku: str = Sku, location: str = Location
) -> Any:
    """One position's balance (zeros for a position never used)"""
    return balance_body(stock.balance(sku, location), catalogue.units_of([sku]))


@router.read(POSITION + "/at", StockAt, 503)
def stock_at(
    # Annotated form: with a bare ``= Query(...)`` default FastAPI drops IsoTime's validator.
    time: Annotated[IsoTime, Query(examples=["2026-03-14T10:00:00+00:00"])],
    who: Principal,
    view: MovementViewDep,
    sku: str = Sku,
    location: str = Location,
) -> Any:
    """Stock just after the last movement recorded at or before `time`"""
    return stock_at_body(view.stock_at(sku, location, time))


@router.read(POSITION + "/movements", MovementPage, 503)
def movements(
    view: MovementViewDep,
    sku: str = Sku,
    location: str = Location,
    from_: IsoTime | None = Query(None, alias="from"),
    to: IsoTime | None = Query(None),
    kind: Kind | None = Query(None),
    limit: Limit = 100,
    cursor: Cursor = None,
) -> Any:
    """A position's movements, oldest first"""
    found = view.history(sku, location, from_, to, kind.value if kind else None, limit, cursor)
    return movement_page_body(found)
