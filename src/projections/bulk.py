"""A rebuild's bulk phase: the ledger folded from position 0 into fresh tables, in memory.

The events of the topics the read models fold are read a page at a time (the store selects
them by topic), each decoded once and handed to the read models that fold its topic. The
pages are read in the fold's own thread: a reader thread decoding ahead measured 10 % more
CPU and no less time, the process being bound by the interpreter lock (docs/BENCHMARKS.md);
``projections.rebuild_split`` spreads the work over processes instead. Rows that can no
longer change are bulk-inserted as they settle — append-only rows page by page, the others
when their ``settled`` says so — and the rest once at the end, after ``complete``; then
each table gets its key and indexes. The tables are a generation nobody reads yet: the
switch-over (``projections.rebuild``) goes on from the position returned.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Sequence
from datetime import datetime
from typing import Any

from application.events import EventSource
from projections.base import Key, Projection, Rows
from projections.db import Session

# Called after each page: (position reached, whether it was the last page).
Reached = Callable[[int, bool], None]


class FoldFailed(RuntimeError):
    """A rebuild cannot fold the event at ``position`` into ``name``."""

    def __init__(self, name: str, position: int, error: BaseException) -> None:
        super().__init__(
            f"rebuild of {name}: cannot fold the event at position {position}: {error}"
        )
        self.name = name
        self.position = position


class Page:
    """One page read: its decoded events as (position, topic of the event's class or "",
    event), the position it ends at, and whether it was the last (shorter than asked for)."""

    __slots__ = ("events", "last", "position")

    def __init__(self, events: list[tuple[int, str, Any]], position: int, last: bool):
        self.events = events
        self.position = position
        self.last = last


def read_page(events: EventSource, after: int, limit: int, topics: Collection[str]) -> Page:
    """The events of ``topics`` after ``after``, decoded (at most ``limit``).

    A page shorter than asked for is the last, and ends at the head as it was before the
    read, even past its last event: no event of ``topics`` lies between (every position up
    to that head was committed or abandoned before the read began, commit order being
    position order), so whoever goes on from there need not read the others again."""
    head = events.head()
    found = events.read(after, limit, topics=topics)
    decoded = []
    for recorded in found:
        event = recorded.event()
        decoded.append((recorded.position, getattr(type(event), "TOPIC", ""), event))
    position = found[-1].position if found else after
    last = len(found) < limit
    return Page(decoded, max(position, head) if last else position, last)


def read_pages(
    events: EventSource, after: int, limit: int, topics: Collection[str]
) -> Iterator[Page]:
    """The pages of ``topics`` after ``after``, each going on from the one before, up to the
    last (the store's table lock makes commit order position order, so no event can appear
    behind a page already read)."""
    while True:
        page = read_page(events, after, limit, topics)
        yield page
        if page.last:
            return
        after = page.position


class Target:
    """One read model being rebuilt: its fresh table and what is folded of it so far."""

    def __init__(self, projection: Projection, generation: int) -> None:
        self.p = projection
        self.table = projection.table(generation)
        self.rows: Rows = {}
        self.written: set[Key] = set()  # keys of rows already bulk-inserted (not append-only)
        # The newest time of its own events: whether a row can still change is a claim
        # about the events that fold into it, whatever other kinds say.
        self.newest: datetime | None = None
        self.asked: Any = None  # what ``settled`` last read of ``newest``

    def fold(self, session: Session, own: list[tuple[int, Any]], stamp: datetime | None) -> None:
        """Folds a page's events of its topics (the newest of them recorded at ``stamp``)
        in memory and bulk-loads the rows they settled."""
        p, rows = self.p, self.rows
        for position, event in own:
            try:
                p.fold(rows, event, position)
            except Exception as error:
                raise FoldFailed(p.NAME, position, error) from error
        if stamp is not None:
            self.newest = stamp if self.newest is None else max(stamp, self.newest)
        if p.APPEND_ONLY:
            self.write(session, list(rows))
        elif self.newest is not None and self.asked != (mark := p.settles_by(self.newest)):
            self.asked = mark
            self.write(session, p.settled(rows, self.newest))

    def finish(self, session: Session) -> None:
        """The rows still in memory, then the table's key and indexes."""
        self.p.complete(self.rows)
        self.write(session, list(self.rows))
        with session.transaction():
            self.p.add_indexes(session, self.table)

    def write(self, session: Session, keys: list[Key]) -> None:
        """Bulk-inserts the rows of ``keys`` and forgets them (append-only rows are never
        seen again; a settled row seen again would mean commit skew beyond its horizon)."""
        if not keys:
            return
        p, rows = self.p, self.rows
        if not p.APPEND_ONLY:
            again = self.written.intersection(keys)
            if again:
                raise RuntimeError(
                    f"rebuild of {p.NAME}: an event reached row {next(iter(again))} after it "
                    "was written out; the ledger's times are out of order by over a month"
                )
            self.written.update(keys)
        with session.transaction():
            session.copy_rows(
                self.table, p.names(), (p.to_db(rows.pop(key), session) for key in keys)
            )


def bulk_load(
    session: Session,
    events: EventSource,
    targets: Sequence[Target],
    chunk: int,
    reached: Reached,
) -> int:
    """Folds the whole ledger into ``targets`` and writes every row; returns the position
    of the last event read."""
    # Read models folding the same topics share a page's list of them and its newest time.
    kinds = list(dict.fromkeys(target.p.TOPICS for target in targets))
    route: dict[str, list[int]] = {}  # each topic to the kinds that hold it
    for number, topics in enumerate(kinds):
        for topic in topics:
            route.setdefault(topic, []).append(number)
    kind_of = {target.p.NAME: kinds.index(target.p.TOPICS) for target in targets}
    position = 0
    for page in read_pages(events, position, chunk, route):
        own: list[list[tuple[int, Any]]] = [[] for _ in kinds]
        for event_position, topic, event in page.events:
            for number in route.get(topic, ()):
                own[number].append((event_position, event))
        stamps = [max([e.timestamp for _, e in found]) if found else None for found in own]
        for target in targets:
            number = kind_of[target.p.NAME]
            target.fold(session, own[number], stamps[number])
        position = page.position
        reached(position, page.last)
    for target in targets:
        target.finish(session)
    return position
