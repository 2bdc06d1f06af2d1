"""``verify``: the ledger against itself and every read model against the ledger (SPEC §7).

1. One pass over the ledger: every position's hash chain (each movement's hash recomputed
   from its fields, its ``prev_hash`` equal to the previous movement's hash of the same
   position, the first one ``GENESIS_HASH``), its arithmetic and §3 invariants, its anchor
   (the MACs, with the ledger key: projections.integrity), and every closed period's digest
   and totals at the position it was closed at; then every snapshot against the events.
2. Per projection: whether it keeps up — a projection whose runner cannot apply an event
   (``failing``), one that has read nothing of a ledger holding its events (its read models
   missing: a ledger restored without them), one more than ``max_lag`` events behind the
   head (STOCKLEDGER_VERIFY_MAX_LAG, default ``MAX_LAG``) and one ahead of the ledger are
   discrepancies; a smaller lag is a note. Then, inside one read snapshot, take its position
   and compare its rows with a fold of the ledger up to that position, built in memory (the
   scratch space). Append-only rows are compared chunk by chunk so memory stays flat.

The first discrepancies (at most ``MAX_PROBLEMS``) are reported with their position. The
read models are checked against an ``application.events.EventSource``; the ledger's own
checks read the closes and snapshots through ``AuditedLedger``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from application.events import EventSource
from application.periods import LedgerFold, check_close, read_upto
from domain.books import Books
from projections.base import Projection, Rows
from projections.db import Database, Session
from projections.event_reader import read_events
from projections.health import Failure, described, failures
from projections.integrity import PositionChecks, SnapshotSource, check_snapshots
from projections.registry import CATCHING_UP, entry

MAX_PROBLEMS = 20
# A read model further behind the ledger's head than this many events is a discrepancy:
# the same bound as the "catching_up" state (projections.registry.CATCHING_UP).
MAX_LAG = CATCHING_UP
Progress = Callable[[str, int, int], None]


class AuditedLedger(SnapshotSource, Protocol):
    """What verify reads of the ledger beyond its events: the recorded period closes and
    the snapshot store (the digest fold reads the events through the ``EventSource``)."""

    def books(self) -> Books: ...


@dataclass
class VerifyReport:
    problems: list[str] = field(default_factory=list)
    # What verify could not check, or checked only partly (not discrepancies).
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def add(self, problem: str) -> bool:
        """Records a problem; False once enough have been found."""
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(problem)
        return len(self.problems) < MAX_PROBLEMS


def verify(
    db: Database,
    events: EventSource,
    ledger: AuditedLedger,
    projections: Sequence[Projection],
    zone: ZoneInfo,
    progress: Progress | None = None,
    keys: Sequence[bytes] = (),
    max_lag: int = MAX_LAG,
) -> VerifyReport:
    """``keys``: the ledger keys (STOCKLEDGER_LEDGER_KEY) to check the movements' MACs with;
    ``max_lag``: how far behind the head a read model may be without being a discrepancy."""
    report = VerifyReport()
    tell = progress or (lambda stage, position, head: None)
    check_ledger(events, ledger, zone, report, tell, keys)
    for problem in check_snapshots(ledger):
        report.add(problem)
    session = db.connect()
    try:
        head = events.head()
        failed = failures(session)
        for projection in projections:
            check_progress(
                session, events, projection, head, failed.get(projection.NAME), max_lag, report
            )
            check_projection(session, events, projection, report, tell)
    finally:
        db.release(session)
    return report


def check_progress(
    session: Session,
    events: EventSource,
    projection: Projection,
    head: int,
    failure: Failure | None,
    max_lag: int,
    report: VerifyReport,
) -> None:
    """Whether the read model keeps up with the ledger (module docstring, 2.)."""
    name = projection.NAME
    current = entry(session, name)
    if current is None:
        return  # check_projection reports it
    position = current.position
    if failure is not None and failure.position > position:
        since = failure.body()["since"]
        report.add(
            f"{name}: failing: its runner cannot apply the event at position "
            f"{failure.position} (since {since}): {failure.error}"
        )
    if position > head:
        report.add(
            f"{name}: at position {position}, beyond the ledger's head {head}: the read "
            "models are newer than the ledger (restored from another backup?); rebuild them"
        )
    elif position == 0 and head > 0 and events.read(0, 1, upto=head, topics=projection.TOPICS):
        report.add(
            f"{name}: empty: it has read none of the ledger's {head} events (its read models "
            "are missing, e.g. a ledger restored without them); rebuild them"
        )
    elif head - position > max_lag:
        report.add(
            f"{name}: {head - position} events behind the ledger's head {head} (more than "
            f"{max_lag}): no runner follows it, or it is far behind; rows checked up to "
            f"position {position} only"
        )
    elif position < head:
        report.notes.append(
            f"{name}: {head - position} events behind the head: rows checked up to "
            f"position {position}"
        )


def check_ledger(
    events: EventSource,
    ledger: AuditedLedger,
    zone: ZoneInfo,
    report: VerifyReport,
    tell: Progress,
    keys: Sequence[bytes] = (),
) -> None:
    head = events.head()
    closes = sorted(ledger.books().closes.values(), key=lambda c: c.position)
    fold = LedgerFold(zone)
    checks = PositionChecks(keys)
    for note in read_upto(events, head):
        at = note.position
        while closes and closes[0].position < at:
            for problem in check_close(fold, closes.pop(0)):
                report.add(problem)
        try:
            event = fold.feed(note)
        except Exception as error:  # a rewritten event: report it, check on
            report.add(f"position {at}: the event cannot be read or folded: {described(error)}")
            continue
        if event is not None:
            where = f"position {at} ({event.sku}@{event.location} v{event.originator_version})"
            for problem in checks.feed(event, where):
                report.add(problem)
        if at % 5000 == 0:
            tell("ledger", at, head)
    for close in closes:
        for problem in check_close(fold, close):
            report.add(problem)
    problems, notes = checks.finish()
    for problem in problems:
        report.add(problem)
    report.notes.extend(notes)
    tell("ledger", head, head)


def _describe(projection: Projection, key: tuple[Any, ...], row: dict[str, Any] | None) -> str:
    keys = ", ".join(f"{n}={v}" for n, v in zip(projection.KEY, key, strict=True))
    where = f"{projection.NAME} row ({keys})"
    if row is not None and "last_position" in row:
        where += f" last changed at position {row['last_position']}"
    return where


def compare(projection: Projection, expected: Rows, live: Rows, report: VerifyReport) -> bool:
    for key in sorted(set(expected) | set(live), key=repr):
        want, have = expected.get(key), live.get(key)
        if want == have:
            continue
        if have is None:
            problem = f"{_describe(projection, key, want)}: missing from the read model"
        elif want is None:
            problem = f"{_describe(projection, key, have)}: not produced by the ledger"
        else:
            diff = [n for n in projection.names() if want[n] != have[n]]
            problem = f"{_describe(projection, key, want)}: " + ", ".join(
                f"{n} is {have[n]}, ledger gives {want[n]}" for n in diff
            )
        if not report.add(problem):
            return False
    return True


def check_projection(
    session: Session,
    events: EventSource,
    projection: Projection,
    report: VerifyReport,
    tell: Progress,
) -> None:
    name = projection.NAME
    with session.transaction(write=False):
        live_entry = entry(session, name)
        if live_entry is None:
            report.add(f"{name}: no read model")
            return
        if live_entry.schema != projection.schema():
            report.add(f"{name}: live table has another shape (a rebuild is pending)")
            return
        table = projection.table(live_entry.generation)
        if table not in session.tables(table):
            report.add(f"{name}: read model table {table} is missing")
            return
        upto = live_entry.position
        rows: Rows = {}
        position = 0
        while position < upto:
            try:
                last, batch, count = read_events(events, position, 5000, topics=projection.TOPICS)
            except Exception as error:
                report.add(
                    f"{name}: the events after position {position} cannot be read: "
                    f"{described(error)}"
                )
                return
            if count == 0:
                break
            batch = [(p, e) for p, e in batch if p <= upto]
            for event_position, event in batch:
                try:
                    projection.fold(rows, event, event_position)
                except Exception as error:
                    report.add(
                        f"{name}: cannot fold the event at position {event_position}: "
                        f"{described(error)}"
                    )
                    return
            if projection.APPEND_ONLY:
                live = {
                    projection.key_from(r): r
                    for r in projection.select(
                        session, table, "position > ? AND position <= ?", (position, last)
                    )
                }
                if not compare(projection, rows, live, report):
                    return
                rows = {}
            position = last
            tell(name, min(position, upto), upto)
        if projection.APPEND_ONLY:
            extra = session.execute(f"SELECT count(*) FROM {table} WHERE position > ?", (upto,))
            if int(extra[0][0]):
                report.add(f"{name}: rows beyond its position {upto}")
            return
        projection.complete(rows)
        live = {projection.key_from(r): r for r in projection.select(session, table)}
        compare(projection, rows, live, report)
