"""Recipes (SPEC §9, §16, §17): the list with a search, and one recipe — its lines (sub-recipes,
yields, a prep recipe's batch), its versions, and what a plate costs at each location now
(``application.plate_cost``, the API's arithmetic), with the food cost % at a price."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse

from api.schemas.common import CODE_PATTERN
from application import plate_cost
from application.recipes import recipe_at
from console.session import Viewer
from console.web import ConsoleRoute, NavEntry, ledger_of, read_models, render
from domain import bounds
from domain.access import Role
from domain.errors import ValidationError

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)
NAV = NavEntry("Recipes", "/recipes", Role.VIEWER)
MenuItem = Path(pattern=CODE_PATTERN)


@router.get("/recipes")
def recipes_page(
    request: Request, who: Viewer, search: str | None = Query(None, max_length=200)
) -> HTMLResponse:
    listed, _ = plate_cost.recipes(ledger_of(request), search or None)
    return render(request, who, "recipes.html", listed=listed, search=search or "")


def _price(text: str | None) -> Decimal | None:
    """The menu price asked for (blank: none); refused when it is not a price."""
    if not text:
        return None
    try:
        price = Decimal(text)
    except InvalidOperation:
        raise ValidationError("price must be a number", [{"field": "price"}]) from None
    bounds.check_unit_cost(price, "price")
    return price


@router.get("/recipes/{menu_item}")
def recipe_page(
    request: Request,
    who: Viewer,
    menu_item: str = MenuItem,
    version: int | None = Query(None, ge=1),
    price: str | None = Query(None, max_length=32),
) -> HTMLResponse:
    ledger = ledger_of(request)
    recipe, position = recipe_at(ledger, menu_item, version)
    current, _ = recipe_at(ledger, menu_item, None)
    asked = _price(price)
    locations, _ = read_models(request).catalogue.all_locations()
    codes = [place.code for place in locations] or ["main"]
    plates = [plate_cost.plate_cost(ledger, menu_item, code, asked) for code in codes]
    return render(
        request,
        who,
        "recipe.html",
        recipe=recipe,
        position=position,
        versions=list(range(current.version, 0, -1)),
        plates=plates,
        price=price or "",
    )
