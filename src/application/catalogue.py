"""The catalogue on the command side (SPEC §8): putting items and locations.

``put_item`` / ``put_location`` load the aggregate, change it and save it, re-run on a
concurrent save like the registers (application.measures reads them for the documents).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from eventsourcing.persistence import IntegrityError

from application import posting
from application.events import LedgerEvents
from domain.item import Item, ItemSpec, Location
from domain.stock_item import StockItem

if TYPE_CHECKING:
    from application.ledger import Ledger


@dataclass(frozen=True)
class Saved:
    """An item or location as saved: its version, its position, and whether the put
    created it (201) or not (200, changed or unchanged)."""

    version: int
    position: int
    created: bool


def has_movements(ledger: Ledger, sku: str) -> bool:
    """Whether ``sku`` was ever moved: scans the positions' creation events (one per
    position, far fewer than movements; asked only when a base unit would change)."""
    source, after = LedgerEvents(ledger), 0
    while page := source.read(after, 1000, topics={StockItem.Created.TOPIC}):
        if any(recorded.event().sku == sku for recorded in page):
            return True
        after = page[-1].position
    return False


def put_item(ledger: Ledger, sku: str, spec: ItemSpec, user: str) -> tuple[Item, Saved]:
    """Creates or changes the item of ``sku`` (Item.register, Item.define)."""
    for _ in posting.attempts():
        item = ledger.get(Item, Item.create_id(sku))
        created = item is None
        if item is None:
            item = Item.register(sku, spec, user)
        elif not item.define(spec, user, lambda: has_movements(ledger, sku)):
            (position,) = ledger.positions([(item.id, item.version)])
            return item, Saved(item.version, position, False)
        try:
            recordings = ledger.save(item)
        except IntegrityError:
            continue
        return item, Saved(item.version, recordings[-1].notification.id, created)
    raise AssertionError("unreachable: attempts() raises when spent")  # pragma: no cover


def put_location(
    ledger: Ledger, code: str, name: str, kind: str | None, user: str
) -> tuple[Location, Saved]:
    """Declares ``code`` or renames it (Location.declare, Location.rename)."""
    for _ in posting.attempts():
        place = ledger.get(Location, Location.create_id(code))
        created = place is None
        if place is None:
            place = Location.declare(code, name, kind, user)
        elif not place.rename(name, kind, user):
            (position,) = ledger.positions([(place.id, place.version)])
            return place, Saved(place.version, position, False)
        try:
            recordings = ledger.save(place)
        except IntegrityError:
            continue
        return place, Saved(place.version, recordings[-1].notification.id, created)
    raise AssertionError("unreachable: attempts() raises when spent")  # pragma: no cover
