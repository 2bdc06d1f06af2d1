"""Aggregates a command takes from the cache without a read or a copy.

The library's repository keeps recent aggregates in an LRU cache, and every ``get`` reads
the events newer than the cached version (the fast-forward: one SELECT) and deep-copies the
result, so that a command that fails half-way cannot corrupt the cached object. On the
command path both are usually wasted: this process most often wrote the aggregate's last
version itself, and the copy only protects an object nobody else is using.

``take`` therefore *removes* the aggregate from the cache: the command owns it and may
change it in place. ``give_back`` returns it after the command: marked as written here
after a successful save (the next ``take`` trusts it without a read), or unmarked when
nothing was saved and it has no pending change. An aggregate a command changed but did not
save (a refusal, a lost race) is never given back: evicted, it is read afresh next time.

Trusting is optimistic. When another process wrote the aggregate meanwhile, the save
conflicts on the version (the store's unique key) and the posting path re-runs the command
on fresh state. An aggregate a command only read, or a refusal decided from a trusted one,
has no such check, so ``stale`` asks the store for a newer version first (one indexed read,
only on those paths).

A reader (``Ledger.get``) must never copy an object a command has taken: the library's
``Repository.get`` fast-forwards the cached object in place and then copies it, outside any
lock ``take`` knows of, so a reader could copy (and answer with) a command's unsaved change.
``guard(id)`` is the lock both hold: ``take`` evicts under it, readers read a cached
aggregate under it, so a reader either copies before the command takes the object or finds
it gone and reads the store.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Repository, project_aggregate
from eventsourcing.domain import Aggregate

# Locks striped by aggregate id: readers of different aggregates do not wait for each other.
GUARDS = 64


class Owned:
    """Take/give-back over one repository's cache (see the module docstring)."""

    def __init__(self, repository: Repository[UUID]) -> None:
        self.repository = repository
        # Ids whose cached aggregate is at the version this process last wrote.
        self._mine: set[UUID] = set()
        self._lock = threading.Lock()
        self._guards = tuple(threading.Lock() for _ in range(GUARDS))

    def guard(self, aggregate_id: UUID) -> threading.Lock:
        """The lock a reader of the cached aggregate and ``take`` share (module docstring)."""
        return self._guards[aggregate_id.int % GUARDS]

    def take(self, aggregate_id: UUID) -> tuple[Aggregate | None, bool]:
        """The aggregate, now owned by the caller, and whether it was taken on trust (not
        read from the store: this process wrote its last known version)."""
        cache = self.repository.cache
        with self._lock:
            trusted = aggregate_id in self._mine
            self._mine.discard(aggregate_id)
        cached: Any = None
        if cache is not None:
            with self.guard(aggregate_id):
                try:
                    cached = cache.get(aggregate_id, evict=True)
                except KeyError:
                    cached = None
        if cached is None:
            try:
                return self.repository.get(aggregate_id), False
            except AggregateNotFoundError:
                return None, False
        if trusted:
            return cached, True
        newer = self.repository.event_store.get(aggregate_id, gt=cached.version)
        return project_aggregate(cached, newer), False

    def give_back(self, aggregates: Iterable[Aggregate], *, written: bool) -> None:
        """Returns aggregates to the cache: ``written`` ones as trusted; others only when
        they carry no unsaved change."""
        cache = self.repository.cache
        if cache is None:
            return
        for aggregate in aggregates:
            if aggregate.pending_events:
                continue
            cache.put(aggregate.id, aggregate)
            if written:
                with self._lock:
                    self._mine.add(aggregate.id)

    def newer(self, aggregate_id: UUID, version: int) -> bool:
        """Whether the store holds a version of the aggregate after ``version`` (one
        indexed read; ``version`` 0: whether it exists at all)."""
        recorder = self.repository.event_store.recorder
        return bool(recorder.select_events(aggregate_id, gt=version, limit=1))

    def stale(self, taken: dict[UUID, int]) -> bool:
        """Whether any of the aggregates taken on trust (id → version then) has a newer
        recorded version; such a one is forgotten."""
        for aggregate_id, version in taken.items():
            if self.newer(aggregate_id, version):
                with self._lock:
                    self._mine.discard(aggregate_id)
                return True
        return False
