"""Keeping a projection up to date: batched catch-up and following the ledger.

A step reads up to ``batch`` notifications after the projection's position, decodes only
movement events, and in one transaction — moving the registry row's position only from
the one it read — writes the folded rows and the new position (the id of the last notification
read, movement or not). A crash anywhere rolls both back, so nothing is lost or applied
twice. Ids are read strictly in order; on PostgreSQL the recorder's table lock makes commit
order equal id order, so an event committed later can never have a smaller id than one
already read (gaps from rolled-back inserts are simply never filled).

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

A runner remembers the registry entry it wrote last (``Known``) and starts from it; the
writing transaction moves the position by an UPDATE matching only that entry, so an entry
moved meanwhile (a switch-over) costs one wasted read, never a wrong write.

An event a runner cannot apply (it cannot be decoded, folded or stored) stops that runner
at its position, and only that runner: it retries one notification per step to find the
event, records the position and the error (``projections.health``: the projection reports
``failing``) and tries again with a growing pause. The store being away is not such a
failure: the runner waits for it as before.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import replace

from eventsourcing.persistence import InterfaceError as LedgerInterfaceError
from eventsourcing.persistence import OperationalError as LedgerOperationalError

from application.events import EventSource
from projections.base import Batch, Projection
from projections.db import Database, Session
from projections.event_reader import read_events
from projections.health import clear_failure, described, failing_at, record_failure
from projections.registry import Entry, entry, rebuild_requested, set_position

log = logging.getLogger("stockledger.projections")

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
# The ledger's store away (the event store's errors): waited for, never a failing event.
LEDGER_AWAY = (LedgerOperationalError, LedgerInterfaceError)


class StepFailed(Exception):
    """A step could not apply what it read after ``after`` (the cause is chained)."""

    def __init__(self, after: int, cause: BaseException) -> None:
        super().__init__(f"after position {after}: {cause}")
        self.after = after
        self.cause = cause


class Known:
    """The registry entry a runner's last step left (None: read it from the registry), and
    the position its projection is recorded failing at (None: not failing)."""

    def __init__(self) -> None:
        self.entry: Entry | None = None
        self.failing: int | None = None


def step(
    session: Session,
    events: EventSource,
    projection: Projection,
    batch_size: int,
    on_rebuild_request: Callable[[], None] | None = None,
    known: Known | None = None,
) -> int:
    """Applies one batch; returns how many notifications it consumed (0: caught up).

    A rebuild request for this projection found in the batch calls ``on_rebuild_request``
    once the batch has committed. ``known``: the entry the previous step left, used instead
    of an unlocked registry read (module docstring), and updated."""
    remembered, known = (known.entry, known) if known is not None else (None, Known())
    known.entry = None  # set again below only where this step knows the entry
    current = remembered or entry(session, projection.NAME)
    assert current is not None
    if current.version != projection.VERSION:
        return 0  # another version's generation is live: not ours to write (see below)
    started = time.perf_counter()
    requests: list[str] = []
    away: tuple[type[Exception], ...] = (*session.dialect.transient, *LEDGER_AWAY)
    try:
        last, batch, count = read_events(
            events, current.position, batch_size, requests, projection.TOPICS
        )
        if count == 0:
            known.entry = current
            return 0
        written = _write(session, projection, current, last, batch, requests, known)
    except away:
        raise
    except Exception as error:
        raise StepFailed(current.position, error) from error
    if isinstance(written, int):
        return written
    known.entry = written
    if known.failing is not None and last >= known.failing:
        known.failing = None
    if on_rebuild_request is not None and projection.NAME in requests:
        on_rebuild_request()
    log.info(
        json.dumps(
            {
                "projection": projection.NAME,
                "from": current.position + 1,
                "to": last,
                "events": len(batch),
                "notifications": count,
                "seconds": round(time.perf_counter() - started, 4),
            }
        )
    )
    return count


def _write(
    session: Session,
    projection: Projection,
    current: Entry,
    last: int,
    batch: Batch,
    requests: list[str],
    known: Known,
) -> Entry | int:
    """The transaction of a step: the batch's rows and the new position, with the registry
    row locked; the entry it wrote, or what ``step`` answers instead (0: not ours to write,
    -1: moved meanwhile).

    The position moves first, by an UPDATE that matches only the entry the step read
    (``_advance``): it locks the row and checks it in one statement. A batch with no row
    for the projection (no event of its topics, or none it keys: a delivery for the food
    cost) needs no more, so it is that statement alone, with no transaction around it.
    Only when it matches nothing is the row read, locked, to say why."""
    failing = known.failing is not None and last >= known.failing
    asked = projection.NAME in requests
    touched = any(projection.keys_of(event, position) for position, event in batch)
    if not touched and not failing and not asked and _advance(session, projection, current, last):
        return replace(current, position=last)
    with session.transaction():
        locked = current
        if not _advance(session, projection, current, last):
            found = entry(session, projection.NAME, lock=True)
            assert found is not None
            if found.version != projection.VERSION:
                # Checked with the row locked, in the transaction that writes: a runner
                # never writes into a generation built by another version of the code (a
                # newer one went live meanwhile, or an older one still serves until our
                # rebuild is done).
                return 0
            if found.position != current.position or found.generation != current.generation:
                return -1  # someone else moved it (a switch-over, another runner): read again
            if found.schema != projection.schema():
                # The live table has another shape: it keeps serving what it has until the
                # background rebuild replaces it.
                return 0
            locked = found
            set_position(session, projection.NAME, last)
        projection.apply(session, projection.table(locked.generation), batch)
        if failing:
            clear_failure(session, projection.NAME)
        if asked:
            rebuild_requested(session, projection, locked.generation + 1, last)
        return replace(locked, position=last)


def _advance(session: Session, projection: Projection, current: Entry, last: int) -> bool:
    """Moves the registry's position to ``last`` if the entry is still ``current`` with this
    code's version and row shape (the row stays locked to the end of the transaction)."""
    moved = session.execute(
        "UPDATE rm_registry SET position = ? WHERE name = ? AND version = ? AND generation = ?"
        " AND position = ? AND schema = ? RETURNING position",
        (last, projection.NAME, projection.VERSION, current.generation, current.position,
         projection.schema()),
    )  # fmt: skip
    return bool(moved)


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

    def _coalesce(self, seconds: float = COALESCE) -> None:
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
