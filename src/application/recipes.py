"""Recipes on the command side (SPEC §9): putting a menu item's recipe and reading any of
its versions back from the ledger.

A put that changes the recipe records its next version; an identical put records nothing.
Units are checked against the catalogue when the recipe is put (a unit its item does not
have is refused), and converted at each sale with the factor current then (pack factors
change prospectively). A put is refused when a line names nothing known (``unknown_sku``:
no item, no movement, no recipe) and when its sub-recipes reach itself (``recipe_cycle``) or
nest deeper than ``domain.prep.MAX_LEVELS`` (SPEC §17). Listing and plate cost:
``application.plate_cost``.
"""

from __future__ import annotations

from application.catalogue import Saved, put
from application.collected import collected
from application.errors import NotFoundError
from application.measures import Measures
from application.ports import LedgerPort
from domain.prep import Leaf, Lookup, expand, sub_recipe
from domain.recipe import RECIPE_TOPICS, Recipe, RecipeSpec, UnknownSkuError
from domain.stock_item import StockItem


def put_recipe(
    ledger: LedgerPort, menu_item: str, spec: RecipeSpec, user: str
) -> tuple[Recipe, Saved, bool]:
    """Writes version 1 or the next version of ``menu_item``'s recipe (Recipe.write,
    Recipe.revise) and says whether it did (False: identical to the current version).
    Refuses a line whose unit its SKU's item does not have, a cycle and sub-recipes nested
    past MAX_LEVELS — its own, or (for a sub-recipe) those of any recipe using it, so a sale
    is never refused for a recipe changed under it — and a line naming nothing known."""
    measures = Measures(ledger)
    spec.check()
    lookup = recipe_lookup(measures)
    for index, line in enumerate(spec.lines):
        if sub_recipe(lookup, line.sku) is None:
            measures.factor(line.sku, line.unit, f"lines[{index}].unit")
    if spec.produces is not None:
        measures.factor(menu_item, spec.produces.unit, "produces.unit")

    def as_saved(code: str) -> RecipeSpec | None:
        return spec if code == menu_item else lookup(code)

    expand(menu_item, spec, as_saved)
    if spec.produces is None:  # a sub-recipe: every recipe using it must still expand
        for code in sorted(recipe_codes(ledger) - {menu_item}):
            other = as_saved(code)
            if other is not None:
                expand(code, other, as_saved)
    _known(ledger, measures, lookup, spec)
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


def recipe_lookup(measures: Measures) -> Lookup:
    """The current recipe of a code, as ``measures`` reads the catalogue (None: none)."""

    def lookup(code: str) -> RecipeSpec | None:
        found = measures.entry(Recipe, Recipe.create_id(code))
        return found.spec if found is not None else None

    return lookup


def leaves_of(measures: Measures, recipe: Recipe) -> list[Leaf]:
    """What one portion of ``recipe`` consumes, its sub-recipes expanded as they stand now
    (read through ``measures``: a posting's save is checked against them)."""
    return expand(recipe.menu_item, recipe.spec, recipe_lookup(measures))


def _known(ledger: LedgerPort, measures: Measures, lookup: Lookup, spec: RecipeSpec) -> None:
    """Refuses a line whose SKU has no item, no recipe and was never moved (UnknownSkuError
    naming every such line): a misspelled SKU would make every later sale of the dish
    consume a SKU nobody stocks."""
    unknown = [
        (index, line.sku)
        for index, line in enumerate(spec.lines)
        if measures.item(line.sku) is None and lookup(line.sku) is None
    ]
    moved = _moved(ledger, {sku for _, sku in unknown}) if unknown else set()
    unknown = [(index, sku) for index, sku in unknown if sku not in moved]
    if unknown:
        names = ", ".join(sku for _, sku in unknown)
        raise UnknownSkuError(
            f"no item, movement or recipe is known for {names}",
            [{"field": f"lines[{index}].sku", "sku": sku} for index, sku in unknown],
        )


def _moved(ledger: LedgerPort, skus: set[str]) -> set[str]:
    """Which of ``skus`` were ever moved: one scan of the positions' creation events (one
    per position, far fewer than movements), asked only for lines naming no item."""
    return skus.intersection(collected(ledger, {StockItem.Created.TOPIC}, lambda e: e.sku))


def recipe_codes(ledger: LedgerPort) -> set[str]:
    """The menu items that have a recipe: one scan of the recipe events."""
    return set(collected(ledger, RECIPE_TOPICS, lambda e: e.menu_item))
