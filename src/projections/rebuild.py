"""Blue/green rebuild: fresh table generations built from position 0 beside the live ones.

1. Take each projection's rebuild lock (the dialect's: an advisory lock, or a file lock),
   drop leftovers of an interrupted rebuild and create generation N+1 — where the dialect
   defers indexes, without its key and indexes, which are built once after the bulk load.
2. Bulk phase (``projections.bulk``): read the ledger once, in chunks, by topic, and fold
   every event into each projection being rebuilt, in memory. Rows that can no longer
   change are bulk-inserted as they settle — movements chunk by chunk, COGS rows once their
   period is two months behind — the rest once at the end (the dialect's bulk load), so
   memory stays flat however long the ledger. Given ``open_events``, a
   rebuild of several projections spreads them over ``processes`` processes, each reading
   the ledger for its own group (``projections.rebuild_split``).
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
from typing import Any

from application.errors import ConcurrencyConflictError
from application.events import EventSource
from projections.base import Projection
from projections.bulk import FoldFailed, Target, bulk_load
from projections.db import Database, Session
from projections.event_reader import read_events
from projections.health import clear_failure
from projections.rebuild_split import Helpers, OpenEvents, split
from projections.registry import (
    drop_leftovers,
    entry,
    go_live,
    rebuild_lock,
    rebuild_progressed,
    rebuild_started,
)
from projections.step import log

__all__ = ["CHUNK", "FoldFailed", "Rebuild", "refuse_older"]

Progress = Callable[[dict[str, Any]], None]
CHUNK = 5000


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
        open_events: OpenEvents | None = None,
        processes: int = 2,
    ) -> None:
        self.db = db
        self.events = events
        self.projections = (
            [projections] if isinstance(projections, Projection) else list(projections)
        )
        self.progress = progress
        self.chunk = chunk
        # With ``open_events``, the bulk phase of several projections runs in up to
        # ``processes`` processes (projections.rebuild_split); without, in this one.
        self.open_events = open_events
        self.processes = processes if open_events is not None else 1
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
        groups = split(self.projections, self.processes)
        reached: dict[str, int] = {}  # where each projection's bulk phase ended
        helpers = None
        if len(groups) > 1:
            assert self.open_events is not None
            settings = self.db.settings
            helpers = Helpers(settings, self.open_events, groups[1:], generations, self.chunk)
            helpers.start()
        try:
            own = groups[0]

            def progressed(position: int, last: bool) -> None:
                self._progressed(session, own, generations, position, last)
                if helpers is not None:
                    helpers.poll(self._helper_progressed(generations))

            targets = [Target(p, generations[p.NAME]) for p in own]
            position = bulk_load(session, self.events, targets, self.chunk, progressed)
            reached.update((p.NAME, position) for p in own)
            if helpers is not None:
                helpers.poll(self._helper_progressed(generations), wait=True)
                for number, group in enumerate(groups[1:]):
                    reached.update((p.NAME, helpers.position(number)) for p in group)
        finally:
            if helpers is not None:
                helpers.stop()
        for p in self.projections:
            position = self._switch(session, p, generations[p.NAME], reached[p.NAME])
        self._log(
            "finish",
            generations,
            position=position,
            seconds=round(time.monotonic() - self.started, 3),
        )

    def _progressed(
        self,
        session: Session,
        group: Sequence[Projection],
        generations: dict[str, int],
        position: int,
        last: bool,
    ) -> None:
        """After a page of the bulk phase: progress of ``group``, kept in ``rm_rebuilds``
        every half second and at the last page."""
        head = max(self.events.head(), position)
        now = time.monotonic()
        persist = now - self.last_report > 0.5 or last
        if persist:
            self.last_report = now
        for p in group:
            self._report(session if persist else None, p, generations[p.NAME], position, head)

    def _helper_progressed(self, generations: dict[str, int]) -> Callable[[str, int, int], None]:
        """A helper's progress, to the callback (``rm_rebuilds`` is written at the switch)."""
        by_name = {p.NAME: p for p in self.projections}

        def progressed(name: str, position: int, head: int) -> None:
            self._report(None, by_name[name], generations[name], position, head)

        return progressed

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
