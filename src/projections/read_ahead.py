"""Reading the ledger one page ahead of a rebuild's fold, in a thread.

A rebuild's bulk phase reads a page, decodes it, folds it and bulk-loads what settled. The
fold and the bulk load wait on the database (a COPY's flush, a commit's WAL flush), and
the read waits on the query; the driver releases the GIL while it waits. ``ReadAhead``
reads and decodes the next pages in a thread meanwhile, so each wait of one side is work
done for the other.

Only the events of the topics asked for are read (the store selects them by topic), and
each is decoded once, with its own class's topic beside it, so the rebuild routes it to
the read models that fold it without asking again. Pages come out in ledger order and
each goes on from the last position of the one before: the store's table lock makes
commit order position order, so no event can appear behind a page already read.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Collection, Iterator
from types import TracebackType
from typing import Any

from application.events import EventSource

# Pages read and decoded ahead of the fold: one being folded, one ready, one being read.
AHEAD = 2
# How long the reader waits on a full queue before looking whether it was stopped.
POLL_S = 0.5


class Page:
    """One page read: its decoded events as (position, topic of the event's class or "",
    event), the position it ends at, and whether it was the last (shorter than asked for)."""

    __slots__ = ("events", "last", "position")

    def __init__(self, events: list[tuple[int, str, Any]], position: int, last: bool):
        self.events = events
        self.position = position
        self.last = last


def read_page(events: EventSource, after: int, limit: int, topics: Collection[str]) -> Page:
    """The events of ``topics`` after ``after``, decoded (at most ``limit``).

    A page shorter than asked for is the last, and ends at the head as it was before the
    read, even past its last event: no event of ``topics`` lies between (every position up
    to that head was committed or abandoned before the read began, commit order being
    position order), so whoever goes on from there need not read the others again."""
    head = events.head()
    found = events.read(after, limit, topics=topics)
    decoded = []
    for recorded in found:
        event = recorded.event()
        decoded.append((recorded.position, getattr(type(event), "TOPIC", ""), event))
    position = found[-1].position if found else after
    last = len(found) < limit
    return Page(decoded, max(position, head) if last else position, last)


class ReadAhead:
    """The pages after ``after`` of the events of ``topics``, read by a thread up to
    ``AHEAD`` pages before they are asked for. Use it as a context manager: leaving stops
    and joins the thread; an error of the reader is raised where its page was due."""

    def __init__(
        self, events: EventSource, after: int, limit: int, topics: Collection[str]
    ) -> None:
        self._events = events
        self._after = after
        self._limit = limit
        self._topics = frozenset(topics)
        self._pages: queue.Queue[Page | BaseException] = queue.Queue(maxsize=AHEAD)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._read, daemon=True, name="rebuild-read")

    def __enter__(self) -> ReadAhead:
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._stop.set()
        while self._thread.is_alive():  # a reader blocked on a full queue needs room to stop
            with contextlib.suppress(queue.Empty):
                self._pages.get_nowait()
            self._thread.join(timeout=POLL_S)

    def __iter__(self) -> Iterator[Page]:
        while True:
            page = self._pages.get()
            if isinstance(page, BaseException):
                raise page
            yield page
            if page.last:
                return

    def _read(self) -> None:
        after = self._after
        try:
            while not self._stop.is_set():
                page = read_page(self._events, after, self._limit, self._topics)
                if not self._put(page) or page.last:
                    return
                after = page.position
        except BaseException as error:  # handed to the fold's thread, raised there
            self._put(error)

    def _put(self, item: Page | BaseException) -> bool:
        while not self._stop.is_set():
            try:
                self._pages.put(item, timeout=POLL_S)
                return True
            except queue.Full:
                continue
        return False
