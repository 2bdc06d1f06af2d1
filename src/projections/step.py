"""One step of a projection: a batch of the ledger folded, with its position, exactly once.

A step reads up to ``batch`` notifications after the projection's position, decodes only
movement events, and in one transaction — moving the registry row's position only from
the one it read — writes the folded rows and the new position (the id of the last notification
read, movement or not). A crash anywhere rolls both back, so nothing is lost or applied
twice. Ids are read strictly in order; on PostgreSQL the recorder's table lock makes commit
order equal id order, so an event committed later can never have a smaller id than one
already read (gaps from rolled-back inserts are simply never filled).

A runner remembers the registry entry it wrote last (``Known``) and starts from it; the
writing transaction moves the position by an UPDATE matching only that entry, so an entry
moved meanwhile (a switch-over) costs one wasted read, never a wrong write.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import replace

from eventsourcing.persistence import InterfaceError as LedgerInterfaceError
from eventsourcing.persistence import OperationalError as LedgerOperationalError

from application.events import EventSource
from projections.base import Batch, Projection
from projections.db import Session
from projections.event_reader import read_events
from projections.health import clear_failure
from projections.registry import Entry, entry, rebuild_requested, set_position

log = logging.getLogger("stockledger.projections")

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
