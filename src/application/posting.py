"""The one posting path: every command runs here, whatever it posts.

``execute(ledger, handler, command, user)`` (``Ledger.execute`` looks the handler up in its
table):

1. the handler's ``check`` enforces the rules that need no state, once;
2. each attempt gets a fresh ``Work`` (the aggregates it touches, loaded once each, in save
   order) and runs the handler, whose aggregates enforce their own rules (SPEC §3–4);
3. a documented command adds its Document record — the fingerprint of the payload derived
   from the command, the movements it made, its details — and everything is recorded in one
   ``save``: all or nothing;
4. a concurrent writer shows up as an IntegrityError on a version or on the document id: the
   attempt is run again on fresh state, at most MAX_ATTEMPTS times, with jitter;
5. a refusal or a lost race first asks whether the document was posted before: with the same
   payload the answer is the original result (``created=False``), with another a
   DocumentConflictError. A repeat is answered before any refusal: a delivery posted again
   must not be refused for want of the stock it took the first time.

A handler is marked with ``@handles(CommandType)`` and collected into the handler table by
the composition root (application.bootstrap); it never retries, records or builds a result
itself. The other changes — the catalogue, recipes, period closes, keys, rebuild requests —
load one aggregate, change it and ``saved`` it inside the same ``retrying`` loop.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar
from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError, Recording

from application.commands import Command
from application.errors import ConcurrencyConflictError
from application.ports import LedgerPort
from application.records import CommandResult, MovementRecord, QuoteRecord
from application.work import Work
from domain.codes import check_code
from domain.documents import Document, fingerprint
from domain.errors import DomainError
from domain.movements import DocType
from domain.quote import Quote
from domain.stock_item import Movement

# Jitter from a generator of its own: the process-wide one stays the caller's (a test
# seeding it, hypothesis watching it for strategies) while retries run in other threads.
_JITTER = random.Random()

MAX_ATTEMPTS = 30
C = TypeVar("C", bound=Command)
R = TypeVar("R")


Run = Callable[[C, Work], CommandResult | None]


def no_check(command: Command) -> None:
    """No rule needs checking before the attempts."""


@dataclass(frozen=True)
class Handler(Generic[C]):
    """``run`` makes an attempt's changes to answer a ``kind`` (or answers a no-op);
    ``documented``: whether the command records a Document (every posted document; not the
    quote commands); ``answers_lines``: the result key under which the document's lines are
    also answered (a cost's allocation), None when they are not."""

    kind: type[C]
    run: Run[C]
    check: Callable[[C], None]
    documented: bool
    answers_lines: str | None = None


# The attribute ``handles`` marks a handler function with.
MARK = "__handler__"


def handles(
    kind: type[C],
    *,
    check: Callable[[C], None] = no_check,
    documented: bool = True,
    answers_lines: str | None = None,
) -> Callable[[Run[C]], Run[C]]:
    """Marks the decorated function as the handler of ``kind``; it is registered by the
    composition root that collects the marks (``handler_table``), not on import."""

    def mark(run: Run[C]) -> Run[C]:
        setattr(run, MARK, Handler(kind, run, check, documented, answers_lines))
        return run

    return mark


def handler_table(modules: Iterable[object]) -> dict[type[Command], Handler[Any]]:
    """Every handler marked in ``modules``, by the command it handles; refuses two handlers
    of one command."""
    table: dict[type[Command], Handler[Any]] = {}
    for module in modules:
        for value in vars(module).values():
            handler = getattr(value, MARK, None)
            if not isinstance(handler, Handler):
                continue
            if table.setdefault(handler.kind, handler) is not handler:
                raise TypeError(f"two handlers of {handler.kind.__name__}")
    return table


def pause(attempt: int) -> None:
    time.sleep(_JITTER.uniform(0, min(0.05, 0.002 * 2**attempt)))


def retrying(attempt: Callable[[], R | None]) -> R:
    """Runs ``attempt`` until it answers; None means it lost a race and runs again, after
    a pause with jitter, at most MAX_ATTEMPTS times (then ConcurrencyConflictError)."""
    for number in range(MAX_ATTEMPTS):
        answer = attempt()
        if answer is not None:
            return answer
        pause(number)
    raise ConcurrencyConflictError("too many concurrent changes; try again")


def saved(ledger: LedgerPort, *aggregates: Aggregate) -> list[Recording[UUID]] | None:
    """What saving ``aggregates`` recorded; None when a concurrent writer won the race (the
    attempt is then run again by ``retrying``)."""
    try:
        return ledger.save(*aggregates)
    except IntegrityError:
        return None


def execute(
    ledger: LedgerPort, handler: Handler[Any], command: Command, user: str
) -> CommandResult:
    """Runs ``command`` through its ``handler`` and records what it caused, exactly once."""
    handler.check(command)
    check_code(command.doc_id, f"{command.doc_type.value}_id")
    print_ = fingerprint(command.payload())

    def attempt() -> CommandResult | None:
        work = Work(ledger, command, user, print_)
        # A save takes the pending events out of the aggregates even when it fails, so
        # after a failed one they hold changes that were never recorded: not given back.
        saving = saved = False
        try:
            try:
                answer = handler.run(command, work)
            except DomainError:
                if work.stale():
                    return None
                if (
                    handler.documented
                    and (repeat := _repeat(ledger, command, print_, handler.answers_lines))
                    is not None
                ):
                    return repeat
                raise
            if answer is not None:
                return None if work.stale() else answer
            if work.stale(unchanged_only=True):
                return None
            record = [_document(work)] if handler.documented else []
            saving = True
            try:
                recordings = ledger.save(*work.touched.values(), *record, **work.save_reads())
            except IntegrityError:
                work.measures.forget()
                return (
                    _repeat(ledger, command, print_, handler.answers_lines)
                    if handler.documented
                    else None
                )
            saved = True
            return _result(work, recordings, handler.answers_lines)
        finally:
            if saved or not saving:
                work.give_back(written=saved)

    return retrying(attempt)


def _document(work: Work) -> Document:
    command = work.command
    return Document(
        command.doc_type.value,
        command.doc_id,
        work.fingerprint,
        work.user,
        work.refs,
        work.shipped,
        work.details,
    )


def _repeat(
    ledger: LedgerPort, command: Command, print_: str, answers_lines: str | None = None
) -> CommandResult | None:
    """The original result when the document was posted before with this payload;
    DocumentConflictError when with another; None when it was never posted."""
    existing = ledger.get(Document, Document.create_id(command.doc_type.value, command.doc_id))
    if existing is None:
        return None
    existing.check_repeat(print_)
    refs = [(UUID(oid), version) for oid, version in existing.movements]
    positions = ledger.positions([*refs, (existing.id, 1)])
    movements = []
    for (oid, version), position in zip(refs, positions, strict=False):
        (event,) = ledger.events.get(oid, gt=version - 1, lte=version)
        assert isinstance(event, Movement)
        movements.append(MovementRecord.from_event(event, position))
    extra = {answers_lines: existing.lines} if answers_lines else {}
    return CommandResult(
        existing.doc_type, existing.doc_id, movements, max(positions), created=False, extra=extra
    )


def _result(
    work: Work, recordings: Sequence[Any], answers_lines: str | None = None
) -> CommandResult:
    """A new command's answer: its movements, its position (and the quote it changed)."""
    movements = [
        MovementRecord.from_event(r.domain_event, r.notification.id)
        for r in recordings
        if isinstance(r.domain_event, Movement)
    ]
    position = max(r.notification.id for r in recordings)
    quote = None
    if work.quote is not None:
        quote_id = work.quote.id
        latest = max(
            r.notification.id for r in recordings if r.domain_event.originator_id == quote_id
        )
        quote = QuoteRecord.from_quote(work.quote, latest)
    command = work.command
    extra = {answers_lines: work.shipped} if answers_lines else {}
    return CommandResult(
        command.doc_type.value, command.doc_id, movements, position, True, quote, extra
    )


def quote_answer(ledger: LedgerPort, quote: Quote, event_version: int) -> CommandResult:
    """A quote command's answer when nothing was recorded: the position of the event that
    did it (``event_version``) and the quote as it stands."""
    (position,) = ledger.positions([(quote.id, event_version)])
    (latest,) = ledger.positions([(quote.id, quote.version)])
    record = QuoteRecord.from_quote(quote, latest)
    return CommandResult(DocType.QUOTE.value, quote.quote_id, [], position, False, record)
