"""Recipes listed and costed from the ledger (SPEC §17): what a plate costs today.

``recipes`` lists the current version of every recipe whose menu item or name contains a
search text (one scan of the recipe events, then each recipe from the catalogue's aggregate).
``plate_cost`` costs one portion of a recipe at one location: its sub-recipes expanded and
yields applied (``domain.prep``), each leaf's as-purchased quantity per portion (base units,
rounded half-up to 3 places, as a sale of one portion would consume it) at the position's
moving average now (its last average when it is empty), each line's cost rounded to the
currency's places, the total their sum, and the food cost % at a given price (2 places).
A leaf whose position never held stock has no cost; the total then leaves it out and names
it (``unpriced``). Both answer with the ledger's head: they read the ledger, not a read model.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from application.events import LedgerEvents
from application.measures import Measures
from application.ports import LedgerPort
from application.recipes import leaves_of, recipe_at, recipe_codes
from domain import bounds
from domain import valuation as v
from domain.recipe import Recipe, portion
from domain.stock_item import StockItem

_PCT = Decimal("0.01")


@dataclass(frozen=True)
class Listed:
    """A recipe's current version and the position of the event that made it."""

    recipe: Recipe
    position: int


def recipes(ledger: LedgerPort, search: str | None = None) -> tuple[list[Listed], int]:
    """Every recipe (current version) whose menu item or name contains ``search`` (any
    case), by menu item; and the position read to."""
    head = LedgerEvents(ledger).head()
    codes = recipe_codes(ledger)
    wanted = (search or "").casefold()
    found = []
    for code in sorted(codes):
        recipe = ledger.get(Recipe, Recipe.create_id(code))
        if recipe is None:
            continue
        if wanted and wanted not in code.casefold() and wanted not in recipe.spec.name.casefold():
            continue
        found.append(recipe)
    positions = ledger.positions([(r.id, r.version) for r in found]) if found else []
    listed = [Listed(r, p) for r, p in zip(found, positions, strict=True)]
    return listed, max(head, *positions) if positions else head


@dataclass(frozen=True)
class CostLine:
    """One leaf of a plate: ``quantity`` base units as purchased per portion, ``yield_pct``
    combined along its path (None: 100), the recipes it came through (``via``, below the
    plate's own), the average now and the cost (None without any cost basis)."""

    sku: str
    quantity: Decimal
    unit: str | None
    yield_pct: Decimal | None
    via: tuple[str, ...]
    unit_cost: Decimal | None
    cost: Decimal | None


@dataclass(frozen=True)
class PlateCost:
    menu_item: str
    location: str
    version: int
    lines: list[CostLine]
    cost: Decimal
    price: Decimal | None
    food_cost_pct: Decimal | None
    unpriced: list[str]
    position: int


def plate_cost(
    ledger: LedgerPort, menu_item: str, location: str, price: Decimal | None = None
) -> PlateCost:
    """The cost of one portion of ``menu_item``'s current recipe at ``location``."""
    recipe, _ = recipe_at(ledger, menu_item, None)
    measures = Measures(ledger)
    places = ledger.places
    lines = []
    for leaf in leaves_of(measures, recipe):
        unit, factor = measures.factor(leaf.sku, leaf.unit, "lines")
        quantity = portion(Decimal(1), leaf.quantity, factor or Decimal(1), "lines", leaf.usable)
        average = _average(ledger, leaf.sku, location)
        cost = None if average is None else _times(quantity, average, bounds.money_quantum(places))
        yield_pct = None if leaf.usable == 1 else _times(leaf.usable, Decimal(100), _PCT)
        lines.append(
            CostLine(
                leaf.sku,
                quantity,
                unit,
                yield_pct,
                leaf.path[1:],
                None if average is None else v.round_cost(average),
                cost,
            )
        )
    total = sum((line.cost for line in lines if line.cost is not None), Decimal(0))
    total = total.quantize(bounds.money_quantum(places))
    pct = None
    if price:
        pct = bounds.exact(lambda: total / price * 100, _PCT)
    unpriced = [line.sku for line in lines if line.cost is None]
    head = LedgerEvents(ledger).head()
    return PlateCost(menu_item, location, recipe.version, lines, total, price, pct, unpriced, head)


def _times(a: Decimal, b: Decimal, quantum: Decimal) -> Decimal:
    return bounds.exact(lambda: a * b, quantum)


def _average(ledger: LedgerPort, sku: str, location: str) -> Decimal | None:
    """The position's moving average now (exact), else the last average it had."""
    item = ledger.get(StockItem, StockItem.create_id(sku, location))
    if item is None:
        return None
    return item.average if item.average is not None else item.last_average
