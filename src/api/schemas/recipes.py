"""Recipes, sales and food cost (SPEC §9): the recipe put and answered, the sale posted, and
the food-cost report."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from pydantic import BaseModel, Field

from api.numbers import Quantity, UnitCost
from api.schemas.common import LINES, Code, Dec, Name, Note, Strict, Unit, example
from domain.recipe import MAX_INGREDIENTS, Ingredient, Produces, Recipe, RecipeSpec


class IngredientIn(Strict):
    sku: Code
    quantity: Quantity
    unit: Unit = None
    yield_pct: UnitCost | None = Field(
        None, description="usable percent of what is bought (0 < y ≤ 100, 2 places; SPEC §16)"
    )


class ProducesIn(Strict):
    """A prep recipe's batch: this quantity of the recipe's own SKU (SPEC §16)."""

    quantity: Quantity
    unit: Unit = None


class RecipePut(Strict):
    model_config = example(
        {
            "name": "Cheeseburger",
            "lines": [
                {"sku": "BUN", "quantity": "1"},
                {"sku": "BEEF", "quantity": "0.15"},
                {"sku": "CHEDDAR", "quantity": "0.02"},
            ],
        }
    )
    name: Name
    lines: Annotated[list[IngredientIn], Field(min_length=1, max_length=MAX_INGREDIENTS)]
    produces: ProducesIn | None = None

    def spec(self) -> RecipeSpec:
        lines = tuple(Ingredient(ln.sku, ln.quantity, ln.unit, ln.yield_pct) for ln in self.lines)
        made = self.produces
        return RecipeSpec(
            self.name, lines, Produces(made.quantity, made.unit) if made is not None else None
        )


class IngredientPublic(BaseModel):
    sku: str
    quantity: Dec
    unit: str | None
    yield_pct: Dec | None


class ProducesPublic(BaseModel):
    quantity: Dec
    unit: str | None


class RecipePublic(BaseModel):
    menu_item: str
    name: str
    version: int
    lines: list[IngredientPublic]
    produces: ProducesPublic | None = None
    position: int


def recipe_body(recipe: Recipe, position: int) -> dict[str, Any]:
    """API.md's Recipe: the version asked for and the position of the event that made it."""
    return {
        "menu_item": recipe.menu_item,
        "name": recipe.spec.name,
        "version": recipe.version,
        "lines": [
            {
                "sku": line.sku,
                "quantity": line.quantity,
                "unit": line.unit,
                "yield_pct": line.yield_pct,
            }
            for line in recipe.spec.lines
        ],
        "produces": asdict(made) if (made := recipe.spec.produces) is not None else None,
        "position": position,
    }


class SaleLineIn(Strict):
    menu_item: Code
    quantity: Quantity
    unit_price: UnitCost
    unmapped: bool = Field(False, description="no recipe: revenue only, no consumption")
    location: Code | None = Field(None, description="the outlet serving it, else the sale's")


class SaleCreate(Strict):
    model_config = example(
        {
            "sale_id": "POS1-000123",
            "location": "kitchen",
            "lines": [{"menu_item": "cheeseburger", "quantity": "2", "unit_price": "9.50"}],
        }
    )
    sale_id: Code
    location: Code
    lines: Annotated[list[SaleLineIn], LINES]
    note: Note | None = None
