"""The SKU and location codes a store knows, so a new one that differs from a known one only
in case (``Main`` beside ``main``) is refused before it splits a position in two (SPEC §8,
issue 35.4: 422 ``similar_code``; STOCKLEDGER_ALLOW_SIMILAR_CODES allows it).

Asked only when something new is created — a position never moved, an item, a location —
never on the hot path of an existing position: each process keeps, per ledger, the codes of
every position's, item's and location's creation event, read once up to the head and then
only the events recorded since (as application.collected). Two processes creating
``Main`` and ``main`` at the same instant can both pass: the check is a guard against
typing, not a lock.
"""

from __future__ import annotations

from collections.abc import Callable
from threading import Lock
from typing import Any, TypeVar
from weakref import WeakKeyDictionary

from application.collected import Collected
from application.ports import LedgerPort
from domain.codes import folded, similar_code
from domain.item import Item, Location
from domain.stock_item import StockItem

T = TypeVar("T")

_TOPICS = {StockItem.Created.TOPIC, Item.Created.TOPIC, Location.Created.TOPIC}


class KnownCodes(Collected):
    """The codes of one store as far as this process has read its creation events."""

    def __init__(self) -> None:
        super().__init__(_TOPICS)
        self.skus: dict[str, str] = {}
        self.locations: dict[str, str] = {}

    def take(self, event: Any) -> None:
        if sku := getattr(event, "sku", None):
            self.skus.setdefault(folded(sku), sku)
        location = getattr(event, "location", None) or getattr(event, "code", None)
        if location:
            self.locations.setdefault(folded(location), location)

    def clear(self) -> None:
        self.skus, self.locations = {}, {}


_KNOWN: WeakKeyDictionary[LedgerPort, KnownCodes] = WeakKeyDictionary()
_KNOWN_LOCK = Lock()


def known(ledger: LedgerPort) -> KnownCodes | None:
    """This process's known codes of ``ledger``, read up to now; None when the operator
    allows similar codes."""
    if ledger.settings.allow_similar_codes:
        return None
    with _KNOWN_LOCK:
        codes = _KNOWN.get(ledger)
        if codes is None:
            codes = _KNOWN[ledger] = KnownCodes()
    codes.refresh(ledger)
    return codes


def check_new_position(ledger: LedgerPort, sku: str, location: str) -> None:
    """Refuses a position about to be created whose SKU or location only differs in case
    from a known one."""
    if (codes := known(ledger)) is not None:
        similar_code(sku, codes.skus, "sku")
        similar_code(location, codes.locations, "location")


def new_sku(ledger: LedgerPort, sku: str, make: Callable[[], T]) -> T:
    """``make()`` (an item's creation) once ``sku`` is not similar to a known SKU."""
    if (codes := known(ledger)) is not None:
        similar_code(sku, codes.skus, "sku")
    return make()


def new_location(ledger: LedgerPort, code: str, make: Callable[[], T]) -> T:
    """``make()`` (a location's declaration) once ``code`` is not similar to a known one."""
    if (codes := known(ledger)) is not None:
        similar_code(code, codes.locations, "code")
    return make()
