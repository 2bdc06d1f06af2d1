"""How each read model is doing, as ``/api/projections``, the metrics and the console tell
it: ``failing``, ``rebuilding``, ``stopped``, ``catching_up`` or ``live``.

- ``failing``: its runner could not apply the event at a position (``rm_failures`` holds
  the position, the error and since when). The runner records it outside the transaction
  that failed and retries; the row goes in the transaction that applies past it, or when a
  rebuild goes live.
- ``rebuilding``: a rebuild reports progress (``rm_rebuilds``), a rebuild request is in the
  ledger that its runner has not read yet, or the live generation is older than the code.
- ``stopped``: no runner, in any process, follows the ledger for it (a tenant without a
  worker, a worker that died): it falls behind with every write (``lag`` says how far).
- ``catching_up``: more than ``CATCHING_UP`` events behind.

The first that applies wins. A store created before ``rm_failures`` existed reads as having
no failures until a runner (which may create tables) records one.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from application.events import EventSource
from projections.base import Projection
from projections.db import Database, Session
from projections.event_reader import REBUILD_REQUESTED
from projections.registry import (
    CATCHING_UP,
    FAILURES_DDL,
    REBUILD_STALE_S,
    entry,
    rebuilds,
)
from projections.registry import FAILURES as TABLE

# An error as recorded: its first characters, without what a TEXT column cannot hold.
MAX_ERROR = 500


@dataclass(frozen=True)
class Failure:
    """A projection's runner cannot apply the event at ``position`` (since: epoch s)."""

    name: str
    version: int
    position: int
    error: str
    since: float  # ok-float: epoch seconds

    def body(self) -> dict[str, Any]:
        since = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.since))
        return {"position": self.position, "error": self.error, "since": since}


def described(error: BaseException) -> str:
    """``error`` as one line for the record: its type and message, shortened."""
    text = f"{type(error).__name__}: {error}".replace("\x00", "\\x00")
    text = " ".join(text.split())
    return text if len(text) <= MAX_ERROR else text[: MAX_ERROR - 1] + "…"


def failures(session: Session) -> dict[str, Failure]:
    """The recorded failures by projection name (none where the table is not made yet)."""
    if TABLE not in session.tables(TABLE):
        return {}
    rows = session.execute(f"SELECT name, version, position, error, since FROM {TABLE}")
    return {
        str(n): Failure(str(n), int(v), int(p), str(e), float(s))  # ok-float: epoch seconds
        for n, v, p, e, s in rows
    }


def ensure_table(db: Database) -> None:
    """Makes ``rm_failures`` in a store registered before it existed, where this login may
    (the projector's and the owner's may; the API's need not: it reads the table once a
    runner or ``db migrate`` has made it, and reads no failures before)."""
    try:
        with db.session() as session:
            if TABLE not in session.tables(TABLE):
                session.execute(FAILURES_DDL)
    except db.dialect.errors:
        pass


def record_failure(session: Session, p: Projection, position: int, error: BaseException) -> None:
    """Records (or renews) that ``p`` cannot apply the event at ``position``; ``since``
    stays that of the first attempt at the same position."""
    now = time.time()
    with session.transaction():
        session.execute(FAILURES_DDL)
        found = session.execute(f"SELECT position, since FROM {TABLE} WHERE name = ?", (p.NAME,))
        since = now
        if found and int(found[0][0]) == position:
            since = float(found[0][1])  # ok-float: seconds since the epoch, not a figure
        session.execute(f"DELETE FROM {TABLE} WHERE name = ?", (p.NAME,))
        session.execute(
            f"INSERT INTO {TABLE} (name, version, position, error, since, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (p.NAME, p.VERSION, position, described(error), since, now),
        )


def failing_at(session: Session, name: str) -> int | None:
    """The position ``name`` is recorded failing at, if it is."""
    found = failures(session).get(name)
    return None if found is None else found.position


def clear_failure(session: Session, name: str) -> None:
    """Inside the transaction that applied past the failure (or made a generation live)."""
    if TABLE in session.tables(TABLE):
        session.execute(f"DELETE FROM {TABLE} WHERE name = ?", (name,))


def pending_requests(events: EventSource, positions: dict[str, int], head: int) -> set[str]:
    """The projections named by a rebuild request their runner has not read yet (looked
    for only among the last ``CATCHING_UP`` events: further behind is ``catching_up``)."""
    near = [position for position in positions.values() if head - position <= CATCHING_UP]
    if not near:
        return set()
    found = events.read(min(near), CATCHING_UP + 1, upto=head, topics=(REBUILD_REQUESTED,))
    pending = set()
    for recorded in found:
        name = recorded.event().projection
        if recorded.position > positions.get(name, head):
            pending.add(name)
    return pending


def runner_name(name: str, version: int) -> str:
    """What the runner of ``name`` at ``version`` follows under (``Dialect.following``)."""
    return f"{name}:v{version}"


def statuses(
    session: Session,
    projections: Iterable[Projection],
    head: int,
    events: EventSource | None = None,
) -> list[dict[str, Any]]:
    """Each projection's state as the registry tells it, in any process and whatever its
    code: ``version`` is the live one, ``code_version`` this process's; a version newer than
    the live one is being (or about to be) built; an older process sees the newer one live.
    With ``events``, a rebuild requested and not yet read counts as ``rebuilding``."""
    chosen = list(projections)
    # The registry first: a runner that reads a rebuild request writes its position and the
    # request's progress row in one transaction, so whichever of the two this sees, the
    # request shows (pending in the ledger, or in progress).
    entries = {p.NAME: entry(session, p.NAME) for p in chosen}
    running_now = rebuilds(session)
    failed = failures(session)
    positions = {name: e.position for name, e in entries.items() if e is not None}
    pending = pending_requests(events, positions, head) if events is not None else set()
    names = [runner_name(name, e.version) for name, e in entries.items() if e is not None]
    following = session.dialect.followed(session.conn, names)
    out = []
    for p in chosen:
        current = entries[p.NAME]
        assert current is not None
        lag = max(head - current.position, 0)
        running = running_now.get(p.NAME)
        fresh = running is not None and time.time() - running.updated_at < REBUILD_STALE_S
        rebuild = None
        if running is not None and fresh:
            rebuild = {
                "position": running.position,
                "head": max(running.head, head),
                "events_per_s": round(running.events_per_s, 1),
                "version": running.version,
            }
        failure = failed.get(p.NAME)
        followed = runner_name(p.NAME, current.version) in following
        if failure is not None and failure.position > current.position:
            state = "failing"
        elif fresh or current.version < p.VERSION or p.NAME in pending:
            state = "rebuilding"
        elif not followed:
            state = "stopped"
        elif lag > CATCHING_UP:
            state = "catching_up"
        else:
            state = "live"
        out.append(
            {
                "name": p.NAME,
                "version": current.version,
                "code_version": p.VERSION,
                "position": current.position,
                "head": head,
                "lag": lag,
                "state": state,
                "rebuild": rebuild,
                "failing": failure.body() if state == "failing" and failure else None,
            }
        )
    return out
