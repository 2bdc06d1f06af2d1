"""A bound on every PostgreSQL write: no transaction holds the writer lock unbounded.

Why: psycopg's pipeline can stall in the event store's insert (a 7,000-line receipt left
the backend 'active' in ClientRead, waiting for a Sync the client never sent, while the
client waited for results). Neither ``statement_timeout`` (nothing executes) nor
``idle_in_transaction_session_timeout`` (no Sync yet) fires then, so the lock was held
forever and every other writer failed after its lock retries.

Each ``save`` therefore gets a deadline of ``write_timeout`` seconds:

* server side, every attempt sets ``statement_timeout`` and
  ``idle_in_transaction_session_timeout`` to the time left (the earliest deadline of a
  group-committed batch), so a slow statement or a stalled client between statements is
  ended by PostgreSQL itself;
* client side, a watchdog thread ends the writer's session (``pg_terminate_backend``)
  when the deadline passes; the blocked client then sees the connection close;
* an attempt started after the deadline (the library retries a dropped connection) is
  refused, and the command answers 503 ``writer_busy``. Nothing was recorded.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg.sql import SQL, Identifier

from application.errors import WriterBusyError
from application.settings import Settings
from store import backend

log = logging.getLogger("stockledger.writer")

# Seconds the readiness probe waits for the writer lock.
READY_TIMEOUT = 2.0


@dataclass
class Write:
    """One save under a deadline; ``pid`` is the session writing it, while it does."""

    deadline: float  # ok-float: monotonic seconds
    pid: int | None = None
    aborted: bool = False
    done: bool = False
    guard: threading.Lock = field(default_factory=threading.Lock)


class _Watchdog:
    """One thread per process that aborts writes still running at their deadline (a
    threading.Timer per write cost ~0.3 ms of every command)."""

    def __init__(self) -> None:
        self._cv = threading.Condition()
        # (deadline in monotonic seconds, sequence, write, action)
        self._due: list[tuple[float, int, Write, Callable[[Write], None]]] = []  # ok-float
        self._seq = itertools.count()
        self._thread: threading.Thread | None = None

    def watch(self, write: Write, abort: Callable[[Write], None]) -> None:
        with self._cv:
            heapq.heappush(self._due, (write.deadline, next(self._seq), write, abort))
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="stockledger-writer-watchdog", daemon=True
                )
                self._thread.start()
            if self._due[0][2] is write:
                self._cv.notify()

    def _run(self) -> None:
        while True:
            with self._cv:
                while True:
                    while self._due and self._due[0][2].done:
                        heapq.heappop(self._due)
                    if not self._due:
                        self._cv.wait()
                        continue
                    delay = self._due[0][0] - time.monotonic()
                    if delay <= 0:
                        _, _, write, abort = heapq.heappop(self._due)
                        break
                    self._cv.wait(delay)
            abort(write)


_watchdog = _Watchdog()


class WriterGuard:
    """Deadlines for the writes of one Ledger (PostgreSQL; a no-op on SQLite).

    A save runs ``bounded``; the group commit (store.group_commit) asks each pending
    write whether it is ``late`` before sending it, and ``enter``s the transaction of a
    batch with the earliest deadline among its writes."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.timeout = float(settings.write_timeout)  # ok-float: seconds
        self._local = threading.local()
        self.enabled = settings.is_postgres

    @contextmanager
    def bounded(self) -> Iterator[None]:
        """Runs one save under the deadline; WriterBusyError when it was abandoned."""
        if not self.enabled or getattr(self._local, "write", None) is not None:
            yield
            return
        write = Write(deadline=time.monotonic() + self.timeout)
        self._local.write = write
        _watchdog.watch(write, self._abort)
        try:
            yield
        except WriterBusyError:
            raise
        except Exception as error:
            if write.aborted or time.monotonic() >= write.deadline:
                raise self._busy() from error
            raise
        finally:
            with write.guard:
                write.done = True
            self._local.write = None

    def current(self) -> Write | None:
        """The write this thread is running (None outside ``bounded``)."""
        return getattr(self._local, "write", None)

    def late(self, write: Write | None) -> WriterBusyError | None:
        """The error for a write past its deadline (an attempt is refused then)."""
        if write is not None and (write.aborted or write.deadline <= time.monotonic()):
            return self._busy()
        return None

    def _busy(self) -> WriterBusyError:
        return WriterBusyError(
            f"the write did not finish within {self.settings.write_timeout} s and was "
            "abandoned; nothing was recorded; retry (a smaller document may help)"
        )

    def enter(self, curs: Any, writes: list[Write], lock_timeout: int) -> tuple[str, str, str]:
        """Tells the watchdog which session runs the batch's ``writes``; the transaction's
        ``statement_timeout``, ``idle_in_transaction_session_timeout`` and ``lock_timeout``
        in ms: the earliest deadline of the batch (the lock wait at most ``lock_timeout``
        seconds), for the recorder to set with ``set_config(…, true)`` in its first
        statement (store.group_commit: queued on a pipeline, no round trip of its own)."""
        left = self.timeout
        if writes:
            pid = curs.connection.info.backend_pid
            for write in writes:
                with write.guard:
                    write.pid = pid
            left = min(write.deadline for write in writes) - time.monotonic()
        ms = max(1, int(left * 1000))
        return str(ms), str(ms), str(min(ms, lock_timeout * 1000))

    def leave(self, writes: list[Write]) -> None:
        """The batch is over: its session may serve others, the watchdog must not end it."""
        for write in writes:
            with write.guard:
                write.pid = None

    def _abort(self, write: Write) -> None:
        """The watchdog: ends the session of a write still running at its deadline."""
        with write.guard:
            write.aborted = True
            if write.done or write.pid is None:
                return
            log.error("write past %s s: ending its session (pid %s)", self.timeout, write.pid)
            try:
                with psycopg.connect(
                    self.settings.database_url or "", autocommit=True, connect_timeout=5
                ) as conn:
                    conn.execute("SELECT pg_terminate_backend(%s)", (write.pid,))
            except psycopg.Error:
                log.exception("could not end the stuck writer session %s", write.pid)


def writer_ready(recorder: Any, settings: Settings) -> bool:
    """Whether the writer lock can be taken (and released) within READY_TIMEOUT seconds."""
    try:
        if settings.is_postgres:
            with recorder.datastore.transaction(commit=False) as curs:
                timeout = int(READY_TIMEOUT * 1000)
                curs.execute(SQL("SET LOCAL lock_timeout = {0}").format(timeout))
                curs.execute(SQL("SET LOCAL statement_timeout = {0}").format(timeout))
                curs.execute(
                    SQL("LOCK TABLE {0}.{1} IN EXCLUSIVE MODE").format(
                        Identifier(recorder.datastore.schema),
                        Identifier(backend.PG_WRITE_LOCK_TABLE),
                    )
                )
            return True
        conn = sqlite3.connect(backend.sqlite_path(settings), timeout=READY_TIMEOUT)
        try:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("ROLLBACK")
        finally:
            conn.close()
    except Exception:
        log.warning("readiness: the writer lock could not be taken", exc_info=True)
        return False
    return True
