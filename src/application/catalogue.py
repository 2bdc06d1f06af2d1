"""The catalogue on the command side (SPEC §8): putting items and locations.

``put_item`` / ``put_location`` (and application.recipes) load the aggregate, change it and
save it on the posting path's loop (posting.retrying), like the registers
(application.measures reads them for the documents).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar
from uuid import UUID

from eventsourcing.domain import Aggregate

from application import posting
from application.collected import collected
from application.known_codes import new_location, new_sku
from application.ports import LedgerPort
from domain.item import Item, ItemSpec, Location
from domain.stock_item import StockItem

M = TypeVar("M", bound=Aggregate)


@dataclass(frozen=True)
class Saved:
    """An item or location as saved: its version, its position, and whether the put
    created it (201) or not (200, changed or unchanged)."""

    version: int
    position: int
    created: bool


def has_movements(ledger: LedgerPort, sku: str) -> bool:
    """Whether ``sku`` was ever moved: scans the positions' creation events (one per
    position, far fewer than movements; asked only when a base unit would change)."""
    return sku in collected(ledger, {StockItem.Created.TOPIC}, lambda e: e.sku)


def put_item(ledger: LedgerPort, sku: str, spec: ItemSpec, user: str) -> tuple[Item, Saved]:
    """Creates or changes the item of ``sku`` (Item.register, Item.define)."""
    return put(
        ledger,
        Item,
        Item.create_id(sku),
        lambda: new_sku(ledger, sku, lambda: Item.register(sku, spec, user)),
        lambda item: item.define(spec, user, lambda: has_movements(ledger, sku)),
    )


def put_location(
    ledger: LedgerPort, code: str, name: str, kind: str | None, user: str
) -> tuple[Location, Saved]:
    """Declares ``code`` or renames it (Location.declare, Location.rename)."""
    return put(
        ledger,
        Location,
        Location.create_id(code),
        lambda: new_location(ledger, code, lambda: Location.declare(code, name, kind, user)),
        lambda place: place.rename(name, kind, user),
    )


def put(
    ledger: LedgerPort,
    cls: type[M],
    aggregate_id: UUID,
    create: Callable[[], M],
    change: Callable[[M], bool],
) -> tuple[M, Saved]:
    """Creates the aggregate, or applies ``change`` (False: nothing to change, answered
    with its current position), and saves it; run again on fresh state when a concurrent
    save won (posting.retrying)."""

    def attempt() -> tuple[M, Saved] | None:
        found = ledger.get(cls, aggregate_id)
        created = found is None
        if found is None:
            found = create()
        elif not change(found):
            (position,) = ledger.positions([(found.id, found.version)])
            return found, Saved(found.version, position, False)
        recordings = posting.saved(ledger, found)
        if recordings is None:
            return None
        return found, Saved(found.version, recordings[-1].notification.id, created)

    return posting.retrying(attempt)
