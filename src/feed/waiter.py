"""One watcher of the ledger's head per process, shared by every stream and deliverer.

On PostgreSQL it LISTENs on the projectors' channel (``ledger_events``) and reads the head
once per wake-up (with a polling fallback for a lost notification); on SQLite it reads the
head every 50 ms. Subscribers wait on a condition until the head passes their position, so
a thousand idle subscribers cost the database nothing more than one.
"""

from __future__ import annotations

import asyncio
import logging
import threading

from application.events import EventSource
from projections.dialects import Dialect

log = logging.getLogger("stockledger.feed")


class HeadWaiter:
    """Tracks the ledger's head; ``wait_beyond(p)`` blocks until it passes ``p``."""

    def __init__(self, events: EventSource, dialect: Dialect) -> None:
        self.events = events
        self.dialect = dialect
        self.head = 0  # read by the watcher as it starts (at the first wait), not here
        self.reads = 0  # head reads done (what idle subscribers would otherwise multiply)
        self._changed = threading.Condition()
        # Streams waiting on event loops: woken by the watcher thread, never polling.
        self._futures: set[tuple[asyncio.AbstractEventLoop, asyncio.Future[None]]] = set()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._starting = threading.Lock()

    def start(self) -> None:
        self._spawn(restart=True)

    def _watch(self) -> None:
        """Starts watching on first use (an API process with no stream open watches
        nothing: no wake-up and no head read per commit); never after ``stop``."""
        if self._thread is None:
            self._spawn(restart=False)

    def _spawn(self, *, restart: bool) -> None:
        with self._starting:
            if self._thread is not None or (self._stop.is_set() and not restart):
                return
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, daemon=True, name="feed-head")
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        with self._changed:
            self._wake_all()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    @property
    def watching(self) -> bool:
        return self._thread is not None

    @property
    def stopped(self) -> bool:
        return self._stop.is_set()

    def wait_beyond(self, position: int, timeout: float) -> int:  # ok-float: seconds
        """The head once it is beyond ``position``, or as it is after ``timeout``."""
        self._watch()
        with self._changed:
            self._changed.wait_for(
                lambda: self.head > position or self._stop.is_set(), timeout=timeout
            )
            return self.head

    async def wait_async(self, position: int, timeout: float) -> int:  # ok-float: seconds
        """``wait_beyond`` for a coroutine: the event loop stays free while it waits."""
        self._watch()
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()
        entry = (loop, future)
        with self._changed:
            if self.head > position or self._stop.is_set():
                return self.head
            self._futures.add(entry)
        try:
            await asyncio.wait_for(asyncio.shield(future), timeout)
        except TimeoutError:
            pass
        finally:
            with self._changed:
                self._futures.discard(entry)
        return self.head

    def _wake_all(self) -> None:
        """Called with ``_changed`` held."""
        self._changed.notify_all()
        for loop, future in self._futures:
            if not loop.is_closed():
                loop.call_soon_threadsafe(_resolve, future)
        self._futures.clear()

    def _refresh(self) -> None:
        head = self.events.head()
        self.reads += 1
        if head != self.head:
            with self._changed:
                self.head = head
                self._wake_all()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                # LISTEN on PostgreSQL (with a polling fallback), polling on SQLite.
                with self.dialect.watching() as wait:
                    self._refresh()  # anything committed before the watch took effect
                    while not self._stop.is_set():
                        wait(self._stop)
                        self._refresh()
            except Exception:
                log.exception("feed head watcher failed; retrying")
                self._stop.wait(1.0)


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)
