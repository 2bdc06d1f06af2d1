"""Reading the ledger for the read side: the events of one batch, and one reader shared by
the runners of a process.

``read_events`` reads every event after a position (the new position is the last one read,
whatever its topic) and decodes only those of the topics asked for. The runners of one
process read through one ``SharedReader``: the first runner to ask for the events after a
position reads and decodes them, and the others, usually at the same position, are
answered from its page instead of reading and decoding the same events again.
"""

from __future__ import annotations

import threading
from bisect import bisect_right
from collections.abc import Collection
from typing import Any

from application.events import EventSource, Recorded
from domain.operations import Operations
from domain.stock_item import MOVEMENT_TOPICS
from projections.base import Batch

REBUILD_REQUESTED = Operations.RebuildRequested.TOPIC


class _Decoded:
    """A recorded event decoded at most once, however many projections fold it."""

    __slots__ = ("_event", "_recorded", "position", "topic")

    def __init__(self, recorded: Recorded) -> None:
        self._recorded = recorded
        self._event: Any = None
        self.position = recorded.position
        self.topic = recorded.topic

    def event(self) -> Any:
        if self._event is None:
            self._event = self._recorded.event()
        return self._event


class SharedReader:
    """An ``EventSource`` that keeps the last ``keep`` events read, for the runners of one
    process to share.

    The kept events are a contiguous stretch of the ledger, (``start``, last kept]: every
    event in it was read by one read or by reads that continued each other, and the table
    lock makes commit order equal position order, so no event of the stretch can appear
    later. A read after a position inside the stretch is answered from it (possibly fewer
    events than asked: the next read goes on from there)."""

    def __init__(self, events: EventSource, keep: int = 5000) -> None:
        self.events = events
        self.keep = keep
        self._lock = threading.Lock()
        self._start = 0
        self._kept: list[_Decoded] = []
        self._positions: list[int] = []

    def head(self) -> int:
        return self.events.head()

    def read(
        self, after: int, limit: int, *, upto: int | None = None, topics: Collection[str] = ()
    ) -> list[Any]:
        if upto is not None or topics:
            return list(self.events.read(after, limit, upto=upto, topics=topics))
        with self._lock:  # one reader at a time: the others wait and take its page
            if self._kept and self._start <= after < self._positions[-1]:
                first = bisect_right(self._positions, after)
                return self._kept[first : first + limit]
            found = [_Decoded(r) for r in self.events.read(after, limit)]
            if found:
                self._keep(after, found)
            return list(found)

    def _keep(self, after: int, found: list[_Decoded]) -> None:
        if not self._kept or after != self._positions[-1]:
            self._start, self._kept, self._positions = after, [], []
        self._kept.extend(found)
        self._positions.extend(event.position for event in found)
        excess = len(self._kept) - self.keep
        if excess > 0:
            self._start = self._kept[excess - 1].position
            del self._kept[:excess]
            del self._positions[:excess]


def read_events(
    events: EventSource,
    after: int,
    limit: int,
    requests: list[str] | None = None,
    topics: Collection[str] = MOVEMENT_TOPICS,
) -> tuple[int, Batch, int]:
    """(last position read or ``after``, events of ``topics`` — movements unless told — with
    their positions, count read).

    Every event is read (the position is the last one, of those topics or not) and only
    those of ``topics`` are decoded. With ``requests``, the projections named by rebuild
    requests read are appended to it."""
    found = events.read(after, limit)
    if not found:
        return after, [], 0
    batch = [(r.position, r.event()) for r in found if r.topic in topics]
    if requests is not None:
        requests.extend(r.event().projection for r in found if r.topic == REBUILD_REQUESTED)
    return found[-1].position, batch, len(found)
