"""Snapshots taken off the request path.

The library takes a snapshot inside ``save``: it reads the aggregate back and writes the
snapshot in a second transaction, all within the command's latency. The ledger instead
hands the (id, version) of each snapshot due to one daemon thread per ledger, which takes
them in order. A snapshot is a cache (store.snapshots checks every one before use),
so one lost to a crash costs only a longer replay.

A read of an aggregate's snapshots first waits (briefly) for the snapshots still due for
that aggregate, so a load right after a command uses the snapshot it earned, and ``close``
takes every snapshot still due.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable
from uuid import UUID

log = logging.getLogger("stockledger.snapshots")

# Seconds a snapshot read waits for the snapshots due for its aggregate.
SETTLE_TIMEOUT = 5.0  # ok-float: seconds


class SnapshotTaker:
    """Takes ``take(aggregate_id, version)`` for every scheduled snapshot, in order."""

    def __init__(self, take: Callable[[UUID, int], None]) -> None:
        self._take = take
        self._cv = threading.Condition()
        self._due: deque[tuple[UUID, int]] = deque()
        # Snapshots scheduled and not yet taken, per aggregate.
        self._pending: Counter[UUID] = Counter()
        self._thread: threading.Thread | None = None

    def schedule(self, due: Iterable[tuple[UUID, int]]) -> None:
        with self._cv:
            for aggregate_id, version in due:
                self._due.append((aggregate_id, version))
                self._pending[aggregate_id] += 1
            if self._thread is None and self._due:
                self._thread = threading.Thread(
                    target=self._run, name="stockledger-snapshots", daemon=True
                )
                self._thread.start()
            self._cv.notify_all()

    def settle(
        self,
        aggregate_id: UUID | None = None,
        timeout: float = SETTLE_TIMEOUT,  # ok-float: seconds
    ) -> None:
        """Waits until the snapshots due (for ``aggregate_id``, or all) have been taken."""
        if threading.current_thread() is self._thread:
            return
        deadline = time.monotonic() + timeout
        with self._cv:
            while self._pending[aggregate_id] if aggregate_id else self._pending.total():
                left = deadline - time.monotonic()
                if left <= 0:
                    return
                self._cv.wait(left)

    def _run(self) -> None:
        while True:
            with self._cv:
                while not self._due:
                    self._cv.wait()
                aggregate_id, version = self._due.popleft()
            try:
                self._take(aggregate_id, version)
            except Exception:
                log.warning("snapshot of %s at %d not taken", aggregate_id, version, exc_info=True)
            with self._cv:
                self._pending[aggregate_id] -= 1
                if self._pending[aggregate_id] <= 0:
                    del self._pending[aggregate_id]
                self._cv.notify_all()
