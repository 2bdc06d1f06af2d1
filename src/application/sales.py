"""The handler of a POS sale (SPEC §9, §17): each sale line consumes its menu item's recipe.

A sale posts one CONSUME per (sale line, ingredient) at the line's location (its own, else
the sale's: a ticket across outlets), in that order (``document.line`` counts them), each
quantity sold × per portion rounded half-up to 3 places (``domain.recipe.portion``) and valued
by the outbound rule. A sale is never refused for stock: what a position lacks is owed there
(an OWED movement of the same line, ``domain.owed``) and settled by its next inbound movement.
The recipe is the version current at posting, read from the ledger (never from a read
model), and every movement records its menu item and recipe version. The revenue of each
line, round(quantity × unit_price), is recorded on the sale's document with its location and
the number of movement lines it expanded to (``parts``), with the posting time.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

from application.commands import PostSale, SaleLine
from application.posting import handles
from application.recipes import leaves_of
from application.work import Work
from domain import bounds
from domain.codes import check_code
from domain.documents import DocumentDetails
from domain.errors import UnknownRecipeError, ValidationError
from domain.movements import Entered
from domain.recipe import Recipe, portion


def _rules(command: PostSale) -> None:
    bounds.check_lines(command.lines)
    for index, line in enumerate(command.lines):
        check_code(line.menu_item, f"lines[{index}].menu_item")
        if line.location is not None:
            check_code(line.location, f"lines[{index}].location")
        bounds.check_quantity(line.quantity, f"lines[{index}].quantity")
        bounds.check_unit_cost(line.unit_price, f"lines[{index}].unit_price")


def current_recipe(work: Work, line: SaleLine, index: int) -> Recipe:
    """The recipe of a sale line's menu item as it stands in the ledger now (read through
    the catalogue cache: the sale's save is checked against its version)."""
    recipe = work.measures.entry(Recipe, Recipe.create_id(line.menu_item))
    if recipe is None:
        raise UnknownRecipeError(
            f"{line.menu_item} has no recipe",
            [{"field": f"lines[{index}].menu_item", "menu_item": line.menu_item}],
        )
    return recipe


@handles(PostSale, check=_rules)
def sale(command: PostSale, work: Work) -> None:
    """CONSUME per (sale line, ingredient), what is missing owed (never refused for stock);
    a menu item without a recipe is refused (UnknownRecipeError), and so is a sale
    expanding to more than MAX_LINES movements."""
    recipes = [
        None if line.unmapped else current_recipe(work, line, i)
        for i, line in enumerate(command.lines)
    ]
    # Sub-recipes expanded, yields kept for the one rounding (SPEC §16, §17).
    expanded = [[] if recipe is None else leaves_of(work.measures, recipe) for recipe in recipes]
    if sum(len(leaves) for leaves in expanded) > bounds.MAX_LINES:
        # A document moves at most MAX_LINES positions, however its lines expand (SPEC §7).
        message = f"the sale's recipes expand to more than {bounds.MAX_LINES} movements"
        raise ValidationError(message, [{"field": "lines"}])
    number = 0
    for index, (line, recipe, leaves) in enumerate(
        zip(command.lines, recipes, expanded, strict=True)
    ):
        if recipe is None:
            continue  # an unmapped line: revenue only (SPEC §13)
        for ingredient in leaves:
            field = f"lines[{index}].quantity"
            base_unit, factor = work.measures.factor(ingredient.sku, ingredient.unit, field)
            per = factor or Decimal(1)
            quantity = portion(line.quantity, ingredient.quantity, per, field, ingredient.usable)
            entered = None
            if factor is not None and ingredient.unit is not None:
                entered = Entered(line.quantity * ingredient.quantity, ingredient.unit, factor)
            src = replace(
                work.src(number, command.note),
                unit=base_unit,
                entered=entered,
                menu_item=line.menu_item,
                recipe_version=recipe.version,
            )
            number += 1
            item = work.item(ingredient.sku, line.location or command.location)
            item.sell(quantity, src, work.at, work.places)
            work.moved(item)
    work.shipped = [
        {**_sold(line, recipe, work.places, index, command.location), "parts": len(leaves)}
        for index, (line, recipe, leaves) in enumerate(
            zip(command.lines, recipes, expanded, strict=True)
        )
    ]
    work.details = DocumentDetails(location=command.location, posted_at=work.at.isoformat())


def _sold(
    line: SaleLine, recipe: Recipe | None, places: int, index: int, location: str
) -> dict[str, Any]:
    """A sale line as its document records it: its location, revenue and the number of
    movement lines (``parts``) it expanded to."""
    revenue = bounds.exact(lambda: line.quantity * line.unit_price, bounds.money_quantum(places))
    bounds.check_money(revenue, places, f"lines[{index}].unit_price")
    sold = {
        "menu_item": line.menu_item,
        "quantity": line.quantity,
        "unit_price": line.unit_price,
        "revenue": revenue,
        "recipe_version": recipe.version if recipe else None,
        "location": line.location or location,
        "parts": len(recipe.spec.lines) if recipe else 0,
    }
    return {**sold, "unmapped": True} if recipe is None else sold
