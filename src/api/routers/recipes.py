"""Recipes (SPEC §9, §17): put by an admin (each change a new version), read by any viewer —
the current version or any older one, the list (with a search) and a plate's cost at a
location, straight from the ledger."""

from __future__ import annotations

from typing import Any

from fastapi import Path, Query

from api.auth import Principal
from api.dependencies import LedgerDep
from api.numbers import UnitCost
from api.route_table import Answer, Routes, created
from api.schemas import CODE_PATTERN
from api.schemas.common import SearchText
from api.schemas.productions import (
    PlateCostPublic,
    RecipeListPublic,
    plate_cost_body,
    recipe_list_body,
)
from api.schemas.recipes import RecipePublic, RecipePut, recipe_body
from application import plate_cost
from domain.access import Role

router = Routes("/api", "recipes")

MenuItem = Path(pattern=CODE_PATTERN, examples=["cheeseburger"])
# The ledger itself answers: min_position is taken, as by every read, and always reached.
ALWAYS = Query(
    None, ge=0, description="Always reached: the ledger itself answers, not a read model"
)
UNCHANGED = "Identical to the current version: nothing recorded"
PLATE = "/recipes/{menu_item}"


@router.write("PUT", PLATE, RecipePublic, 409, role=Role.ADMIN, repeat=UNCHANGED, status_code=201)
def put_recipe(
    body: RecipePut, who: Principal, ledger: LedgerDep, menu_item: str = MenuItem
) -> Answer:
    """Write a menu item's recipe: each change is a new version (admin)"""
    recipe, saved, new = ledger.put_recipe(menu_item, body.spec(), user=who.user)
    return created(recipe_body(recipe, saved.position), new)


@router.read(PLATE, RecipePublic, 404, 503)
def get_recipe(
    ledger: LedgerDep,
    menu_item: str = MenuItem,
    version: int | None = Query(None, ge=1),
    min_position: int | None = ALWAYS,
) -> Any:
    """A menu item's recipe: the current version, or the one asked for"""
    return recipe_body(*ledger.recipe(menu_item, version))


@router.read("/recipes", RecipeListPublic)
def list_recipes(
    ledger: LedgerDep,
    search: SearchText | None = Query(None, description="part of a menu item or name"),
    min_position: int | None = ALWAYS,
) -> Any:
    """Every recipe's current version, by menu item; search in menu item and name"""
    return recipe_list_body(*plate_cost.recipes(ledger, search))


@router.read(PLATE + "/cost", PlateCostPublic, 404)
def recipe_cost(
    ledger: LedgerDep,
    menu_item: str = MenuItem,
    location: str = Query(pattern=CODE_PATTERN),
    price: UnitCost | None = Query(None, description="menu price: gives food_cost_pct"),
    min_position: int | None = ALWAYS,
) -> Any:
    """A plate's cost per portion at a location's averages now, and its food cost %"""
    return plate_cost_body(plate_cost.plate_cost(ledger, menu_item, location, price))
