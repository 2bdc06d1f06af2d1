"""What a document line's SKU and unit mean in base units (SPEC §8), for one posting attempt.

``Measures`` loads each item and location once, converts a line's quantity to base units
(``Item.measure``) and, with ``STOCKLEDGER_REQUIRE_ITEMS``, refuses a SKU without an item or
an undeclared location. A posting's ``Measures`` reads through the ledger's catalogue cache
where there is one (store.catalogue_cache) and keeps the versions it read in
``reads``: its save is checked against them.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TypeVar
from uuid import UUID

from eventsourcing.domain import Aggregate

from application.ports import LedgerPort
from domain.errors import UnknownItemError, UnknownLocationError, UnknownUnitError
from domain.item import Item, Location
from domain.movements import Entered

A = TypeVar("A", bound=Aggregate)


@dataclass(frozen=True)
class Measured:
    """A line's quantity in base units, the SKU's base unit (None without an item) and
    what was entered in a pack unit (None when the base unit was used)."""

    quantity: Decimal
    unit: str | None
    entered: Entered | None = None


class Measures:
    """Items and locations as one posting attempt sees them (each loaded once)."""

    def __init__(self, ledger: LedgerPort, *, cached: bool = False) -> None:
        self.ledger = ledger
        self.required = ledger.settings.require_items
        self.cache = ledger.catalogue if cached else None
        # The catalogue entries read from the cache: id → version read (0: none).
        self.reads: dict[UUID, int] = {}
        self._items: dict[str, Item | None] = {}
        self._places: dict[str, bool] = {}

    def entry(self, cls: type[A], aggregate_id: UUID) -> A | None:
        """A catalogue entry (an item, a location, a recipe) as this attempt reads it."""
        if self.cache is None:
            return self.ledger.get(cls, aggregate_id)
        found, self.reads[aggregate_id] = self.cache.get(cls, aggregate_id)
        return found

    def stale(self) -> bool:
        """Whether an entry read from the cache has changed since (then forgotten)."""
        return self.cache is not None and bool(self.reads) and self.cache.stale(self.reads)

    def forget(self) -> None:
        """Drops the entries read from the cache (their save lost a race)."""
        if self.cache is not None:
            self.cache.forget(self.reads)

    def item(self, sku: str) -> Item | None:
        if sku not in self._items:
            self._items[sku] = self.entry(Item, Item.create_id(sku))
        return self._items[sku]

    def require(self, sku: str, location: str) -> None:
        """With items required: refuses a SKU without an item (UnknownItemError) and a
        location never declared (UnknownLocationError)."""
        if not self.required:
            return
        if self.item(sku) is None:
            raise UnknownItemError(f"{sku} has no item", [{"field": "sku", "sku": sku}])
        if location not in self._places:
            found = self.entry(Location, Location.create_id(location))
            self._places[location] = found is not None
        if not self._places[location]:
            raise UnknownLocationError(
                f"location {location} is not declared", [{"field": "location"}]
            )

    def factor(self, sku: str, unit: str | None, field: str) -> tuple[str | None, Decimal | None]:
        """The SKU's base unit and the factor of ``unit`` in it (None for base units), as
        ``measure`` reads them; a recipe line's unit is converted with it at each sale."""
        item = self.item(sku)
        base_unit = item.spec.base_unit if item is not None else None
        if unit is None or unit == base_unit:
            return base_unit, None
        if item is None:
            raise UnknownUnitError(f"{sku} has no item, so no unit {unit}", [{"field": field}])
        return base_unit, item.factor(unit, field)

    def measure(self, sku: str, quantity: Decimal, unit: str | None, field: str) -> Measured:
        """``quantity`` ``unit``s of ``sku`` in base units. The base unit's own name, or
        none, means base units; another unit must be one of the item's (UnknownUnitError)
        and the base quantity must fit 3 decimals."""
        base_unit, factor = self.factor(sku, unit, field)
        item = self.item(sku)
        if factor is None or item is None or unit is None:
            return Measured(quantity, base_unit)
        base, entered = item.measure(quantity, unit, field)
        return Measured(base, base_unit, entered)
