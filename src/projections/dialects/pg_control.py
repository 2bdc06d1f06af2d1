"""One control connection per PostgreSQL store and process: its LISTEN and its locks.

Each projection runner of a process held two connections of its own (one for its batches, one
for its advisory lock and LISTEN), the head watcher a third: seven LISTENing sessions per
store and process. They share this one. A thread owns the connection's notifications: it
sleeps in ``select`` on the socket and on a wake-up pipe, drains what arrived and tells every
subscriber. Advisory locks are taken and released on the same session by the threads that ask
(psycopg serialises them with the thread's notification reads, and the asker pokes the pipe
so that notifications read meanwhile are not left waiting). A key this session holds is
refused to a second local asker, as another session would refuse it (PostgreSQL's advisory
locks are re-entrant within one session).

The connection opens on the first use (a process that follows nothing and streams nothing
holds none). When it breaks, its locks are gone with it: every waiter raises ``ControlLost``
(a runner then restarts and asks for its lock again; the head watcher re-subscribes), and the
next use connects afresh.
"""

from __future__ import annotations

import contextlib
import logging
import os
import select
import threading
from typing import Any

import psycopg

log = logging.getLogger("stockledger.projections")

POLL = 1.0  # seconds a waiter waits for a notification before it polls anyway


class ControlLost(psycopg.OperationalError):
    """The control connection broke: the locks it held are released, waits must restart."""


class Control:
    """The shared LISTEN-and-locks session of one store in one process."""

    def __init__(self, url: str, channel: str) -> None:
        self.url = url
        self.channel = channel
        self._changed = threading.Condition()
        self._connecting = threading.Lock()
        self._asking = threading.Lock()  # one lock request at a time (held-set check + SQL)
        self._conn: psycopg.Connection[Any] | None = None
        self._epoch = 0  # one more per connection lost
        self._notified = 0  # one more per packet of notifications
        self._held: set[int] = set()
        self._pipe: tuple[int, int] | None = None
        self._thread: threading.Thread | None = None
        self._closed = False

    @property
    def connected(self) -> bool:
        return self._conn is not None

    # -- the connection and its listening thread ---------------------------------------------

    def _connection(self) -> tuple[psycopg.Connection[Any], int]:
        with self._connecting:
            if self._closed:
                raise ControlLost("the read-model store is closed")
            if self._conn is not None:
                return self._conn, self._epoch
            conn = psycopg.connect(self.url, autocommit=True)
            try:
                conn.execute(f"LISTEN {self.channel}")
            except BaseException:
                conn.close()
                raise
            if self._pipe is None:
                self._pipe = os.pipe()
            with self._changed:
                self._conn, epoch = conn, self._epoch
            self._thread = threading.Thread(
                target=self._listen, args=(conn, epoch), daemon=True, name="read-models-listen"
            )
            self._thread.start()
            return conn, epoch

    def _poke(self) -> None:
        if self._pipe is not None:
            with contextlib.suppress(OSError):
                os.write(self._pipe[1], b"x")

    def _listen(self, conn: psycopg.Connection[Any], epoch: int) -> None:
        assert self._pipe is not None
        wake = self._pipe[0]
        poller = select.poll()  # not select(): a busy process may have fds past 1024
        poller.register(conn.fileno(), select.POLLIN)
        poller.register(wake, select.POLLIN)
        try:
            while not self._closed:
                ready = {fd for fd, _ in poller.poll(POLL * 1000)}
                if wake in ready:
                    os.read(wake, 4096)
                if self._closed:
                    return
                # What arrived on the socket, and what another thread's statement read.
                if any(True for _ in conn.notifies(timeout=0)):
                    with self._changed:
                        self._notified += 1
                        self._changed.notify_all()
        except Exception as error:  # the connection broke (a restart, a failover)
            if not self._closed:
                log.warning("read-model control connection lost: %s", error)
        finally:
            self._lost(conn, epoch)

    def _lost(self, conn: psycopg.Connection[Any], epoch: int) -> None:
        with self._changed:
            if self._conn is conn and self._epoch == epoch:
                self._conn = None
                self._epoch += 1
                self._held.clear()
            self._changed.notify_all()
        with contextlib.suppress(Exception):
            conn.close()

    def close(self) -> None:
        with self._connecting:
            self._closed = True
        self._poke()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=5)
        conn = self._conn
        if conn is not None:
            self._lost(conn, self._epoch)
        if self._pipe is not None:
            for fd in self._pipe:
                with contextlib.suppress(OSError):
                    os.close(fd)
            self._pipe = None

    # -- waiting for notifications -----------------------------------------------------------

    def subscribe(self) -> Any:
        """A waiter (``projections.dialects.Waiter``): waits up to POLL for a notification
        newer than the last one it saw, True when one came; raises ControlLost once the
        connection it subscribed on is gone."""
        _, epoch = self._connection()
        with self._changed:
            seen = self._notified

        def wait(_wake: threading.Event) -> bool:
            nonlocal seen
            with self._changed:
                self._changed.wait_for(
                    lambda: self._notified != seen or self._epoch != epoch or self._closed,
                    timeout=POLL,
                )
                if self._epoch != epoch or self._closed:
                    raise ControlLost("the read-model control connection was lost")
                woke, seen = self._notified != seen, self._notified
                return woke

        return wait

    def wake(self) -> None:
        """Wakes every waiter as a notification would (a reader waiting for a position in
        this process); opens nothing."""
        with self._changed:
            self._notified += 1
            self._changed.notify_all()

    # -- session advisory locks --------------------------------------------------------------

    def try_lock(self, key: int) -> int | None:
        """Takes advisory lock ``key`` on this session without waiting: the connection's
        epoch (for ``unlock``), or None when it is held here or by another session."""
        with self._asking:
            conn, epoch = self._connection()
            with self._changed:
                if key in self._held:
                    return None
            try:
                row = conn.execute("SELECT pg_try_advisory_lock(%s)", (key,)).fetchone()
            finally:
                self._poke()
            if not (row and row[0]):
                return None
            with self._changed:
                if self._epoch != epoch:
                    return None  # lost meanwhile, and the lock with it
                self._held.add(key)
            return epoch

    def holds(self, key: int, epoch: int) -> bool:
        with self._changed:
            return self._epoch == epoch and key in self._held

    def unlock(self, key: int, epoch: int) -> None:
        """Releases ``key`` if this session (of ``epoch``) still holds it."""
        with self._asking:
            with self._changed:
                if self._epoch != epoch or key not in self._held:
                    return
                self._held.discard(key)
                conn = self._conn
            if conn is None:
                return
            try:
                conn.execute("SELECT pg_advisory_unlock(%s)", (key,))
            except psycopg.Error:
                pass  # the session is going: its locks go with it
            finally:
                self._poke()
