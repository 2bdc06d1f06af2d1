"""The registry: per read model, the live table generation, the version that built it, its
row-shape signature and its position (the last ledger notification it has read); and the
progress of rebuilds under way.

``rm_registry`` has one row per projection. A batch's rows and the new position are written
in one transaction while the registry row is locked, so an event is applied exactly once and
a rebuild's switch-over (new generation, version and position in one UPDATE) is atomic.
``rm_rebuilds`` holds one progress row per rebuild running, for status in any process (what
status makes of them: ``projections.health``).
Generation tables other than the live one belong to a rebuild: one under way (it holds the
rebuild lock) or one that died, whose tables are dropped by the next runner or rebuild.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass

from application.errors import ConcurrencyConflictError
from projections.base import Projection
from projections.db import Database, Session

log = logging.getLogger("stockledger.projections")

# Beyond this many unread notifications a projection reports "catching_up".
CATCHING_UP = 1000
# A rebuild that has not reported for this long is considered dead (its process was killed).
REBUILD_STALE_S = 15.0

# What a runner could not apply: projections.health.
FAILURES = "rm_failures"
FAILURES_DDL = (
    f"CREATE TABLE IF NOT EXISTS {FAILURES} (name TEXT PRIMARY KEY, version INTEGER NOT NULL, "
    "position BIGINT NOT NULL, error TEXT NOT NULL, since DOUBLE PRECISION NOT NULL, "
    "updated_at DOUBLE PRECISION NOT NULL)"
)
DDL = (
    "CREATE TABLE IF NOT EXISTS rm_registry (name TEXT PRIMARY KEY, version INTEGER NOT NULL, "
    "generation INTEGER NOT NULL, position BIGINT NOT NULL, schema TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS rm_rebuilds (name TEXT PRIMARY KEY, version INTEGER NOT NULL, "
    "generation INTEGER NOT NULL, position BIGINT NOT NULL, head BIGINT NOT NULL, "
    "events_per_s DOUBLE PRECISION NOT NULL, eta_s DOUBLE PRECISION, "
    "updated_at DOUBLE PRECISION NOT NULL)",
    FAILURES_DDL,
)


@dataclass(frozen=True)
class Entry:
    name: str
    version: int
    generation: int
    position: int
    schema: str


@dataclass(frozen=True)
class RebuildState:
    """A rebuild's last reported progress (``updated_at``: epoch seconds)."""

    name: str
    version: int
    position: int
    head: int
    events_per_s: float  # ok-float: a rate
    updated_at: float  # ok-float: epoch seconds


def entry(session: Session, name: str, *, lock: bool = False) -> Entry | None:
    """The registry row of ``name``; ``lock`` holds it until the transaction ends."""
    rows = session.execute(
        "SELECT name, version, generation, position, schema FROM rm_registry WHERE name = ?"
        + (session.dialect.for_update if lock else ""),
        (name,),
    )
    if not rows:
        return None
    name_, version, generation, position, schema = rows[0]
    return Entry(str(name_), int(version), int(generation), int(position), str(schema))


def register(session: Session, projections: Iterable[Projection]) -> None:
    """The registry, and a row and first generation for each projection not in it yet."""
    for statement in DDL:
        session.execute(statement)
    for p in projections:
        if entry(session, p.NAME) is None:
            p.create_table(session, p.table(1))
            session.execute(
                "INSERT INTO rm_registry (name, version, generation, position, schema) "
                "VALUES (?, ?, 1, 0, ?)",
                (p.NAME, p.VERSION, p.schema()),
            )


def set_position(session: Session, name: str, position: int) -> None:
    session.execute("UPDATE rm_registry SET position = ? WHERE name = ?", (position, name))


def go_live(session: Session, p: Projection, generation: int, position: int) -> None:
    """Points the registry at a rebuilt generation (with the row locked) and ends its
    rebuild's progress row."""
    session.execute(
        "UPDATE rm_registry SET version = ?, generation = ?, position = ?, schema = ? "
        "WHERE name = ?",
        (p.VERSION, generation, position, p.schema(), p.NAME),
    )
    session.execute("DELETE FROM rm_rebuilds WHERE name = ?", (p.NAME,))


def positions(session: Session) -> dict[str, int]:
    return {str(n): int(p) for n, p in session.execute("SELECT name, position FROM rm_registry")}


# -- rebuild state -----------------------------------------------------------------------------


def rebuild_lock(db: Database, name: str, *, wait: bool) -> AbstractContextManager[None]:
    """Exactly one rebuild of a projection at a time, across processes; released on death."""
    return db.dialect.rebuild_lock(name, wait=wait)


def rebuild_started(session: Session, p: Projection, generation: int, head: int) -> None:
    session.execute("DELETE FROM rm_rebuilds WHERE name = ?", (p.NAME,))
    session.execute(
        "INSERT INTO rm_rebuilds (name, version, generation, position, head, "
        "events_per_s, eta_s, updated_at) VALUES (?, ?, ?, 0, ?, 0, NULL, ?)",
        (p.NAME, p.VERSION, generation, head, time.time()),
    )


def rebuild_progressed(
    session: Session,
    p: Projection,
    generation: int,
    position: int,
    head: int,
    rate: float,  # ok-float: events per second
) -> None:
    eta = (head - position) / rate if rate > 0 else None
    session.execute(
        "UPDATE rm_rebuilds SET position = ?, head = ?, events_per_s = ?, "
        "eta_s = ?, updated_at = ? WHERE name = ? AND generation = ?",
        (position, head, rate, eta, time.time(), p.NAME, generation),
    )


def rebuild_requested(session: Session, p: Projection, generation: int, head: int) -> None:
    """In the transaction of the runner that read a rebuild request: the rebuild counts as
    under way until the thread it starts reports (``rebuild_started`` replaces this row),
    unless one is already running. Stale after ``REBUILD_STALE_S`` if it never starts."""
    now = time.time()
    session.execute(  # what a dead rebuild left is no rebuild running
        "DELETE FROM rm_rebuilds WHERE name = ? AND updated_at < ?",
        (p.NAME, now - REBUILD_STALE_S),
    )
    session.execute(
        "INSERT INTO rm_rebuilds (name, version, generation, position, head, "
        "events_per_s, eta_s, updated_at) VALUES (?, ?, ?, 0, ?, 0, NULL, ?) "
        "ON CONFLICT (name) DO NOTHING",
        (p.NAME, p.VERSION, generation, head, now),
    )


def rebuilds(session: Session) -> dict[str, RebuildState]:
    rows = session.execute(
        "SELECT name, version, position, head, events_per_s, updated_at FROM rm_rebuilds"
    )
    found = {}
    for name, version, position, head, rate, updated in rows:
        seconds = float(rate), float(updated)  # ok-float: events/s and epoch seconds
        found[str(name)] = RebuildState(str(name), int(version), int(position), int(head), *seconds)
    return found


def drop_leftovers(session: Session, p: Projection, live_generation: int) -> list[str]:
    """Drops every generation table of ``p`` but the live one, and the progress row: what
    a dead rebuild left. Only with the projection's rebuild lock held."""
    dropped = [t for t in session.tables(f"rm_{p.NAME}_g") if t != p.table(live_generation)]
    for table in dropped:
        session.execute(f"DROP TABLE {table}")
    session.execute("DELETE FROM rm_rebuilds WHERE name = ?", (p.NAME,))
    return dropped


def clean_abandoned(db: Database, p: Projection) -> list[str]:
    """At a runner's start: drops the partial tables of an interrupted rebuild, unless a
    rebuild of ``p`` is running now (in any process). Returns the tables dropped."""
    try:
        with (
            rebuild_lock(db, p.NAME, wait=False),
            db.session() as session,
            session.transaction(),
        ):
            live = entry(session, p.NAME, lock=True)
            assert live is not None, "storage not initialised"
            dropped = drop_leftovers(session, p, live.generation)
    except ConcurrencyConflictError:
        return []  # a rebuild is under way: its tables are not leftovers
    if dropped:
        log.info(json.dumps({"rebuild": "cleaned", "projection": p.NAME, "dropped": dropped}))
    return dropped
