"""The sale in depth (SPEC §17): a void's request, a sale as it stands, the owed report."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, Field

from api.schemas.common import Code, Dec, MovementPublic, Note, Strict, movement_body
from api.schemas.results import CommandResultPublic
from application.sale_view import SaleState
from domain.bounds import MAX_LINES
from projections.balances import Owing

LineIndex = Annotated[int, Field(ge=0)]
LineIndexes = Annotated[list[LineIndex], Field(min_length=1, max_length=MAX_LINES)]


class VoidCreate(Strict):
    """Voids lines of a sale (their indexes; none: every line not yet voided)."""

    void_id: Code
    lines: (
        Annotated[list[Annotated[int, Field(ge=0)]], Field(min_length=1, max_length=MAX_LINES)]
        | None
    ) = None
    note: Note


class OwedPublic(BaseModel):
    sku: str
    location: str
    quantity: Dec


class SaleResultPublic(CommandResultPublic):
    """A sale's answer: its movements, and what it owes (SPEC §17)."""

    owed: list[OwedPublic]


class SaleLinePublic(BaseModel):
    line: int
    menu_item: str
    location: str | None
    quantity: Dec
    unit_price: Dec
    revenue: Dec
    recipe_version: int | None = None
    voided: bool


class OwedLinePublic(OwedPublic):
    line: int


class VoidPublic(BaseModel):
    void_id: str
    lines: list[int]
    user: str
    revenue: Dec
    cost: Dec


class SalePublic(BaseModel):
    sale_id: str
    location: str | None
    posted_at: str | None
    user: str
    lines: list[SaleLinePublic]
    revenue: Dec
    voided_revenue: Dec
    movements: list[MovementPublic]  # type: ignore[valid-type]  # derived: MOVEMENT_SHAPE
    owed: list[OwedLinePublic]
    voids: list[VoidPublic]
    position: int


class OwedItemPublic(OwedPublic):
    sales: list[str]


class OwedReportPublic(BaseModel):
    items: list[OwedItemPublic]
    position: int


def sale_body(sale: SaleState) -> dict[str, Any]:
    body = dict(vars(sale))
    body["location"] = sale.location
    body["lines"] = [
        {**line, "location": line.get("location") or sale.location} for line in sale.lines
    ]
    body["movements"] = [movement_body(m) for m in sale.movements]
    return body


def owed_body(items: list[Owing], position: int) -> dict[str, Any]:
    return {"items": [dict(vars(item)) for item in items], "position": position}
