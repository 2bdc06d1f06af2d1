"""What a process has read of a few rare event topics, kept and read on from where it ended.

Lists that come from creation events (the suppliers, the receipts with a billing record, the
menu items with a recipe, the SKUs ever moved) were one topic-filtered scan of the whole
ledger per request: at a million movements the event store has no index to skip them by,
and the scan took ~200 ms each time. Here each process keeps, per ledger and list, what
``keep`` takes of each event, read up to the ledger's head, and on the next request reads
only the events recorded since. Positions commit in order (store.group_commit), so every
event at or below the head read is already visible. A head below what was read (a store
restored under a running process) starts the list again.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Hashable
from threading import Lock
from typing import Any
from weakref import WeakKeyDictionary

from application.events import LedgerEvents
from application.ports import LedgerPort


class Collected:
    """``keep(event)`` of every event of ``topics`` up to ``after`` (None: left out). A
    subclass keeping more than one list overrides ``take`` and ``clear``
    (application.known_codes)."""

    def __init__(
        self, topics: Collection[str], keep: Callable[[Any], Hashable | None] = lambda e: None
    ) -> None:
        self.topics, self.keep = frozenset(topics), keep
        self.after = 0
        self.values: dict[Hashable, None] = {}  # in ledger order, each once
        self._lock = Lock()

    def take(self, event: Any) -> None:
        value = self.keep(event)
        if value is not None:
            self.values.setdefault(value, None)

    def clear(self) -> None:
        self.values = {}

    def refresh(self, ledger: LedgerPort) -> None:
        """Reads the events of ``topics`` recorded since the head it last read."""
        with self._lock:
            head = ledger.recorder.max_notification_id() or 0
            if head < self.after:
                self.after = 0
                self.clear()
            source = LedgerEvents(ledger)
            while page := source.read(self.after, 1000, upto=head, topics=self.topics):
                for recorded in page:
                    self.take(recorded.event())
                self.after = page[-1].position
            self.after = max(self.after, head)

    def read(self, ledger: LedgerPort) -> list[Any]:
        self.refresh(ledger)
        with self._lock:
            return list(self.values)


_LISTS: WeakKeyDictionary[LedgerPort, dict[tuple[frozenset[str], Any], Collected]] = (
    WeakKeyDictionary()
)
_LISTS_LOCK = Lock()


def collected(
    ledger: LedgerPort, topics: Collection[str], keep: Callable[[Any], Hashable | None]
) -> list[Any]:
    """Each distinct ``keep(event)`` of the events of ``topics`` in ``ledger``, in ledger
    order: one list per ledger, topics and ``keep`` (a lambda written at one place in the
    code is the same code object on every call, so its list is kept)."""
    name = (frozenset(topics), getattr(keep, "__code__", keep))
    with _LISTS_LOCK:
        lists = _LISTS.setdefault(ledger, {})
        found = lists.get(name)
        if found is None:
            found = lists[name] = Collected(topics, keep)
    return found.read(ledger)
