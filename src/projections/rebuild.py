"""Blue/green rebuild: fresh table generations built from position 0 beside the live ones.

1. Take each projection's rebuild lock (the dialect's: an advisory lock, or a file lock),
   drop leftovers of an interrupted rebuild and create generation N+1 — where the dialect
   defers indexes, without its key and indexes, which are built once after the bulk load.
2. Bulk phase: read the ledger once, in chunks, and fold every event into each projection
   being rebuilt, in memory. Rows that can no longer change are bulk-inserted as they
   settle — movements chunk by chunk, COGS rows once their period is two months behind —
   the rest once at the end (the dialect's bulk load), so memory stays flat however long
   the ledger.
3. Switch-over, per projection: with the registry row locked, apply the events that arrived
   meanwhile to the new table through the normal batched path; in the transaction that
   reads the last of them, point the registry at the new generation, version and position.
   Readers see the old table or the new one, never a mix. The old table is dropped after.

The live tables are never written by a rebuild, so an interrupted rebuild leaves them
untouched; running it again starts over. Progress goes to ``rm_rebuilds`` (for status in any
process) and to the callback: name, position, head, events_per_s, eta_s. The ledger is read
only through an ``application.events.EventSource``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from datetime import datetime
from typing import Any

from application.errors import ConcurrencyConflictError
from application.events import EventSource
from projections.base import Key, Projection, Rows
from projections.db import Database, Session
from projections.event_reader import read_events
from projections.health import clear_failure
from projections.registry import (
    drop_leftovers,
    entry,
    go_live,
    rebuild_lock,
    rebuild_progressed,
    rebuild_started,
)
from projections.runner import log

Progress = Callable[[dict[str, Any]], None]
CHUNK = 5000


class FoldFailed(RuntimeError):
    """A rebuild cannot fold the event at ``position`` into ``name``."""

    def __init__(self, name: str, position: int, error: BaseException) -> None:
        super().__init__(
            f"rebuild of {name}: cannot fold the event at position {position}: {error}"
        )
        self.name = name
        self.position = position


def refuse_older(p: Projection, live_version: int) -> None:
    """Old code never replaces a newer version's live generation (a rolling upgrade)."""
    if live_version > p.VERSION:
        raise ConcurrencyConflictError(
            f"{p.NAME}: version {live_version} is live and this code builds version "
            f"{p.VERSION}; rebuild it from the newer code"
        )


class Rebuild:
    """One blue/green rebuild of one or several projections, reading the ledger once."""

    def __init__(
        self,
        db: Database,
        events: EventSource,
        projections: Projection | Sequence[Projection],
        progress: Progress | None = None,
        *,
        chunk: int = CHUNK,
    ) -> None:
        self.db = db
        self.events = events
        self.projections = (
            [projections] if isinstance(projections, Projection) else list(projections)
        )
        self.progress = progress
        self.chunk = chunk
        self.started = time.monotonic()
        self.last_report = 0.0

    def run(self, *, wait: bool = False) -> None:
        with ExitStack() as locks:
            for p in sorted(self.projections, key=lambda p: p.NAME):
                locks.enter_context(rebuild_lock(self.db, p.NAME, wait=wait))
            session = self.db.connect()
            try:
                self._run(session)
            finally:
                self.db.release(session)

    def _log(self, event: str, generations: dict[str, int], **fields: Any) -> None:
        """One JSON line per rebuild start and finish, like the runners' per-batch lines."""
        line = {
            "rebuild": event,
            "projections": {
                p.NAME: {"version": p.VERSION, "generation": generations[p.NAME]}
                for p in self.projections
            },
            **fields,
        }
        log.info(json.dumps(line))

    def _run(self, session: Session) -> None:
        generations = {p.NAME: self._prepare(session, p) for p in self.projections}
        self._log("start", generations, head=self.events.head())
        rows: dict[str, Rows] = {p.NAME: {} for p in self.projections}
        written: dict[str, set[Key]] = {p.NAME: set() for p in self.projections}
        position = 0
        # The newest time of each projection's own events: whether a row can still change
        # is a claim about the events that fold into it, whatever other kinds say.
        newest: dict[str, datetime] = {}
        asked: dict[str, Any] = {}  # what each ``settled`` last read of its newest time
        topics = frozenset().union(*(p.TOPICS for p in self.projections))
        while True:
            last, batch, count = read_events(self.events, position, self.chunk, topics=topics)
            for p in self.projections:
                folded = rows[p.NAME]
                own = p.own(batch)
                for event_position, event in own:
                    try:
                        p.fold(folded, event, event_position)
                    except Exception as error:
                        raise FoldFailed(p.NAME, event_position, error) from error
                if own:
                    stamp = max(event.timestamp for _, event in own)
                    newest[p.NAME] = max(stamp, newest.get(p.NAME, stamp))
                if p.APPEND_ONLY:
                    settled = list(folded)
                else:
                    seen, settled = newest.get(p.NAME), []
                    if seen is not None and asked.get(p.NAME) != (mark := p.settles_by(seen)):
                        asked[p.NAME] = mark
                        settled = p.settled(folded, seen)
                if settled:
                    self._write(session, p, generations[p.NAME], folded, settled, written[p.NAME])
            position = last
            head = max(self.events.head(), position)
            now = time.monotonic()
            persist = now - self.last_report > 0.5 or count < self.chunk
            if persist:
                self.last_report = now
            for p in self.projections:
                self._report(session if persist else None, p, generations[p.NAME], position, head)
            if count < self.chunk:
                break
        for p in self.projections:
            generation = generations[p.NAME]
            folded = rows[p.NAME]
            p.complete(folded)
            self._write(session, p, generation, folded, list(folded), written[p.NAME])
            with session.transaction():
                p.add_indexes(session, p.table(generation))
            position = self._switch(session, p, generation, position)
        self._log(
            "finish",
            generations,
            position=position,
            seconds=round(time.monotonic() - self.started, 3),
        )

    def _write(
        self,
        session: Session,
        p: Projection,
        generation: int,
        rows: Rows,
        keys: list[Key],
        written: set[Key],
    ) -> None:
        """Bulk-inserts the rows of ``keys`` and forgets them (append-only rows are never
        seen again; a settled row seen again would mean commit skew beyond its horizon)."""
        if not keys:
            return
        if not p.APPEND_ONLY:
            again = written.intersection(keys)
            if again:
                raise RuntimeError(
                    f"rebuild of {p.NAME}: an event reached row {next(iter(again))} after it "
                    "was written out; the ledger's times are out of order by over a month"
                )
            written.update(keys)
        with session.transaction():
            session.copy_rows(
                p.table(generation),
                p.names(),
                (p.to_db(rows.pop(key), session) for key in keys),
            )

    def _prepare(self, session: Session, p: Projection) -> int:
        with session.transaction():
            live = entry(session, p.NAME, lock=True)
            assert live is not None, "storage not initialised"
            refuse_older(p, live.version)
            drop_leftovers(session, p, live.generation)
            generation = live.generation + 1
            p.create_table(session, p.table(generation), indexed=False)
            rebuild_started(session, p, generation, self.events.head())
        return generation

    def _switch(self, session: Session, p: Projection, generation: int, position: int) -> int:
        table = p.table(generation)
        while True:
            with session.transaction():
                live = entry(session, p.NAME, lock=True)
                assert live is not None
                refuse_older(p, live.version)
                last, batch, count = read_events(self.events, position, self.chunk, topics=p.TOPICS)
                p.apply(session, table, batch)
                position = last
                if count < self.chunk:
                    go_live(session, p, generation, position)
                    clear_failure(session, p.NAME)  # the new generation is past it
                    old = p.table(live.generation)
                    break
        with session.transaction():
            session.execute(f"DROP TABLE IF EXISTS {old}")
        self._report(None, p, generation, position, position, final=True)
        return position

    def _report(
        self,
        session: Session | None,
        p: Projection,
        generation: int,
        position: int,
        head: int,
        *,
        final: bool = False,
    ) -> None:
        """Progress to the callback; to ``rm_rebuilds`` too when given a session."""
        elapsed = max(time.monotonic() - self.started, 1e-6)
        rate = position / elapsed
        eta = (head - position) / rate if rate > 0 else None
        info = {
            "name": p.NAME,
            "position": position,
            "head": head,
            "events_per_s": round(rate, 1),
            "eta_s": None if eta is None else round(eta, 1),
            "done": final,
        }
        if self.progress is not None:
            self.progress(info)
        if session is not None:
            with session.transaction():
                rebuild_progressed(session, p, generation, position, head, rate)
