"""Snapshots the ledger may trust: each one is checked against its position's events.

A snapshot row is a cache, not a record. The application role may INSERT into the snapshot
table (the library takes snapshots), so a row there proves nothing: a command must never
decide from one unless it agrees with the recorded events. A stock position's snapshot at
version v agrees when it is a ``StockItem`` of that id whose figures — on_hand, reserved,
value, hash-chain link and time — equal the after figures of the movement recorded at v,
and whose last average equals the one the events give. Anything else (another aggregate
type, a version with no event, any other figure) is ignored with a warning and the
aggregate is replayed from its events, or from an older snapshot that does agree.

With the ledger key, the events a snapshot is checked against come through the Ledger's
checked event store (store.authenticity): the movement at the snapshot's version carries a
MAC over a hash covering every earlier link, so a snapshot that agrees with it is anchored
too; a snapshot whose events fail that check is refused like any other that lies, and the
replay then refuses the decision.

``verify`` runs the same check over every stored snapshot (``snapshot_rows``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.persistence import EventStore, IntegrityError, StoredEvent

from domain import valuation as v
from domain.movements import GENESIS_HASH
from domain.owed import entry_of, reduced
from domain.stock_item import Movement, StockItem
from store.authenticity import LedgerTamperedError, Window, WindowedStore

log = logging.getLogger("stockledger.snapshots")

STOCK_ITEM_TOPIC = "stockledger:StockItem"
STATE_KEYS = frozenset(
    {
        "_created_on",
        "_modified_on",
        "sku",
        "location",
        "on_hand",
        "reserved",
        "value",
        "last_average",
        "chain",
    }
)
# A snapshot taken before SPEC §17 has no ``owed`` (the position owed nothing then).
OWED_KEY = "owed"
# Events read back per page while looking for the last average of an emptied position.
_PAGE = 4


def _last_average(events: EventStore[UUID], item_id: UUID, version: int) -> Decimal | None:
    """The position's last average after ``version``, as its events give it (apply's rule:
    the average after the newest movement that left units on hand)."""
    upper = version
    while upper >= 1:
        page = list(events.get(item_id, lte=upper, desc=True, limit=_PAGE))
        for event in page:
            if isinstance(event, Movement) and event.on_hand_after > 0:
                return v.average_cost(event.value_after, event.on_hand_after)
        if len(page) < _PAGE:
            return None
        upper = page[-1].originator_version - 1
    return None


def snapshot_problem(snapshot: Any, events: EventStore[UUID]) -> str | None:
    """Why ``snapshot`` disagrees with the recorded events, or None when it agrees."""
    version = snapshot.originator_version
    if getattr(snapshot, "topic", None) != STOCK_ITEM_TOPIC:
        return f"snapshot of a {getattr(snapshot, 'topic', '?')} (only stock positions have one)"
    state = snapshot.state
    if not isinstance(state, dict) or set(state) - {OWED_KEY} != STATE_KEYS:
        return "snapshot state has unexpected fields"
    if snapshot.originator_id != StockItem.create_id(str(state["sku"]), str(state["location"])):
        return "snapshot's sku/location do not match its id"
    found = list(events.get(snapshot.originator_id, gt=version - 1, lte=version))
    if not found:
        return f"no event at version {version}"
    (event,) = found
    if isinstance(event, Movement):
        expected = (event.on_hand_after, event.reserved_after, event.value_after, event.hash)
        expected_time = event.timestamp
    elif isinstance(event, StockItem.Created) and version == 1:
        expected = (v.ZERO, v.ZERO, v.ZERO, GENESIS_HASH)
        expected_time = event.timestamp
    else:
        return f"the event at version {version} is not a stock movement"
    actual = (state["on_hand"], state["reserved"], state["value"], state["chain"])
    names = ("on_hand", "reserved", "value", "chain")
    diff = [
        f"{n} {a} where the event gives {e}"
        for n, a, e in zip(names, actual, expected, strict=True)
        if a != e
    ]
    if diff:
        return "figures differ from the event at its version: " + ", ".join(diff)
    if state["_modified_on"] != expected_time:
        return "modified time differs from the event at its version"
    if state["last_average"] != _last_average(events, snapshot.originator_id, version):
        return "last average differs from the events"
    owed = state.get(OWED_KEY, [])
    if owed != _owed(events, snapshot.originator_id, version, event):
        return "owed differs from the events"
    return None


def _owed(events: EventStore[UUID], item_id: UUID, version: int, last: Any) -> list[Any]:
    """What the position owes after ``version``, as its events give it: replayed from the
    last movement after which it owed nothing (SPEC §17, domain.owed)."""
    if getattr(last, "owed_after", None) is None:
        return []
    owing: list[Any] = []
    upper = version
    while upper >= 1:
        page = list(events.get(item_id, lte=upper, desc=True, limit=_PAGE * 16))
        for event in page:
            if getattr(event, "owed_after", None) is None:
                upper = 0
                break
            owing.append(event)
        else:
            if len(page) < _PAGE * 16:
                break
            upper = page[-1].originator_version - 1
    owed: list[Any] = []
    for event in reversed(owing):
        if isinstance(event, StockItem.Owed):
            owed = [*owed, entry_of(event)]
        elif isinstance(event, StockItem.Settled):  # OwedCancelled is one too
            owed = reduced(owed, event.document_id, event.line, event.quantity)
    return owed


def decode_and_check(
    mapper: Any, stored: StoredEvent, events: EventStore[UUID]
) -> tuple[Any, str | None]:
    """The decoded snapshot and why it cannot be trusted (None when it can)."""
    try:
        snapshot = mapper.to_domain_event(stored)
    except Exception as error:  # a planted row may hold anything
        return None, f"undecodable ({type(error).__name__})"
    try:
        return snapshot, snapshot_problem(snapshot, events)
    except LedgerTamperedError as error:  # the events it is checked against (with a key)
        return snapshot, str(error)


class CheckedSnapshotStore(WindowedStore):
    """The snapshot store, returning only snapshots that agree with the events."""

    def __init__(self, mapper: Any, recorder: Any, events: EventStore[UUID]) -> None:
        super().__init__(mapper, recorder)
        self.events = events
        # Waits for the snapshots still due for an aggregate (store.snapshot_taker).
        self.settle: Callable[[UUID], None] | None = None

    def read(self, originator_id: UUID, window: Window) -> Iterator[Any]:
        """Like the library's, skipping (and warning about) every snapshot that lies; a
        limited newest-first read looks further back past a refused one."""
        if self.settle is not None:
            self.settle(originator_id)
        gt, lte, desc, limit = window.gt, window.lte, window.desc, window.limit
        wanted = limit
        while True:
            page = list(
                self.recorder.select_events(originator_id, gt=gt, lte=lte, desc=desc, limit=limit)
            )
            for stored in page:
                snapshot, problem = decode_and_check(self.mapper, stored, self.events)
                if problem is not None:
                    log.warning(
                        "ignoring snapshot of %s at version %d: %s; replaying its events",
                        originator_id,
                        stored.originator_version,
                        problem,
                    )
                    continue
                yield snapshot
                if wanted is not None:
                    wanted -= 1
                    if wanted == 0:
                        return
            if limit is None or len(page) < limit or not desc:
                return
            lte = page[-1].originator_version - 1

    def put(self, domain_events: Any, **kwargs: Any) -> Any:
        """Stores a snapshot; a row already at its version (planted there) is left alone:
        the command whose events were just recorded must not fail for it."""
        try:
            return super().put(domain_events, **kwargs)
        except IntegrityError:
            log.warning("a snapshot already exists at the version just taken; kept the old one")
            return []


def snapshot_rows(ledger: Any) -> Iterator[StoredEvent]:
    """Every stored snapshot row, in (id, version) order (for ``verify``)."""
    store = ledger.snapshots
    if store is None:
        return
    table = store.recorder.events_table_name
    postgres = ledger.is_postgres
    last: tuple[str, int] = ("", 0)
    while True:
        with store.recorder.datastore.transaction(commit=False) as cursor:
            if postgres:
                cursor.execute(
                    f"SELECT originator_id, originator_version, topic, state FROM {table} "
                    "WHERE (originator_id::text, originator_version) > (%s, %s) "
                    "ORDER BY originator_id::text, originator_version LIMIT 500",
                    last,
                )
                rows = [
                    (r["originator_id"], r["originator_version"], r["topic"], r["state"])
                    for r in cursor.fetchall()
                ]
            else:
                cursor.execute(
                    f"SELECT originator_id, originator_version, topic, state FROM {table} "
                    "WHERE (originator_id, originator_version) > (?, ?) "
                    "ORDER BY originator_id, originator_version LIMIT 500",
                    last,
                )
                rows = [(UUID(r[0]), r[1], r[2], r[3]) for r in cursor.fetchall()]
        if not rows:
            return
        for oid, version, topic, state in rows:
            yield StoredEvent(oid, version, topic, bytes(state))
        oid, version = rows[-1][0], rows[-1][1]
        last = (str(oid) if postgres else UUID(str(oid)).hex, int(version))
