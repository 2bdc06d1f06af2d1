"""Sub-recipes, yields and batches as pure arithmetic (SPEC §16, §17).

A recipe line naming another recipe that has no ``produces`` (a dough, a dressing) is a
**sub-recipe**: ``expand`` replaces it by its own lines, each scaled by the line's quantity
(portions of the sub-recipe) and yield, through at most ``MAX_LEVELS`` recipes; a recipe that
reaches itself is a cycle (``RecipeCycleError`` naming the path). A line naming a prep
recipe's output (``produces``) or a plain SKU is a **leaf**: what is consumed. Each leaf
keeps its exact quantity per portion (the product of the quantities on its path) and the
product of the yields on its path as a fraction (``usable``), so the one rounding to 3 places
happens where a sale or a production multiplies it out (``domain.recipe.portion``).

``batches_of`` and ``output_of`` are a production's arithmetic: how many batches an output
quantity is, and the output a number of batches makes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, localcontext

from domain import bounds
from domain.errors import ValidationError
from domain.recipe import Ingredient, RecipeCycleError, RecipeSpec

MAX_LEVELS = 5
_WIDE = 80
_HUNDRED = Decimal(100)
_QUANTUM = Decimal(1).scaleb(-bounds.QUANTITY_PLACES)

Lookup = Callable[[str], RecipeSpec | None]


@dataclass(frozen=True)
class Leaf:
    """What one portion of a recipe consumes of one SKU after expansion: ``quantity`` per
    portion in ``unit`` (the leaf line's), to be divided by ``usable`` (the yields on its
    path as a fraction ≤ 1), and the recipes it came through (``path``, the top first)."""

    sku: str
    quantity: Decimal
    unit: str | None
    usable: Decimal
    path: tuple[str, ...]

    @property
    def yield_pct(self) -> Decimal:
        """The combined yield of the path, in percent."""
        return self.usable * _HUNDRED


def usable_of(line: Ingredient) -> Decimal:
    """A line's yield as a fraction (1 without one)."""
    return Decimal(1) if line.yield_pct is None else line.yield_pct / _HUNDRED


def as_purchased(quantity: Decimal, yield_pct: Decimal | None) -> Decimal:
    """The as-purchased quantity of a usable ``quantity`` at ``yield_pct`` (SPEC §16):
    quantity / (y / 100), rounded half-up to 3 places."""
    usable = Decimal(1) if yield_pct is None else yield_pct / _HUNDRED
    return bounds.exact(lambda: quantity / usable, _QUANTUM)


def sub_recipe(lookup: Lookup, sku: str) -> RecipeSpec | None:
    """The recipe a line expands into: one without ``produces`` (a prep recipe's output is
    a stocked SKU, consumed as it is)."""
    found = lookup(sku)
    return found if found is not None and found.produces is None else None


def expand(code: str, spec: RecipeSpec, lookup: Lookup) -> list[Leaf]:
    """The leaves of ``spec`` (the recipe of ``code``), in line order, sub-recipes expanded
    in place. Refuses a cycle (RecipeCycleError) and more than MAX_LEVELS recipes on one
    path (ValidationError), each naming the path."""
    leaves: list[Leaf] = []
    with localcontext() as wide:
        wide.prec = _WIDE  # products of quantities and yields, exact
        _walk(spec, (code,), Decimal(1), Decimal(1), lookup, leaves)
    return leaves


def _walk(
    spec: RecipeSpec,
    path: tuple[str, ...],
    scale: Decimal,
    usable: Decimal,
    lookup: Lookup,
    out: list[Leaf],
) -> None:
    for line in spec.lines:
        quantity, share = scale * line.quantity, usable * usable_of(line)
        if line.sku in path:
            trail = " → ".join((*path, line.sku))
            raise RecipeCycleError(
                f"recipe cycle: {trail}",
                [{"field": "lines", "sku": line.sku, "path": [*path, line.sku]}],
            )
        inner = sub_recipe(lookup, line.sku)
        if inner is None:
            out.append(Leaf(line.sku, quantity, line.unit, share, path))
            continue
        if len(path) >= MAX_LEVELS:
            trail = " → ".join((*path, line.sku))
            raise ValidationError(
                f"sub-recipes nest more than {MAX_LEVELS} levels: {trail}",
                [{"field": "lines", "sku": line.sku, "path": [*path, line.sku]}],
            )
        if line.unit is not None:
            raise ValidationError(
                f"{line.sku} is a sub-recipe: its line takes portions, not a unit",
                [{"field": "lines", "sku": line.sku}],
            )
        _walk(inner, (*path, line.sku), quantity, share, lookup, out)


def batches_of(produces: Decimal, batches: Decimal | None, quantity: Decimal | None) -> Decimal:
    """The batches a production makes: ``batches`` as given, or ``quantity`` / the batch
    size (exact: a quantity of 1.5 batches is 1.5 batches), or 1 when neither is given."""
    if batches is not None and quantity is not None:
        raise ValidationError("give batches or quantity, not both", [{"field": "quantity"}])
    if quantity is not None:
        with localcontext() as wide:
            wide.prec = _WIDE
            return quantity / produces
    return Decimal(1) if batches is None else batches


def output_of(batches: Decimal, produces: Decimal, factor: Decimal) -> Decimal:
    """The output of ``batches`` batches of ``produces`` (× ``factor`` base units per unit),
    rounded half-up to 3 places."""
    return bounds.exact(lambda: batches * produces * factor, _QUANTUM)
