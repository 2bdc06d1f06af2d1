"""The handler of a production (SPEC §16): a prep recipe's batches made at one location.

A production posts one PRODUCTION_OUT per ingredient of the prep recipe (sub-recipes
expanded, yields applied: ``domain.prep``), each quantity batches × per batch (× its unit's
factor) ÷ yield rounded half-up to 3 places once, valued by the outbound rule like a transfer
out; then one PRODUCTION_IN of the output at the same location, carrying exactly minus the
sum of the ingredients' values (value conserved, no residue), which settles what the output
position owes (SPEC §17). The output is ``actual_quantity`` when given, else batches × the
batch size. All or nothing: every ingredient short of stock is named in one refusal
(409), and nothing is recorded. ``document.line`` counts the ingredients, then the output.
The recipe is the version current at posting, read from the ledger; every movement records
the recipe and its version (``menu_item``, ``recipe_version``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from application.commands import PostProduction
from application.posting import handles
from application.recipes import recipe_lookup
from application.work import Work
from domain import bounds
from domain.codes import check_code
from domain.documents import DocumentDetails
from domain.errors import InsufficientStockError, UnknownRecipeError, ValidationError
from domain.movements import Entered, Source
from domain.prep import Leaf, batches_of, expand, output_of
from domain.recipe import Recipe, portion
from domain.stock_item import StockItem


def _rules(command: PostProduction) -> None:
    check_code(command.location, "location")
    check_code(command.recipe, "recipe")
    for name in ("batches", "quantity", "actual_quantity"):
        given = getattr(command, name)
        if given is not None:
            bounds.check_quantity(given, name)
    if command.batches is not None and command.quantity is not None:
        raise ValidationError("give batches or quantity, not both", [{"field": "quantity"}])


@dataclass(frozen=True)
class _Use:
    """One ingredient of the production: its position, quantity and movement source."""

    item: StockItem
    quantity: Decimal
    src: Source


def prep_recipe(work: Work, code: str) -> Recipe:
    """The current recipe of ``code``, which must produce something (a prep recipe)."""
    recipe = work.measures.entry(Recipe, Recipe.create_id(code))
    if recipe is None:
        raise UnknownRecipeError(f"{code} has no recipe", [{"field": "recipe"}])
    if recipe.spec.produces is None:
        message = f"{code} is not a prep recipe: it declares no produces"
        raise ValidationError(message, [{"field": "recipe"}])
    return recipe


@handles(PostProduction, check=_rules)
def production(command: PostProduction, work: Work) -> None:
    """PRODUCTION_OUT per ingredient, then PRODUCTION_IN of the output at their value."""
    recipe = prep_recipe(work, command.recipe)
    made = recipe.spec.produces
    assert made is not None
    batches = batches_of(made.quantity, command.batches, command.quantity)
    leaves = expand(command.recipe, recipe.spec, recipe_lookup(work.measures))
    if len(leaves) >= bounds.MAX_LINES:
        message = f"the recipe expands to more than {bounds.MAX_LINES} movements"
        raise ValidationError(message, [{"field": "recipe"}])
    base = replace(
        work.src(0, command.note), menu_item=command.recipe, recipe_version=recipe.version
    )
    uses = [
        _use(work, command, leaf, batches, replace(base, line=n)) for n, leaf in enumerate(leaves)
    ]
    _need(uses)
    taken = Decimal(0)
    for use in uses:
        taken += use.item.produce_out(use.quantity, use.src, work.at, work.places)
        work.moved(use.item)
    unit, factor = work.measures.factor(command.recipe, made.unit, "recipe")
    output = command.actual_quantity or output_of(batches, made.quantity, factor or Decimal(1))
    if output == 0:
        raise ValidationError("the output rounds to 0 at 3 places", [{"field": "batches"}])
    target = work.item(command.recipe, command.location)
    src = replace(base, line=len(uses), unit=unit)
    target.produce_in(output, -taken, src, work.at, work.places)
    work.moved(target)
    work.details = DocumentDetails(location=command.location)


def _use(work: Work, command: PostProduction, leaf: Leaf, batches: Decimal, src: Source) -> _Use:
    """The ingredient of ``leaf`` for ``batches`` batches, as purchased, in base units."""
    field = "batches"
    unit, factor = work.measures.factor(leaf.sku, leaf.unit, field)
    quantity = portion(batches, leaf.quantity, factor or Decimal(1), field, leaf.usable)
    entered = None
    if factor is not None and leaf.unit is not None:
        entered = Entered(bounds.exact(lambda: quantity / factor, _ENTERED), leaf.unit, factor)
    item = work.item(leaf.sku, command.location)
    return _Use(item, quantity, replace(src, unit=unit, entered=entered))


_ENTERED = Decimal("0.000001")


def _need(uses: list[_Use]) -> None:
    """Refuses the production when any ingredient is short of available stock, naming
    every short one (an ingredient used twice is summed)."""
    needed: dict[Any, Decimal] = {}
    for use in uses:
        needed[use.item.id] = needed.get(use.item.id, Decimal(0)) + use.quantity
    short: list[dict[str, Any]] = []
    seen: set[Any] = set()
    for use in uses:
        item, quantity = use.item, needed[use.item.id]
        if item.id in seen or quantity <= item.available:
            continue
        seen.add(item.id)
        short.extend(
            InsufficientStockError.at(
                item.sku, item.location, quantity, item.available, item.on_hand, item.reserved
            ).errors
        )
    if short:
        names = ", ".join(f"{e['sku']}@{e['location']}" for e in short)
        raise InsufficientStockError(f"insufficient stock for the production: {names}", short)
