"""The handlers of the posted documents: receipts, deliveries, returns, transfers,
consumption, waste, adjustments and counts — one function per command (application.posting
runs them, records their document and answers repeats).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from typing import Any, Protocol
from uuid import UUID

from application import commands, purchasing
from application.measures import Measured
from application.ports import LedgerPort
from application.posting import handles
from application.work import Work
from domain import bounds, counts
from domain.codes import check_code, require_note
from domain.documents import Document, DocumentDetails
from domain.errors import ValidationError
from domain.movements import DocType
from domain.quote import Quote
from domain.stock_item import Movement, StockItem


class Lined(Protocol):
    """A command with document lines."""

    @property
    def lines(self) -> Sequence[object]: ...


class Noted(Lined, Protocol):
    """A command with document lines and a note."""

    @property
    def note(self) -> str | None: ...


def _lines(command: Lined) -> None:
    bounds.check_lines(command.lines)


def _noted_lines(command: Noted) -> None:
    require_note(command.note)
    bounds.check_lines(command.lines)


@handles(commands.PostReceipt, check=_lines)
def receipt(command: commands.PostReceipt, work: Work) -> None:
    """RECEIVE per line at its unit cost (per entered unit: a case's cost for cases);
    against a purchase order (``po_id``) recorded on it in the same save, a line's cost
    defaulting to the PO's price (application.purchasing.receipt_costs). Each line's
    item and location are required before its unit is read, so a refusal decided on an
    outdated cached entry is the item's (decided again on the catalogue as it is)."""
    items = [work.item(line.sku, command.location) for line in command.lines]
    measures = [
        work.measure(line.sku, line.quantity, line.unit, _unit(index))
        for index, line in enumerate(command.lines)
    ]
    costs = purchasing.receipt_costs(command, work, measures)
    for index, item in enumerate(items):
        measured = measures[index]
        src = work.src(index, command.note, measured)
        item.receive(measured.quantity, costs[index], src, work.at, work.places)
        work.moved(item)
    purchasing.open_billing(command, work)
    work.details = DocumentDetails(location=command.location)


def _outbound(
    command: commands.PostConsumption | commands.PostWaste, work: Work, move: Callable[..., Any]
) -> None:
    for index, line in enumerate(command.lines):
        item = work.item(line.sku, command.location)
        measured = work.measure(line.sku, line.quantity, line.unit, _unit(index))
        move(item, measured.quantity, work.src(index, command.note, measured), work.at, work.places)
        work.moved(item)
    work.details = DocumentDetails(location=command.location)


@handles(commands.PostConsumption, check=_lines)
def consumption(command: commands.PostConsumption, work: Work) -> None:
    """CONSUME per line; refuses a line short of available stock (all or nothing)."""
    _outbound(command, work, StockItem.consume)


@handles(commands.PostWaste, check=_noted_lines)
def waste(command: commands.PostWaste, work: Work) -> None:
    """WASTE per line, with a required note; refuses a line short of available stock."""
    _outbound(command, work, StockItem.waste)


@handles(commands.PostDelivery, check=_lines)
def delivery(command: commands.PostDelivery, work: Work) -> None:
    """SHIP per line. Against a quote (which must exist) the Quote checks its own delivery —
    same location, skus on the quote, each line ≤ its outstanding quantity — and the
    reservation is consumed; without one each line draws on available stock."""
    measures = [_measure(work, line, index) for index, line in enumerate(command.lines)]
    if command.quote_id is not None:
        quote = work.take(Quote.create_id(command.quote_id))
        if not isinstance(quote, Quote):
            raise ValidationError(f"quote {command.quote_id} not found", [{"field": "quote_id"}])
        shipped = [(line.sku, m.quantity) for line, m in zip(command.lines, measures, strict=True)]
        quote.deliver(command.delivery_id, command.location, shipped, work.user)
        work.keep(quote)
    for index, (line, measured) in enumerate(zip(command.lines, measures, strict=True)):
        item = work.item(line.sku, command.location)
        quantity = measured.quantity
        reserved = quantity if command.quote_id is not None else Decimal(0)
        src = work.src(index, None, measured)
        value = item.ship(quantity, src, work.at, work.places, reserved=reserved)
        work.moved(item)
        work.shipped.append(
            {
                "sku": line.sku,
                "quantity": quantity,
                "value": -value,
                "returned_qty": Decimal(0),
                "returned_value": Decimal(0),
            }
        )
    work.details = DocumentDetails(location=command.location, quote_id=command.quote_id)


@handles(commands.PostReturn, check=_lines)
def return_(command: commands.PostReturn, work: Work) -> None:
    """RETURN per line against a delivery, taking back its value proportionally; never
    more than the delivery shipped and has not had back (Document.allocate_return)."""
    ledger = work.ledger
    delivery = ledger.get(Document, Document.create_id(DocType.DELIVERY.value, command.delivery_id))
    if delivery is None:
        raise ValidationError(
            f"delivery {command.delivery_id} not found", [{"field": "delivery_id"}]
        )
    location = delivery.details.location
    assert location is not None
    returned = []
    for index, line in enumerate(command.lines):
        measured = _measure(work, line, index)
        returned.append((line.sku, measured.quantity))
        parts = delivery.allocate_return(line.sku, measured.quantity, work.places)
        delivery.record_return(command.return_id, parts, work.user)
        item = work.item(line.sku, location)
        for _, quantity, value in parts:
            src = work.src(index, command.note, measured)
            item.take_back(quantity, value, src, work.at, work.places)
            work.moved(item)
    work.keep(delivery)
    quote_id = delivery.details.quote_id
    quote = ledger.get(Quote, Quote.create_id(quote_id)) if quote_id else None
    if quote is not None and quote.take_back(command.return_id, returned, work.user):
        work.keep(quote)
    work.details = DocumentDetails(location=location, delivery_id=command.delivery_id)


def _transfer_rules(command: commands.PostTransfer) -> None:
    bounds.check_lines(command.lines)
    if command.from_location == command.to_location:
        raise ValidationError(
            "a transfer needs two different locations", [{"field": "to_location"}]
        )


@handles(commands.PostTransfer, check=_transfer_rules)
def transfer(command: commands.PostTransfer, work: Work) -> None:
    """TRANSFER_OUT at the source and TRANSFER_IN at the destination per line, carrying
    exactly the value that left; atomic over every line; two different locations."""
    for index, line in enumerate(command.lines):
        source = work.item(line.sku, command.from_location)
        target = work.item(line.sku, command.to_location)
        measured = _measure(work, line, index)
        src = work.src(index, command.note, measured)
        value = source.transfer_out(measured.quantity, src, work.at, work.places)
        work.moved(source)
        target.transfer_in(measured.quantity, -value, src, work.at, work.places)
        work.moved(target)
    work.details = DocumentDetails(
        from_location=command.from_location, to_location=command.to_location
    )


def _noted(command: commands.PostAdjustment) -> None:
    require_note(command.note)


@handles(commands.PostAdjustment, check=_noted)
def adjustment(command: commands.PostAdjustment, work: Work) -> None:
    """One ADJUSTMENT by a signed quantity ≠ 0, with a note (admin)."""
    item = work.item(command.sku, command.location)
    measured = work.measure(command.sku, command.quantity, command.unit, "unit")
    src = work.src(0, command.note, measured)
    item.adjust(measured.quantity, command.unit_cost, src, work.at, work.places)
    work.moved(item)
    work.details = DocumentDetails(location=command.location)


def _count_rules(command: commands.PostCount) -> None:
    _noted_lines(command)
    skus = [line.sku for line in command.lines]
    counted = [line.counted for line in command.lines]
    counts.check_count(skus, counted, command.counted_at)


@handles(commands.PostCount, check=_count_rules)
def count(command: commands.PostCount, work: Work) -> None:
    """ADJUSTMENT per line by counted − on_hand at the observation time, computed from the
    ledger at that time (domain.counts); a line with no difference posts nothing. At a
    position owing sales' consumption then (SPEC §17) the shelf's count is what is left
    after the owed is served: the adjustment is counted + owed − on_hand, and the owed is
    then settled."""
    seen_at = counts.observed_at(command.counted_at, work.at)
    for index, line in enumerate(command.lines):
        check_code(line.sku, "sku")
        work.measures.require(line.sku, command.location)
        counted = _counted(work, line, index)
        item_id = StockItem.create_id(line.sku, command.location)
        on_hand, owed = book_at(work.ledger, item_id, seen_at)
        change = counts.difference(counted.quantity + owed, on_hand)
        if change:
            item = work.item(line.sku, command.location)
            src = work.src(index, command.note, counted)
            item.adjust(change, line.unit_cost, src, work.at, work.places)
            work.moved(item)
    work.details = DocumentDetails(location=command.location, counted_at=seen_at.isoformat())


def _unit(index: int) -> str:
    return f"lines[{index}].unit"


def _measure(work: Work, line: commands.Line, index: int) -> Measured:
    return work.measure(line.sku, line.quantity, line.unit, _unit(index))


def _counted(work: Work, line: commands.CountLine, index: int) -> Measured:
    """A count line's counted quantity in base units; a zero count in a pack unit counts
    zero base units (its unit is still checked)."""
    if line.counted != 0:
        return work.measure(line.sku, line.counted, line.unit, _unit(index))
    measured = work.measure(line.sku, Decimal(1), line.unit, _unit(index))
    entered = replace(measured.entered, quantity=line.counted) if measured.entered else None
    return Measured(line.counted, measured.unit, entered)


def on_hand_at(ledger: LedgerPort, item_id: UUID, at: datetime) -> Decimal:
    """Units on hand just after the last movement recorded at or before ``at``."""
    return book_at(ledger, item_id, at)[0]


def book_at(ledger: LedgerPort, item_id: UUID, at: datetime) -> tuple[Decimal, Decimal]:
    """(units on hand, units owed) just after the last movement recorded at or before
    ``at``."""
    upper: int | None = None
    while True:
        page = list(ledger.events.get(item_id, lte=upper, desc=True, limit=200))
        for event in page:
            if isinstance(event, Movement) and event.timestamp <= at:
                return event.on_hand_after, event.owed_after or Decimal(0)
        if len(page) < 200:
            return Decimal(0), Decimal(0)
        upper = page[-1].originator_version - 1
