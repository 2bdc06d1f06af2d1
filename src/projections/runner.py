"""Keeping a projection up to date: batched catch-up and following the ledger.

A runner repeats ``projections.step.step`` (one batch, folded with its position, once)
and waits between catch-ups.

The ledger is known only as an ``application.events.EventSource``. Where runners may run in
several processes, one runner per projection and version is active (the dialect's
``following``: on PostgreSQL a session advisory lock); others wait as standbys and take over
when its session ends.

Mixed versions (a rolling upgrade): a runner writes only while the registry's live version
is its own, checked with the registry row locked in the transaction that writes. A newer
version's runner waits for its rebuild to go live; an older one, once a newer version is
live, steps down for good (``superseded``) and never writes into the newer generation.

Between catch-ups the runner waits as its dialect says: LISTEN/NOTIFY with a polling
timeout on PostgreSQL, a 50 ms poll on SQLite that ``wake`` cuts short. The runners of one
process read through one ``SharedReader`` (projections.event_reader).

An event a runner cannot apply (it cannot be decoded, folded or stored) stops that runner
at its position, and only that runner: it retries one notification per step to find the
event, records the position and the error (``projections.health``: the projection reports
``failing``) and tries again with a growing pause. The store being away is not such a
failure: the runner waits for it as before.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable

from application.events import EventSource
from projections.base import Projection
from projections.db import Database, Session
from projections.health import described, failing_at, record_failure
from projections.registry import entry
from projections.step import Known, StepFailed, log, step

# After a wake-up, wait this long so a burst of commands is applied as one batch rather
# than one transaction per command (which, inside the server, took half its throughput);
# a reader waiting on min_position cuts it short.
COALESCE = 0.1
# After a step caught up with a ledger still being written, this long before the next (under
# load, stepping at once cost a third of a delivery's CPU: a step per ~10 commands).
LINGER = 0.05
# A caught-up runner asks whether a newer version went live at most this often (seconds).
SUPERSEDED_CHECK = 1.0
# A runner that cannot apply an event tries again after this long, doubling up to the most.
RETRY_FIRST, RETRY_MOST = 1.0, 30.0


class Runner:
    """Follows the ledger for one projection until ``stop`` is set."""

    def __init__(
        self,
        db: Database,
        events: EventSource,
        projection: Projection,
        *,
        batch_size: int = 1000,
        on_progress: Callable[[], None] | None = None,
        on_rebuild_request: Callable[[], None] | None = None,
    ) -> None:
        self.db = db
        self.events = events
        self.projection = projection
        self.batch_size = batch_size
        self.wake = threading.Event()
        # Set by a reader waiting for a position (read-your-writes): skip the coalescing.
        self.hurry = threading.Event()
        self.on_progress = on_progress or (lambda: None)
        self.on_rebuild_request = on_rebuild_request
        self.active = False
        # Set once a newer version of this projection is live: this process runs old code.
        self.superseded = False
        # The registry entry its last step left (see ``step``).
        self.known = Known()
        self._next_check = 0.0  # monotonic time of the next superseded check
        # After an event could not be applied: how many notifications to take one at a time,
        # the pause before the next try and the position last reported failing.
        self._narrow = 0
        self._pause = RETRY_FIRST
        self._failed_at: int | None = None

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set() and not self.superseded:
            try:
                self._follow(stop)
            except StepFailed:
                self.active = False  # recorded and logged by ``_failed``
                stop.wait(self._pause)
                self._pause = min(self._pause * 2, RETRY_MOST)
            except Exception:
                log.exception("projection %s runner failed; retrying", self.projection.NAME)
                self.active = False
                stop.wait(1.0)

    def _coalesce(self, seconds: float = COALESCE) -> None:  # ok-float: seconds
        """Lets a burst of commands gather into one batch, unless a reader waits."""
        self.hurry.wait(seconds)
        self.hurry.clear()

    def _catch_up(self, session: Session, stop: threading.Event) -> None:
        while not stop.is_set():
            # After a batch failed: one notification per step until past it, to find the
            # event at fault and apply every one before it.
            size = 1 if self._narrow else self.batch_size
            try:
                consumed = step(
                    session, self.events, self.projection, size, self.on_rebuild_request, self.known
                )
            except StepFailed as failed:
                if size > 1:
                    self._narrow = self.batch_size
                    continue
                self._failed(session, failed)
                raise
            if consumed:
                self.on_progress()
            if consumed > 0:
                self._pause = RETRY_FIRST
                self._narrow = max(self._narrow - consumed, 0)
            if 0 < consumed < size:
                self._coalesce(LINGER)
            if consumed == 0:
                self._check_superseded(session)
                return

    def _failed(self, session: Session, failed: StepFailed) -> None:
        """Records that the event after ``failed.after`` cannot be applied (the projection
        reports ``failing``); logs the error in full once per position."""
        found = self.events.read(failed.after, 1)
        position = found[0].position if found else failed.after + 1
        line = {
            "projection": self.projection.NAME,
            "failing": position,
            "error": described(failed.cause),
            "retry_s": self._pause,
        }
        if self._failed_at != position:
            log.error(json.dumps(line), exc_info=failed.cause)
        else:
            log.warning(json.dumps(line))
        self._failed_at = position
        try:
            record_failure(session, self.projection, position, failed.cause)
        except Exception:
            log.exception("projection %s: could not record its failure", self.projection.NAME)
        self.known.failing = position

    def _check_superseded(self, session: Session) -> None:
        """Steps down for good once a newer version of the projection is live (looked up
        at most every ``SUPERSEDED_CHECK`` seconds: until then ``step`` writes nothing into
        another version's generation anyway)."""
        now = time.monotonic()
        if now < self._next_check:
            return
        self._next_check = now + SUPERSEDED_CHECK
        live = entry(session, self.projection.NAME)
        if live is None or live.version <= self.projection.VERSION:
            return
        self.superseded = True
        log.warning(
            json.dumps(
                {
                    "projection": self.projection.NAME,
                    "superseded": True,
                    "live_version": live.version,
                    "code_version": self.projection.VERSION,
                }
            )
        )

    def _follow(self, stop: threading.Event) -> None:
        # One active runner per projection *and version*: an old-code worker keeps the old
        # generation up to date while a new-code one waits for its rebuild to go live.
        name = f"{self.projection.NAME}:v{self.projection.VERSION}"
        self.known = Known()  # a runner taking over reads the registry afresh
        session = self.db.connect()
        try:
            with self.db.dialect.following(name, stop) as wait:
                if wait is None:
                    return
                self.active = True
                self.known.failing = failing_at(session, self.projection.NAME)
                while not stop.is_set() and not self.superseded:
                    self._catch_up(session, stop)
                    if wait(self.wake):
                        self._coalesce()
                    self.wake.clear()
        finally:
            self.active = False
            self.db.release(session)
