"""The handlers of the quote commands: create a draft, close it (reserve every line or none),
cancel it (release) — run by application.posting; a quote records no Document, the Quote
itself remembers its payload's fingerprint.
"""

from __future__ import annotations

from dataclasses import asdict, replace
from typing import Any

from application.commands import CancelQuote, CloseQuote, CreateQuote, PricedLine
from application.errors import QuoteNotFoundError
from application.measures import Measured
from application.ports import LedgerPort
from application.posting import handles, quote_answer
from application.records import CommandResult
from application.work import Work
from domain.codes import check_code
from domain.errors import DocumentConflictError, InsufficientStockError
from domain.quote import Quote, QuoteLine, QuoteStatus


def load_quote(ledger: LedgerPort, quote_id: str) -> Quote:
    """The quote, or QuoteNotFoundError."""
    check_code(quote_id, "quote_id")
    quote = ledger.get(Quote, Quote.create_id(quote_id))
    if quote is None:
        raise QuoteNotFoundError(quote_id) from None
    return quote


def take_quote(work: Work, quote_id: str) -> Quote:
    """The quote for a command to change (Work.take), or QuoteNotFoundError."""
    check_code(quote_id, "quote_id")
    quote = work.take(Quote.create_id(quote_id))
    if quote is None:
        raise QuoteNotFoundError(quote_id) from None
    assert isinstance(quote, Quote)
    return quote


def _last_version(ledger: LedgerPort, quote: Quote, event_type: type[Any]) -> int:
    """The version of the quote's newest ``event_type`` event."""
    return int(
        next(
            event.originator_version
            for event in ledger.events.get(quote.id, desc=True)
            if isinstance(event, event_type)
        )
    )


def _line(work: Work, line: PricedLine, index: int) -> dict[str, Any]:
    """A quote line as the Quote records it: its quantity in base units and, when given in
    a pack unit, what was entered (its unit price stays per pack)."""
    measured = work.measure(line.sku, line.quantity, line.unit, f"lines[{index}].unit")
    recorded = {"sku": line.sku, "quantity": measured.quantity, "unit_price": line.unit_price}
    if measured.entered is not None:
        recorded["entered"] = asdict(measured.entered)
    return recorded


def _recorded(work: Work, line: QuoteLine) -> Measured:
    """The unit figures of a movement of a quote line (its entered figures, if any)."""
    return replace(work.measure(line.sku, line.quantity, None, ""), entered=line.entered)


@handles(CreateQuote, documented=False)
def create(command: CreateQuote, work: Work) -> CommandResult | None:
    """A draft quote (Quote.draft's rules); the same id and payload again is a repeat,
    another payload a conflict."""
    existing = work.ledger.get(Quote, Quote.create_id(command.quote_id))
    if existing is not None:
        if existing.fingerprint != work.fingerprint:
            raise DocumentConflictError(
                f"quote {command.quote_id} was already created with a different payload"
            )
        return quote_answer(work.ledger, existing, 1)
    lines = [_line(work, line, index) for index, line in enumerate(command.lines)]
    quote = Quote.draft(
        command.quote_id, command.customer, command.location, lines, work.user, work.fingerprint
    )
    work.keep(quote)
    work.quote = quote
    return None


@handles(CloseQuote, documented=False)
def close(command: CloseQuote, work: Work) -> CommandResult | None:
    """draft → closed with one RESERVE per line, all or nothing: any line short of
    available stock refuses the whole close, listing every short line. Closing a closed
    (or since delivered) quote again is a no-op."""
    quote = take_quote(work, command.quote_id)
    if quote.status in (QuoteStatus.CLOSED, QuoteStatus.DELIVERED):
        return quote_answer(work.ledger, quote, _last_version(work.ledger, quote, Quote.Closed))
    quote.close(work.user)
    short: list[dict[str, Any]] = []
    for index, line in enumerate(quote.lines):
        item = work.item(line.sku, quote.location)
        src = work.src(index, None, _recorded(work, line))
        try:
            item.reserve(line.quantity, src, work.at)
        except InsufficientStockError as error:
            short.extend({"line": index, **detail} for detail in error.errors)
    if short:
        raise InsufficientStockError(
            f"quote {command.quote_id} cannot be closed: {len(short)} line(s) short of stock",
            short,
        )
    work.keep(quote)  # last, so the quote's event holds the command's position
    work.quote = quote
    return None


@handles(CancelQuote, documented=False)
def cancel(command: CancelQuote, work: Work) -> CommandResult | None:
    """draft → cancelled with no movement; closed → cancelled with one RELEASE per line
    for its undelivered reservation; refused once delivered; again is a no-op."""
    quote = take_quote(work, command.quote_id)
    if quote.status == QuoteStatus.CANCELLED:
        return quote_answer(work.ledger, quote, _last_version(work.ledger, quote, Quote.Cancelled))
    released = quote.cancel(work.user)
    for index, (line, quantity) in enumerate(zip(quote.lines, released, strict=True)):
        if quantity > 0:
            item = work.item(line.sku, quote.location)
            item.release(quantity, work.src(index, None, _recorded(work, line)), work.at)
    work.keep(quote)
    work.quote = quote
    return None
