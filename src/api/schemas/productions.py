"""Prep and plate cost (SPEC §16, §17): a production posted, the recipe list and a plate's
cost answered."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from api.numbers import Quantity
from api.schemas.common import Code, Dec, Note, Strict, example
from api.schemas.recipes import RecipePublic, recipe_body
from application.plate_cost import Listed, PlateCost


class ProductionCreate(Strict):
    model_config = example(
        {
            "production_id": "PROD-2026-12-07-1",
            "location": "kitchen",
            "recipe": "TOMATO-SAUCE",
            "batches": "2",
            "actual_quantity": "9.6",
        }
    )
    production_id: Code
    location: Code
    recipe: Code
    batches: Quantity | None = None
    quantity: Quantity | None = None
    actual_quantity: Quantity | None = None
    note: Note | None = None


class RecipeListPublic(BaseModel):
    items: list[RecipePublic]
    position: int


def recipe_list_body(listed: list[Listed], position: int) -> dict[str, Any]:
    return {"items": [recipe_body(x.recipe, x.position) for x in listed], "position": position}


class CostLinePublic(BaseModel):
    sku: str
    quantity: Dec
    unit: str | None
    yield_pct: Dec | None
    via: list[str]
    unit_cost: Dec | None
    cost: Dec | None


class PlateCostPublic(BaseModel):
    menu_item: str
    location: str
    version: int
    lines: list[CostLinePublic]
    cost: Dec
    price: Dec | None
    food_cost_pct: Dec | None
    unpriced: list[str]
    position: int


def plate_cost_body(plate: PlateCost) -> dict[str, Any]:
    """API.md's plate cost: per ingredient after sub-recipes and yields, the total and the
    food cost % at the price given (null without one)."""
    lines = [
        {
            "sku": line.sku,
            "quantity": line.quantity,
            "unit": line.unit,
            "yield_pct": line.yield_pct,
            "via": list(line.via),
            "unit_cost": line.unit_cost,
            "cost": line.cost,
        }
        for line in plate.lines
    ]
    return {
        "menu_item": plate.menu_item,
        "location": plate.location,
        "version": plate.version,
        "lines": lines,
        "cost": plate.cost,
        "price": plate.price,
        "food_cost_pct": plate.food_cost_pct,
        "unpriced": plate.unpriced,
        "position": plate.position,
    }
