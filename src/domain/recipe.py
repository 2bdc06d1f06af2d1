"""Recipe: what one portion of a menu item consumes (SPEC §9).

A ``Recipe`` (one per menu item, a code of the SKU form) names the dish and its ingredient
lines: a SKU, a quantity per portion (> 0, at most 3 places, in ``unit`` when given — a pack
unit of the SKU's item, converted when a sale is posted) and an optional ``yield_pct`` (SPEC
§16: trim and cook loss). A line may name another recipe: a sub-recipe (no ``produces``) is
expanded at the sale (``domain.prep``); a prep recipe's output (``produces``) is a stocked SKU,
consumed at its own average. Every change is a new version
(the aggregate's version): a sale uses the version current at its posting and records it,
and old versions stay readable from the ledger. Putting the same recipe again records
nothing.

``portion`` is the sale arithmetic: sold × per portion (× the unit's factor), rounded
half-up to 3 places.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

from domain import bounds
from domain.codes import check_code, each_sku_once
from domain.errors import ValidationError
from domain.text import check_name
from domain.versioned import Versioned

MAX_INGREDIENTS = 100
_QUANTUM = Decimal(1).scaleb(-bounds.QUANTITY_PLACES)


MAX_YIELD = Decimal(100)
YIELD_PLACES = 2


class RecipeCycleError(ValidationError):
    """A recipe reaches itself through its sub-recipes (SPEC §17): refused at save."""


class UnknownSkuError(ValidationError):
    """A recipe line names a SKU with no item, no movement and no recipe (SPEC §17)."""


@dataclass(frozen=True)
class Ingredient:
    sku: str
    quantity: Decimal
    unit: str | None = None
    # Usable share of what is bought, in percent (SPEC §16): 0 < y ≤ 100; None: 100.
    yield_pct: Decimal | None = None


@dataclass(frozen=True)
class Produces:
    """A prep recipe's batch: ``quantity`` of its output SKU (in ``unit``, else the base
    unit) per batch (SPEC §16)."""

    quantity: Decimal
    unit: str | None = None


@dataclass(frozen=True)
class RecipeSpec:
    """A recipe's name and ingredient lines; ``check`` names the first field at fault."""

    name: str
    lines: tuple[Ingredient, ...]
    produces: Produces | None = None

    def check(self) -> None:
        """Refuses a blank name, no lines or more than MAX_INGREDIENTS, a bad sku or unit
        code, a quantity ≤ 0 or with more than 3 places, a SKU given twice, a yield outside
        0 < y ≤ 100 (2 places) and a batch size that is not a quantity."""
        check_name(self.name)
        if not self.lines or len(self.lines) > MAX_INGREDIENTS:
            message = f"a recipe has 1–{MAX_INGREDIENTS} lines"
            raise ValidationError(message, [{"field": "lines"}])
        for field, line in each_sku_once(self.lines, "lines"):
            bounds.check_quantity(line.quantity, f"{field}.quantity")
            if line.unit is not None:
                check_code(line.unit, f"{field}.unit")
            if line.yield_pct is not None:
                check_yield(line.yield_pct, f"{field}.yield_pct")
        if self.produces is not None:
            bounds.check_quantity(self.produces.quantity, "produces.quantity")
            if self.produces.unit is not None:
                check_code(self.produces.unit, "produces.unit")

    def recorded(self) -> dict[str, Any]:
        """The spec as an event records it (plain values); ``produces`` and ``yield_pct``
        only when set, so a recipe without them records what it always did."""
        body = asdict(self)
        for line in body["lines"]:
            if line["yield_pct"] is None:
                del line["yield_pct"]
        if body["produces"] is None:
            del body["produces"]
        return body

    @classmethod
    def from_recorded(cls, data: dict[str, Any]) -> RecipeSpec:
        lines = tuple(
            Ingredient(
                line["sku"],
                Decimal(line["quantity"]),
                line["unit"],
                None if line.get("yield_pct") is None else Decimal(line["yield_pct"]),
            )
            for line in data["lines"]
        )
        made = data.get("produces")
        produces = Produces(Decimal(made["quantity"]), made.get("unit")) if made else None
        return cls(name=data["name"], lines=lines, produces=produces)


def check_yield(yield_pct: Decimal, field: str) -> None:
    """0 < yield ≤ 100, at most 2 places (SPEC §16)."""
    if not yield_pct.is_finite() or not 0 < yield_pct <= MAX_YIELD:
        raise ValidationError(f"{field} must be > 0 and ≤ 100", [{"field": field}])
    if bounds.places(yield_pct) > YIELD_PLACES:
        message = f"{field} has more than {YIELD_PLACES} decimal places"
        raise ValidationError(message, [{"field": field}])


class Recipe(Versioned, id_prefix="recipe"):
    """The versioned recipe of one menu item; every change is an attributed event."""

    TOPIC = "stockledger:Recipe"

    def __init__(self, menu_item: str, spec: dict[str, Any], user: str) -> None:
        self.menu_item = menu_item
        self.spec = RecipeSpec.from_recorded(spec)

    @classmethod
    def write(cls, menu_item: str, spec: RecipeSpec, user: str) -> Recipe:
        """Version 1 of a menu item's recipe; refuses what ``RecipeSpec.check`` refuses."""
        return cls.first_version(menu_item, spec, user)

    def revise(self, spec: RecipeSpec, user: str) -> bool:
        """Records ``spec`` as a new version when it differs (True); False when unchanged."""
        return self.next_version(spec, user)


def portion(
    sold: Decimal,
    per_portion: Decimal,
    factor: Decimal,
    field: str,
    usable: Decimal = Decimal(1),
) -> Decimal:
    """Base units consumed by ``sold`` portions of ``per_portion`` (× ``factor`` base units
    per entered unit), as purchased (÷ ``usable``, the product of the yields as fractions,
    SPEC §16), rounded half-up to 3 places once. Refuses a result that rounds to 0: a
    sale that consumes nothing of an ingredient of its recipe is not what was sold."""
    quantity = bounds.exact(lambda: sold * per_portion * factor / usable, _QUANTUM)
    if quantity == 0:
        raise ValidationError(f"{sold} × {per_portion} rounds to 0 at 3 places", [{"field": field}])
    return quantity


RECIPE_TOPICS = frozenset({Recipe.Created.TOPIC, Recipe.Changed.TOPIC})
