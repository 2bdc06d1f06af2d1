"""Blue/green rebuild: a fresh table generation built from position 0 beside the live one.

1. Take the projection's rebuild lock (PostgreSQL advisory lock; a file lock on SQLite), drop
   leftovers of an interrupted rebuild and create generation N+1.
2. Bulk phase: read the ledger in chunks and fold in memory; append-only rows (movements)
   are bulk-inserted chunk by chunk, the other projections' state once at the end (COPY on
   PostgreSQL, executemany on SQLite).
3. Switch-over: with the registry row locked, apply the events that arrived meanwhile to the
   new table through the normal batched path; in the transaction that reads the last of them,
   point the registry at the new generation, version and position. Readers see the old table
   or the new one, never a mix. The old table is dropped afterwards.

The live table is never written by a rebuild, so an interrupted rebuild leaves it untouched;
running it again starts over. Progress goes to ``rm_rebuilds`` (for status in any process)
and to the callback: position, head, events_per_s, eta_s.
"""

from __future__ import annotations

import fcntl
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from application.errors import ConcurrencyConflictError
from projections.base import Projection, Rows, entry
from projections.db import Database, Session
from projections.runner import head_of, lock_key, read_events

Progress = Callable[[dict[str, Any]], None]
CHUNK = 5000


@contextmanager
def rebuild_lock(db: Database, name: str, *, wait: bool) -> Iterator[None]:
    """Exactly one rebuild of a projection at a time, across processes; released on death."""
    if db.postgres:
        control = db.connect()
        try:
            key = lock_key("rebuild", name)
            while not control.execute("SELECT pg_try_advisory_lock(?)", (key,))[0][0]:
                if not wait:
                    raise ConcurrencyConflictError(f"a rebuild of {name} is already running")
                time.sleep(0.5)
            yield
        finally:
            db.release(control)
        return
    with (db.path.parent / f"views.{name}.rebuild.lock").open("w") as handle:
        flags = fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB)
        try:
            fcntl.flock(handle, flags)
        except BlockingIOError:
            raise ConcurrencyConflictError(f"a rebuild of {name} is already running") from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class Rebuild:
    """One blue/green rebuild of ``projection``."""

    def __init__(
        self,
        db: Database,
        ledger: Any,
        projection: Projection,
        progress: Progress | None = None,
        *,
        chunk: int = CHUNK,
    ) -> None:
        self.db = db
        self.ledger = ledger
        self.projection = projection
        self.progress = progress
        self.chunk = chunk
        self.started = time.monotonic()
        self.last_report = 0.0

    def run(self, *, wait: bool = False) -> None:
        with rebuild_lock(self.db, self.projection.NAME, wait=wait):
            session = self.db.connect()
            try:
                self._run(session)
            finally:
                self.db.release(session)

    def _run(self, session: Session) -> None:
        p = self.projection
        generation = self._prepare(session)
        table = p.table(generation)
        position, head = 0, head_of(self.ledger)
        rows: Rows = {}
        folded = 0
        while True:
            last, batch, count = read_events(self.ledger, position, self.chunk)
            for event_position, event in batch:
                p.fold(rows, event, event_position)
            folded += count
            position = last
            if p.APPEND_ONLY and rows:
                with session.transaction():
                    self._flush(session, table, rows)
                rows = {}
            head = max(head_of(self.ledger), position)
            self._report(session, generation, position, head, folded)
            if count < self.chunk:
                break
        if rows:
            with session.transaction():
                self._flush(session, table, rows)
        self._switch(session, generation, position)

    def _flush(self, session: Session, table: str, rows: Rows) -> None:
        p = self.projection
        session.copy_rows(table, p.names(), (p.to_db(r, session.postgres) for r in rows.values()))

    def _prepare(self, session: Session) -> int:
        p = self.projection
        with session.transaction():
            live = entry(session, p.NAME, lock=True)
            assert live is not None, "storage not initialised"
            for table in session.tables(f"rm_{p.NAME}_g"):
                if table != p.table(live.generation):
                    session.execute(f"DROP TABLE {table}")
            generation = live.generation + 1
            p.create_table(session, p.table(generation))
            session.execute("DELETE FROM rm_rebuilds WHERE name = ?", (p.NAME,))
            session.execute(
                "INSERT INTO rm_rebuilds (name, version, generation, position, head, "
                "events_per_s, eta_s, updated_at) VALUES (?, ?, ?, 0, ?, 0, NULL, ?)",
                (p.NAME, p.VERSION, generation, head_of(self.ledger), time.time()),
            )
        return generation

    def _switch(self, session: Session, generation: int, position: int) -> None:
        p = self.projection
        table = p.table(generation)
        while True:
            with session.transaction():
                live = entry(session, p.NAME, lock=True)
                assert live is not None
                last, batch, count = read_events(self.ledger, position, self.chunk)
                p.apply(session, table, batch)
                position = last
                if count < self.chunk:
                    session.execute(
                        "UPDATE rm_registry SET version = ?, generation = ?, position = ?, "
                        "schema = ? WHERE name = ?",
                        (p.VERSION, generation, position, p.schema(), p.NAME),
                    )
                    session.execute("DELETE FROM rm_rebuilds WHERE name = ?", (p.NAME,))
                    old = p.table(live.generation)
                    break
        with session.transaction():
            session.execute(f"DROP TABLE IF EXISTS {old}")
        self._report(None, generation, position, position, 0, final=True)

    def _report(
        self,
        session: Session | None,
        generation: int,
        position: int,
        head: int,
        folded: int,
        *,
        final: bool = False,
    ) -> None:
        elapsed = max(time.monotonic() - self.started, 1e-6)
        rate = position / elapsed
        eta = (head - position) / rate if rate > 0 else None
        info = {
            "name": self.projection.NAME,
            "position": position,
            "head": head,
            "events_per_s": round(rate, 1),
            "eta_s": None if eta is None else round(eta, 1),
            "done": final,
        }
        if self.progress is not None:
            self.progress(info)
        now = time.monotonic()
        if session is not None and (now - self.last_report > 0.5 or folded == 0):
            self.last_report = now
            with session.transaction():
                session.execute(
                    "UPDATE rm_rebuilds SET position = ?, head = ?, events_per_s = ?, "
                    "eta_s = ?, updated_at = ? WHERE name = ? AND generation = ?",
                    (position, head, rate, eta, time.time(), self.projection.NAME, generation),
                )
