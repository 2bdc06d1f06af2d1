"""Stock queries: balances, pages of them, stock at a time and movement histories."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from api.schemas.common import Dec, MovementPublic


class BalancePublic(BaseModel):
    sku: str
    location: str
    on_hand: Dec
    reserved: Dec
    available: Dec
    value: Dec
    unit_cost: Dec | None
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
