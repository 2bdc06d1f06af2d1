"""Recipe: what one portion of a menu item consumes (SPEC §9).

A ``Recipe`` (one per menu item, a code of the SKU form) names the dish and its ingredient
lines: a SKU, a quantity per portion (> 0, at most 3 places, in ``unit`` when given — a pack
unit of the SKU's item, converted when a sale is posted). Every change is a new version
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
from uuid import UUID

from domain import bounds
from domain.codes import check_code
from domain.errors import ValidationError
from domain.ids import named_id
from domain.item import MAX_TEXT
from domain.text import check_text
from domain.versioned import Versioned, spec_events

MAX_INGREDIENTS = 100
_QUANTUM = Decimal(1).scaleb(-bounds.QUANTITY_PLACES)


@dataclass(frozen=True)
class Ingredient:
    sku: str
    quantity: Decimal
    unit: str | None = None


@dataclass(frozen=True)
class RecipeSpec:
    """A recipe's name and ingredient lines; ``check`` names the first field at fault."""

    name: str
    lines: tuple[Ingredient, ...]

    def check(self) -> None:
        """Refuses a blank name, no lines or more than MAX_INGREDIENTS, a bad sku or unit
        code, a quantity ≤ 0 or with more than 3 places, and a SKU given twice."""
        if not self.name.strip() or len(self.name) > MAX_TEXT:
            raise ValidationError("name must be 1–200 characters", [{"field": "name"}])
        check_text(self.name, "name", multiline=False)
        if not self.lines or len(self.lines) > MAX_INGREDIENTS:
            message = f"a recipe has 1–{MAX_INGREDIENTS} lines"
            raise ValidationError(message, [{"field": "lines"}])
        seen: set[str] = set()
        for index, line in enumerate(self.lines):
            field = f"lines[{index}]"
            check_code(line.sku, f"{field}.sku")
            if line.sku in seen:
                raise ValidationError(f"{line.sku} given twice", [{"field": f"{field}.sku"}])
            seen.add(line.sku)
            bounds.check_quantity(line.quantity, f"{field}.quantity")
            if line.unit is not None:
                check_code(line.unit, f"{field}.unit")

    def recorded(self) -> dict[str, Any]:
        """The spec as an event records it (plain values)."""
        return asdict(self)

    @classmethod
    def from_recorded(cls, data: dict[str, Any]) -> RecipeSpec:
        lines = tuple(
            Ingredient(line["sku"], Decimal(line["quantity"]), line["unit"])
            for line in data["lines"]
        )
        return cls(name=data["name"], lines=lines)


class Recipe(Versioned):
    """The versioned recipe of one menu item; every change is an attributed event."""

    TOPIC = "stockledger:Recipe"
    CODE = "menu_item"
    Created, Changed = spec_events(TOPIC, CODE)

    @staticmethod
    def create_id(menu_item: str) -> UUID:
        """Deterministic: never change this formula once data exists."""
        return named_id(f"recipe:{menu_item}")

    def __init__(self, menu_item: str, spec: dict[str, Any], user: str) -> None:
        self.menu_item = menu_item
        self.spec = RecipeSpec.from_recorded(spec)

    @classmethod
    def read_spec(cls, data: dict[str, Any]) -> RecipeSpec:
        return RecipeSpec.from_recorded(data)

    @classmethod
    def write(cls, menu_item: str, spec: RecipeSpec, user: str) -> Recipe:
        """Version 1 of a menu item's recipe; refuses what ``RecipeSpec.check`` refuses."""
        return cls.first_version(menu_item, spec, user)

    def revise(self, spec: RecipeSpec, user: str) -> bool:
        """Records ``spec`` as a new version when it differs (True); False when unchanged."""
        return self.next_version(spec, user)


def portion(sold: Decimal, per_portion: Decimal, factor: Decimal, field: str) -> Decimal:
    """Base units consumed by ``sold`` portions of ``per_portion`` (× ``factor`` base units
    per entered unit), rounded half-up to 3 places. Refuses a result that rounds to 0: a
    sale that consumes nothing of an ingredient of its recipe is not what was sold."""
    quantity = bounds.exact(lambda: sold * per_portion * factor, _QUANTUM)
    if quantity == 0:
        raise ValidationError(f"{sold} × {per_portion} rounds to 0 at 3 places", [{"field": field}])
    return quantity


RECIPE_TOPICS = frozenset({Recipe.Created.TOPIC, Recipe.Changed.TOPIC})
