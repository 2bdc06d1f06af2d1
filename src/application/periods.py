"""Period close (SPEC §5) as a ledger command: totals and a digest computed from the ledger.

A period may be closed once it has ended in the ledger's zone, in calendar order (the rule
lives in ``Books``; this module finds the period of the ledger's first movement). Its totals
come from folding every movement up to the current head with the roll-forward of
``domain.rollforward`` (not from the possibly lagging read models), summed over the period's
valuation rows: positions with movements in the period and positions carrying stock into it
unchanged. ``verify`` and the period detail recompute a close with the same fold.

Ledger digest (version 1). Over every recorded event up to and including the close
position, in position order, starting from ``GENESIS_HASH`` (64 zeros):

    d = sha256(bytes.fromhex(d_prev) || position as 8-byte big-endian || topic UTF-8 || 0x00
               || len(state) as 8-byte big-endian || state).hexdigest()

``state`` is the event's stored bytes exactly as recorded, so the digest covers every event
of every aggregate (movements, quotes, documents, keys, earlier closes), and any change,
insertion or removal of a recorded event changes it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import MAXYEAR, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from application import registers
from application.errors import NotFoundError, PeriodNotEndedError
from application.events import EventSource, LedgerEvents, Recorded
from application.ports import LedgerPort
from domain import food_cost
from domain.books import Books, PeriodClose, Totals, check_period
from domain.documents import Document
from domain.movements import GENESIS_HASH
from domain.rollforward import Row, period_of, period_totals, roll
from domain.stock_item import MOVEMENT_TOPICS

SCAN_CHUNK = 5000


@dataclass(frozen=True)
class ClosePeriod:
    """Close the calendar month ``period`` (YYYY-MM) once it has ended."""

    period: str

    def __post_init__(self) -> None:
        check_period(self.period)


def read_upto(source: EventSource, upto: int) -> Iterator[Recorded]:
    """Every recorded event at positions ≤ ``upto``, in position order."""
    after = 0
    while after < upto:
        batch = source.read(after, SCAN_CHUNK, upto=upto)
        if not batch:
            return
        yield from batch
        after = batch[-1].position


def digest_step(previous: str, recorded: Recorded) -> str:
    state = recorded.state
    h = hashlib.sha256(bytes.fromhex(previous))
    h.update(recorded.position.to_bytes(8, "big"))
    h.update(recorded.topic.encode())
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


def first_movement_period(source: EventSource, zone: ZoneInfo) -> str | None:
    """The period of the ledger's first movement; None while it holds none."""
    first = source.read(0, 1, topics=MOVEMENT_TOPICS)
    return period_of(first[0].event().timestamp, zone) if first else None


class LedgerFold:
    """Digest and roll-forward rows of the ledger, advanced one recorded event at a time."""

    def __init__(self, zone: ZoneInfo) -> None:
        self.zone = zone
        self.rows: dict[tuple[str, str, str], Row] = {}
        self.food_cost: dict[tuple[str, str, str], Row] = {}
        self.digest = GENESIS_HASH
        self.position = 0

    def feed(self, recorded: Recorded) -> Any:
        """Advances over ``recorded``; returns its decoded movement or None."""
        self.digest = digest_step(self.digest, recorded)
        self.position = recorded.position
        if recorded.topic == Document.Created.TOPIC:
            food_cost.fold(self.food_cost, recorded.event(), self.zone)
        if recorded.topic not in MOVEMENT_TOPICS:
            return None
        event = recorded.event()
        food_cost.fold(self.food_cost, event, self.zone)
        key = (period_of(event.timestamp, self.zone), event.location, event.sku)
        self.rows[key] = roll(self.rows.get(key), key[0], event, recorded.position)
        return event

    def totals(self, period: str) -> Totals:
        """The period's ``valuation`` and ``cogs`` totals and its ``food_cost`` (SPEC §9)."""
        totals = period_totals(self.rows.values(), period)
        totals["food_cost"] = food_cost.totals(self.food_cost.values(), period)
        return totals


def fold_to(source: EventSource, zone: ZoneInfo, upto: int) -> LedgerFold:
    fold = LedgerFold(zone)
    for recorded in read_upto(source, upto):
        fold.feed(recorded)
    return fold


def same_totals(recorded: Totals, computed: Totals) -> bool:
    """Whether a close's recorded totals are the recomputed ones. A close recorded before a
    part existed (``food_cost``, SPEC §9) lacks it: it then holds zeros (there were no sales)."""
    if not set(recorded) <= set(computed):
        return False
    for part, amounts in computed.items():
        kept = recorded.get(part, {})
        # A close recorded before a column existed (SPEC §10 added two) holds that column 0.
        if not set(kept) <= set(amounts):
            return False
        if any(Decimal(str(kept.get(name, 0))) != amount for name, amount in amounts.items()):
            return False
    return True


def check_close(fold: LedgerFold, close: PeriodClose) -> list[str]:
    """Problems with a close, given a fold advanced exactly to the close's position."""
    problems = []
    if fold.digest != close.digest:
        problems.append(
            f"period {close.period}: ledger digest up to position {close.position} is "
            f"{fold.digest}, the close recorded {close.digest}"
        )
    if not same_totals(close.totals, fold.totals(close.period)):
        problems.append(
            f"period {close.period}: totals recomputed up to position {close.position} differ "
            "from the recorded close"
        )
    return problems


class Periods:
    """The period closes of one ledger: the close command and the closes as recorded."""

    def __init__(self, ledger: LedgerPort) -> None:
        self._ledger = ledger
        self._source = LedgerEvents(ledger)
        self.zone = ledger.settings.zone

    def books(self) -> Books:
        return registers.load(self._ledger, Books)

    def close(self, command: ClosePeriod, user: str) -> tuple[PeriodClose, bool]:
        """Closes an ended period once; refuses one that has not ended (PeriodNotEndedError)
        or whose predecessor is still open (InvalidStateError, checked before the ledger is
        read and again when the close is recorded). Closing it again answers the original
        close (False: nothing new was recorded)."""
        period = command.period
        end = period_end(period, self.zone)
        if end is None or self._ledger.clock() < end:
            ends = "never" if end is None else end.isoformat()
            raise PeriodNotEndedError(f"period {period} has not ended (it ends {ends})")
        books = self.books()
        existing = books.closes.get(period)
        if existing is not None:
            return existing, False
        first = first_movement_period(self._source, self.zone)
        books.check_close_order(period, first)
        head = self._source.head()
        fold = fold_to(self._source, self.zone, head)
        totals = fold.totals(period)

        def record(books: Books) -> tuple[PeriodClose, bool]:
            if period in books.closes:
                return books.closes[period], False
            at = self._ledger.clock()
            books.close_period(period, user, head, fold.digest, totals, at, first)
            return books.closes[period], True

        outcome, _ = registers.change(self._ledger, Books, record)
        return outcome

    def closed(self, period: str) -> tuple[PeriodClose, bool]:
        """A closed period, and whether the ledger still reproduces it (its digest and totals
        recomputed up to its position); NotFoundError while it is not closed."""
        check_period(period)
        close = self.books().closes.get(period)
        if close is None:
            raise NotFoundError(f"period {period} is not closed")
        fold = fold_to(self._source, self.zone, close.position)
        return close, fold.position == close.position and not check_close(fold, close)
