"""Stock queries: balances, pages of them, stock at a time and movement histories."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict
from datetime import datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel

from api.schemas.common import Dec, MovementPublic, movement_body
from application.records import MovementRecord
from projections.balances import Balance
from projections.balances import SkuStock as SkuStockRow
from projections.live_read import Page
from projections.movements import StockAt as StockAtRow


class BalancePublic(BaseModel):
    sku: str
    location: str
    on_hand: Dec
    reserved: Dec
    available: Dec
    value: Dec
    unit_cost: Dec | None
    unit: str | None = None
    owed: Dec = Decimal(0)  # what sales owe the position (SPEC §17)
    position: int


class StockPage(BaseModel):
    items: list[BalancePublic]
    next_cursor: str | None
    position: int


class StockTotal(BaseModel):
    on_hand: Dec
    reserved: Dec
    available: Dec
    value: Dec


class SkuStock(BaseModel):
    sku: str
    locations: list[BalancePublic]
    total: StockTotal
    position: int


class StockAt(BaseModel):
    sku: str
    location: str
    time: datetime
    on_hand: Dec
    reserved: Dec
    value: Dec
    position: int


class MovementPage(BaseModel):
    items: list[MovementPublic]  # type: ignore[valid-type]  # derived: MOVEMENT_SHAPE
    next_cursor: str | None
    position: int


# -- bodies from the views' typed rows ----------------------------------------------------------


def balance_body(balance: Balance, units: Mapping[str, str]) -> dict[str, Any]:
    """A Balance; ``unit`` is the SKU's base unit (null when the SKU has no item)."""
    return {
        **asdict(balance),
        "available": balance.available,
        "unit_cost": balance.unit_cost,
        "unit": units.get(balance.sku),
    }


def stock_page_body(page: Page[Balance], units: Mapping[str, str]) -> dict[str, Any]:
    items = [balance_body(b, units) for b in page.items]
    return {"items": items, "next_cursor": page.next_cursor, "position": page.position}


def sku_stock_body(stock: SkuStockRow, units: Mapping[str, str]) -> dict[str, Any]:
    locations = [balance_body(b, units) for b in stock.locations]
    return {
        "sku": stock.sku,
        "locations": locations,
        "total": stock.total,
        "position": stock.position,
    }


def stock_at_body(state: StockAtRow) -> dict[str, Any]:
    return asdict(state)


def movement_page_body(page: Page[MovementRecord]) -> dict[str, Any]:
    items = [movement_body(m) for m in page.items]
    return {"items": items, "next_cursor": page.next_cursor, "position": page.position}
