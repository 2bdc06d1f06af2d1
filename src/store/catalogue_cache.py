"""Catalogue entries a posting reads without a SELECT, checked when the posting is written.

Every document line looks up its SKU's ``Item`` (and, with STOCKLEDGER_REQUIRE_ITEMS, its
``Location``), and every sale line its menu item's ``Recipe``: on PostgreSQL one SELECT
each, most often finding nothing for an item. The cache keeps each entry (or its absence)
with the version it was read at, per process.

Reading from it is optimistic and checked, never trusted:

* a posting hands the versions it read to its save (``reads``); the group commit
  (store.group_commit; on SQLite store.sqlite_recorder) leaves out a save any
  of whose reads has a newer version recorded, under the writer lock, and the posting
  path re-runs it after ``forget`` (the next attempt reads afresh). So a posting committed
  after a catalogue change always used that change, whichever process made it: pack
  factors change prospectively (SPEC §8), a sale uses the recipe version current at its
  posting (§9);
* a refusal or a no-op has no save to check it: ``stale`` asks the store first, and the
  posting path re-runs a command refused on an outdated entry;
* a save of an Item, Location or Recipe in this process forgets it (Ledger.save).

Both recorders check reads: PostgreSQL's in the group commit's checked INSERT, SQLite's in
its write transaction (store.sqlite_recorder). The Ledger makes a cache only over a
recorder that says so (``checks_reads``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import suppress
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import LRUCache
from eventsourcing.domain import Aggregate

A = TypeVar("A", bound=Aggregate)
# (the entry or None when never created, the version read: 0 for none)
Entry = tuple[Aggregate | None, int]
Newer = Callable[[UUID, int], bool]


class CatalogueCache:
    """Catalogue entries by id, as last read here (module docstring)."""

    def __init__(self, read: Callable[[type[Any], UUID], Any], newer: Newer, size: int) -> None:
        self._read = read
        self._newer = newer
        self._entries: LRUCache[UUID, Entry] = LRUCache(maxsize=max(size, 1))
        # Look-ups answered from the cache and from the store (read by the tests).
        self.hits = 0
        self.misses = 0

    def get(self, cls: type[A], aggregate_id: UUID) -> tuple[A | None, int]:
        """The entry (None if never created) and the version it was read at."""
        try:
            found, version = self._entries.get(aggregate_id)
            self.hits += 1
        except KeyError:
            self.misses += 1
            found = self._read(cls, aggregate_id)
            version = found.version if found is not None else 0
            self._entries.put(aggregate_id, (found, version))
        assert found is None or isinstance(found, cls)
        return found, version

    def forget(self, ids: Iterable[UUID]) -> None:
        for aggregate_id in ids:
            with suppress(KeyError):
                self._entries.get(aggregate_id, evict=True)

    def stale(self, reads: dict[UUID, int]) -> bool:
        """Whether any entry read (id → version) has a newer version in the store; those
        are forgotten."""
        outdated = [i for i, version in reads.items() if self._newer(i, version)]
        self.forget(outdated)
        return bool(outdated)
