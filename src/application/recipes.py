"""Recipes on the command side (SPEC §9): putting a menu item's recipe and reading any of
its versions back from the ledger.

A put that changes the recipe records its next version; an identical put records nothing.
Units are checked against the catalogue when the recipe is put (a unit its item does not
have is refused), and converted at each sale with the factor current then (pack factors
change prospectively).
"""

from __future__ import annotations

from application.catalogue import Saved, put
from application.errors import NotFoundError
from application.measures import Measures
from application.ports import LedgerPort
from domain.recipe import Recipe, RecipeSpec


def put_recipe(
    ledger: LedgerPort, menu_item: str, spec: RecipeSpec, user: str
) -> tuple[Recipe, Saved, bool]:
    """Writes version 1 or the next version of ``menu_item``'s recipe (Recipe.write,
    Recipe.revise) and says whether it did (False: identical to the current version).
    Refuses a line whose unit its SKU's item does not have."""
    measures = Measures(ledger)
    for index, line in enumerate(spec.lines):
        measures.factor(line.sku, line.unit, f"lines[{index}].unit")
    revised: list[bool] = []

    def revise(recipe: Recipe) -> bool:
        revised.append(recipe.revise(spec, user))
        return revised[-1]

    recipe, saved = put(
        ledger,
        Recipe,
        Recipe.create_id(menu_item),
        lambda: Recipe.write(menu_item, spec, user),
        revise,
    )
    return recipe, saved, saved.created or revised[-1]


def recipe_at(ledger: LedgerPort, menu_item: str, version: int | None) -> tuple[Recipe, int]:
    """The recipe of ``menu_item`` — its current version, or ``version`` — and the position
    of the event that made that version; NotFoundError for no recipe or no such version."""
    recipe_id = Recipe.create_id(menu_item)
    recipe = ledger.get(Recipe, recipe_id)
    if recipe is None:
        raise NotFoundError(f"{menu_item} has no recipe")
    if version is not None and version != recipe.version:
        if not 1 <= version < recipe.version:
            raise NotFoundError(f"{menu_item} has no recipe version {version}")
        old: object = ledger.repository.get(recipe_id, version=version)
        assert isinstance(old, Recipe)
        recipe = old
    (position,) = ledger.positions([(recipe_id, recipe.version)])
    return recipe, position
