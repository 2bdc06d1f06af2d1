"""The handler of a void (SPEC §17): sale lines taken back now, in the open period.

A void names a posted sale and some of its lines (by index; none named: every line not yet
voided). For each ingredient (movement line) of a voided sale line it cancels what the line
still owes at its position (OWED_CANCELLED, naming the sale line) and takes back every unit
the line consumed — at posting and by every settlement since (``domain.sale.SaleRecord``) —
as one VOID movement carrying exactly the value they left with (like a return). The sale's
record refuses a line voided before (409 naming it), so two voids racing on one line take
it back once. The void's document records, per voided line, its menu item, location,
quantity, revenue and the cost taken back (food cost nets them out, SPEC §9).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from decimal import Decimal
from typing import Any
from uuid import UUID

from application.commands import VoidSale
from application.errors import NotFoundError
from application.posting import handles
from application.work import Work
from domain.codes import check_code, require_note
from domain.documents import Document, DocumentDetails
from domain.errors import InvalidStateError, ValidationError
from domain.movements import DocType, Kind, Movement, Source
from domain.sale import SaleRecord

ZERO = Decimal(0)


def _rules(command: VoidSale) -> None:
    require_note(command.note)
    check_code(command.sale_id, "sale_id")
    if command.lines is None:
        return
    if not command.lines:
        raise ValidationError(
            "lines is empty (leave it out to void every line)", [{"field": "lines"}]
        )
    seen: set[int] = set()
    for index, line in enumerate(command.lines):
        if line < 0 or line in seen:
            raise ValidationError(
                f"line {line} is negative or named twice", [{"field": f"lines[{index}]"}]
            )
        seen.add(line)


def sale_document(work: Work, sale_id: str) -> Document:
    sale = work.ledger.get(Document, Document.create_id(DocType.SALE.value, sale_id))
    if sale is None:
        raise NotFoundError(f"sale {sale_id} not found")
    return sale


def sale_movements(work: Work, sale: Document) -> dict[int, list[Movement]]:
    """The sale's movements at posting (CONSUME and OWED), by movement line."""
    out: dict[int, list[Movement]] = {}
    for oid, version in sale.movements:
        (event,) = work.ledger.events.get(UUID(oid), gt=version - 1, lte=version)
        assert isinstance(event, Movement)
        out.setdefault(event.line, []).append(event)
    return out


def movement_lines(sale: Document, moved: dict[int, list[Movement]]) -> list[range]:
    """The movement lines of each sale line. A sale posted before SPEC §17 recorded no
    ``parts``: every line of one menu item and recipe version expanded alike, so its share of
    that item's movements is theirs divided by its lines."""
    kinds = Counter(
        (events[0].menu_item, events[0].recipe_version) for events in moved.values() if events
    )
    lines = Counter((ln["menu_item"], ln["recipe_version"]) for ln in sale.lines)
    out, first = [], 0
    for line in sale.lines:
        key = (line["menu_item"], line["recipe_version"])
        parts = line.get("parts", kinds[key] // lines[key] if lines[key] else 0)
        out.append(range(first, first + int(parts)))
        first += int(parts)
    return out


@handles(VoidSale, check=_rules)
def void(command: VoidSale, work: Work) -> None:
    """Voids the named lines of a posted sale (NotFoundError: no such sale; 422: a line it
    does not have; InvalidStateError: a line voided before, or nothing left to void)."""
    sale = sale_document(work, command.sale_id)
    record = work.sale_record(command.sale_id)
    if command.lines is None:
        lines = [i for i in range(len(sale.lines)) if record.void_of(i) is None]
        if not lines:
            raise InvalidStateError(f"sale {command.sale_id} is voided already")
    else:
        lines = list(command.lines)
        for index, line in enumerate(lines):
            if line >= len(sale.lines):
                raise ValidationError(
                    f"sale {command.sale_id} has no line {line}", [{"field": f"lines[{index}]"}]
                )
    record.void(command.void_id, lines, work.user)
    moved = sale_movements(work, sale)
    ranges = movement_lines(sale, moved)
    plan: list[tuple[int, int, list[Movement], Source]] = []
    for line in sorted(lines):
        for movement_line in ranges[line]:
            if events := moved.get(movement_line, []):
                src = _like(events[0], work.src(len(plan), command.note))
                plan.append((line, movement_line, events, src))
    # Every voided line's owed is cancelled before anything comes back: the stock this void
    # returns must not settle a line it takes back too (that line owes nothing any more).
    for _, movement_line, events, src in plan:
        first = events[0]
        item = work.item(first.sku, first.location)
        item.cancel_owed(command.sale_id, movement_line, src, work.at)  # noted by _take_back
    taken = dict.fromkeys(sorted(lines), ZERO)
    for line, movement_line, events, src in plan:
        taken[line] += _take_back(work, record, movement_line, events, src)
    for line, cost in taken.items():
        work.shipped.append(_voided(sale, line, cost))
    work.details = DocumentDetails(location=sale.details.location, posted_at=work.at.isoformat())


def _like(event: Movement, src: Source) -> Source:
    """The void's source for a movement line: its unit, menu item and recipe version."""
    return replace(
        src, unit=event.unit, menu_item=event.menu_item, recipe_version=event.recipe_version
    )


def _take_back(
    work: Work,
    record: SaleRecord,
    movement_line: int,
    events: list[Movement],
    src: Source,
) -> Decimal:
    """Takes back what a movement line consumed (at posting and by its settlements); returns
    the value taken back."""
    first = events[0]
    item = work.item(first.sku, first.location)
    consumed = [e for e in events if e.kind == Kind.CONSUME]
    quantity = sum((e.quantity for e in consumed), ZERO)
    value = -sum((e.value for e in consumed), ZERO)
    settled_qty, settled_value = record.settled_on(movement_line)
    quantity, value = quantity + settled_qty, value + settled_value
    if quantity:
        item.void(quantity, value, src, work.at, work.places)
    work.moved(item)  # its cancellation too
    return value


def _voided(sale: Document, line: int, cost: Decimal) -> dict[str, Any]:
    """A voided sale line as the void's document records it."""
    sold = sale.lines[line]
    return {
        "sale_id": sale.doc_id,
        "sale_line": line,
        "menu_item": sold["menu_item"],
        "location": sold.get("location", sale.details.location),
        "quantity": Decimal(sold["quantity"]),
        "revenue": Decimal(sold["revenue"]),
        "cost": cost,
    }
