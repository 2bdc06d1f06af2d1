"""Period close (SPEC §5): totals and a digest computed from the ledger itself.

A period may be closed once it has ended in the ledger's zone, in calendar order (the rule
lives in ``Books``; this module finds the period of the ledger's first movement). Its totals
come from folding every movement up to the current head with the ``cogs`` fold (not from the
possibly lagging projection), summed over the period's valuation rows: positions with
movements in the period and positions carrying stock into it unchanged.

Ledger digest (version 1). Over every notification up to and including the close position,
in id order, starting from ``GENESIS_HASH`` (64 zeros):

    d = sha256(bytes.fromhex(d_prev) || id as 8-byte big-endian || topic UTF-8 || 0x00
               || len(state) as 8-byte big-endian || state).hexdigest()

``state`` is the event's stored bytes exactly as recorded, so the digest covers every event
of every aggregate (movements, quotes, documents, keys, earlier closes), and any change,
insertion or removal of a recorded event changes it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import MAXYEAR, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from application.errors import PeriodNotEndedError
from domain.books import check_period
from domain.movements import GENESIS_HASH
from domain.rollforward import period_of, period_totals
from domain.stock_item import MOVEMENT_TOPICS
from projections.base import Rows
from projections.cogs import Cogs

ZERO = Decimal(0)
SCAN_CHUNK = 5000


def notifications(ledger: Any, upto: int, start: int = 1) -> Iterator[Any]:
    """Every notification with start ≤ id ≤ upto, in id order."""
    while start <= upto:
        notes = ledger.recorder.select_notifications(start, SCAN_CHUNK, stop=upto)
        if not notes:
            return
        yield from notes
        start = notes[-1].id + 1


def digest_step(previous: str, note: Any) -> str:
    state = bytes(note.state)
    h = hashlib.sha256(bytes.fromhex(previous))
    h.update(int(note.id).to_bytes(8, "big"))
    h.update(note.topic.encode())
    h.update(b"\x00")
    h.update(len(state).to_bytes(8, "big"))
    h.update(state)
    return h.hexdigest()


def period_of_now(now: datetime, zone: ZoneInfo) -> str:
    return now.astimezone(zone).strftime("%Y-%m")


def period_end(period: str, zone: ZoneInfo) -> datetime | None:
    """The first instant after ``period`` in ``zone``; None for 9999-12, whose end lies past
    the range of dates (it never ends)."""
    year, month = check_period(period)
    year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    if year > MAXYEAR:
        return None
    return datetime(year, month, 1, tzinfo=zone)


def first_movement_period(ledger: Any, zone: ZoneInfo) -> str | None:
    """The period of the ledger's first movement; None while it holds none."""
    notes = ledger.recorder.select_notifications(1, 1, topics=sorted(MOVEMENT_TOPICS))
    if not notes:
        return None
    return period_of(ledger.mapper.to_domain_event(notes[0]).timestamp, zone)


class LedgerFold:
    """Digest and cogs rows of the ledger, advanced one notification at a time."""

    def __init__(self, ledger: Any, zone: ZoneInfo) -> None:
        self.ledger = ledger
        self.cogs = Cogs(zone)
        self.rows: Rows = {}
        self.digest = GENESIS_HASH
        self.position = 0

    def feed(self, note: Any) -> Any:
        """Advances over ``note``; returns its decoded movement or None."""
        self.digest = digest_step(self.digest, note)
        self.position = note.id
        if note.topic not in MOVEMENT_TOPICS:
            return None
        event = self.ledger.mapper.to_domain_event(note)
        self.cogs.fold(self.rows, event, note.id)
        return event

    def totals(self, period: str) -> dict[str, dict[str, Decimal]]:
        return period_totals(self.rows.values(), period)


def fold_to(ledger: Any, zone: ZoneInfo, upto: int) -> LedgerFold:
    fold = LedgerFold(ledger, zone)
    for note in notifications(ledger, upto):
        fold.feed(note)
    return fold


def close_period(
    ledger: Any, zone: ZoneInfo, period: str, user: str
) -> tuple[dict[str, Any], bool]:
    """Closes an ended period once; refuses one that has not ended (PeriodNotEndedError)
    or whose predecessor is still open (InvalidStateError, checked before the ledger is read
    and again when the close is recorded)."""
    end = period_end(period, zone)
    if end is None or ledger.clock() < end:
        ends = "never" if end is None else end.isoformat()
        raise PeriodNotEndedError(f"period {period} has not ended (it ends {ends})")
    books = ledger.books()
    existing = books.closes.get(period)
    if existing is not None:
        return dict(existing), False
    first = first_movement_period(ledger, zone)
    books.check_close_order(period, first)
    head = int(ledger.recorder.max_notification_id() or 0)
    fold = fold_to(ledger, zone, head)
    record, created = ledger.record_period_close(
        period, head, fold.digest, fold.totals(period), user=user, first_period=first
    )
    return dict(record), bool(created)


def same_totals(recorded: dict[str, Any], computed: dict[str, dict[str, Decimal]]) -> bool:
    if set(recorded) != set(computed):
        return False
    for part, amounts in computed.items():
        kept = recorded[part]
        if set(kept) != set(amounts):
            return False
        if any(Decimal(str(kept[name])) != amount for name, amount in amounts.items()):
            return False
    return True


def check_close(fold: LedgerFold, close: dict[str, Any]) -> list[str]:
    """Problems with a close, given a fold advanced exactly to the close's position."""
    period = close["period"]
    problems = []
    if fold.digest != close["digest"]:
        problems.append(
            f"period {period}: ledger digest up to position {close['position']} is "
            f"{fold.digest}, the close recorded {close['digest']}"
        )
    if not same_totals(close["totals"], fold.totals(period)):
        problems.append(
            f"period {period}: totals recomputed up to position {close['position']} differ "
            "from the recorded close"
        )
    return problems
