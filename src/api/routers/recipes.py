"""Recipes (SPEC §9, §17): put by an admin (each change a new version), read by any viewer —
the current version or any older one, the list (with a search) and a plate's cost at a
location, straight from the ledger."""

from __future__ import annotations

from fastapi import APIRouter, Path, Query, Request, Response

from api.auth import Admin, Viewer
from api.dependencies import LedgerDep
from api.numbers import UnitCost
from api.problems import responses
from api.respond import respond
from api.routing import DecimalRoute
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

router = APIRouter(prefix="/api", tags=["recipes"], route_class=DecimalRoute)

MenuItem = Path(pattern=CODE_PATTERN, examples=["cheeseburger"])


@router.put(
    "/recipes/{menu_item}",
    status_code=201,
    response_model=RecipePublic,
    responses={
        200: {"description": "Identical to the current version: nothing recorded"},
        **responses(401, 403, 409, 422),
    },
    summary="Write a menu item's recipe: each change is a new version (admin)",
)
def put_recipe(
    body: RecipePut,
    request: Request,
    who: Admin,
    ledger: LedgerDep,
    menu_item: str = MenuItem,
) -> Response:
    recipe, saved, new = ledger.put_recipe(menu_item, body.spec(), user=who.user)
    return respond(request, recipe_body(recipe, saved.position), status=201 if new else 200)


@router.get(
    "/recipes/{menu_item}",
    response_model=RecipePublic,
    responses=responses(401, 403, 404, 422, 503),
    summary="A menu item's recipe: the current version, or the one asked for",
)
def get_recipe(
    request: Request,
    who: Viewer,
    ledger: LedgerDep,
    menu_item: str = MenuItem,
    version: int | None = Query(None, ge=1),
    min_position: int | None = Query(
        None, ge=0, description="Always reached: the ledger itself answers, not a read model"
    ),
) -> Response:
    recipe, position = ledger.recipe(menu_item, version)
    return respond(request, recipe_body(recipe, position))


ALWAYS = Query(
    None, ge=0, description="Always reached: the ledger itself answers, not a read model"
)


@router.get(
    "/recipes",
    response_model=RecipeListPublic,
    responses=responses(401, 403, 422),
    summary="Every recipe's current version, by menu item; search in menu item and name",
)
def list_recipes(
    request: Request,
    who: Viewer,
    ledger: LedgerDep,
    search: SearchText | None = Query(None, description="part of a menu item or name"),
    min_position: int | None = ALWAYS,
) -> Response:
    listed, position = plate_cost.recipes(ledger, search)
    return respond(request, recipe_list_body(listed, position))


@router.get(
    "/recipes/{menu_item}/cost",
    response_model=PlateCostPublic,
    responses=responses(401, 403, 404, 422),
    summary="A plate's cost per portion at a location's averages now, and its food cost %",
)
def recipe_cost(
    request: Request,
    who: Viewer,
    ledger: LedgerDep,
    menu_item: str = MenuItem,
    location: str = Query(pattern=CODE_PATTERN),
    price: UnitCost | None = Query(None, description="menu price: gives food_cost_pct"),
    min_position: int | None = ALWAYS,
) -> Response:
    plate = plate_cost.plate_cost(ledger, menu_item, location, price)
    return respond(request, plate_cost_body(plate))
