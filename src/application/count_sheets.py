"""Count sheets and storage areas (SPEC §13): their commands and handlers.

Every step of a sheet is a command on the one posting path (``Ledger.execute``): opening
it, each entry, submitting, rejecting (``documented=False``: the sheet itself remembers
them) and approving, which is a documented ``count``: the sheet's Approved event, the
count's ADJUSTMENT movements (``application.documents.count``'s own semantics, SPEC §3:
counted − on_hand at ``counted_at``) and the Document record are one save, all or nothing,
and a repeat answers the original result. The sheet is saved last, so its Approved event's
position closes the interval an AvT report reads (every adjustment of the count lies
before it).

The storage areas are a register per location (``set_areas``: posting.retrying + saved).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from decimal import Decimal
from typing import Any

from application import posting
from application.commands import Command, CountLine, PostCount
from application.documents import count
from application.errors import NotFoundError
from application.ports import LedgerPort
from application.posting import handles
from application.records import CommandResult
from application.work import Work
from domain import counts
from domain.count_sheet import CountSheet
from domain.documents import fingerprint
from domain.errors import DocumentConflictError, UnknownLocationError
from domain.item import Location
from domain.movements import DocType
from domain.storage_areas import Area, StorageAreas, sheet_lines


@dataclass(frozen=True)
class SheetCommand(Command):
    """A command on the count sheet ``count_id``."""

    doc_type = DocType.COUNT
    count_id: str


@dataclass(frozen=True)
class OpenCountSheet(SheetCommand):
    """``stocked``: the SKUs with stock at the location when it is opened (a full count's
    lines outside every area), found by the caller; not part of the payload."""

    location: str
    kind: str
    counted_at: datetime | None = None
    note: str | None = None
    stocked: tuple[str, ...] = ()

    def payload(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)[1:-1]}


@dataclass(frozen=True)
class EnterCountLine(SheetCommand):
    sku: str
    quantity: Decimal
    unit: str | None = None
    area: str | None = None


@dataclass(frozen=True)
class SubmitCountSheet(SheetCommand):
    pass


@dataclass(frozen=True)
class RejectCountSheet(SheetCommand):
    note: str


@dataclass(frozen=True)
class ApproveCountSheet(SheetCommand):
    uncounted: str | None = None


def load(work: Work, count_id: str) -> CountSheet:
    """The sheet as recorded (NotFoundError when it was never opened)."""
    sheet = work.ledger.get(CountSheet, CountSheet.create_id(count_id))
    if sheet is None:
        raise NotFoundError(f"count sheet {count_id} not found")
    return sheet


def answered(work: Work, sheet: CountSheet) -> CommandResult:
    """The answer of a step that recorded nothing: the sheet's latest position."""
    (position,) = work.ledger.positions([(sheet.id, sheet.version)])
    return CommandResult(DocType.COUNT.value, sheet.count_id, [], position, False)


@handles(OpenCountSheet, documented=False)
def open_sheet(command: OpenCountSheet, work: Work) -> CommandResult | None:
    """A new open sheet with its lines (the location's areas, and for a full count every
    stocked SKU in none); a repeat with the same payload answers the sheet (200), another
    payload is a DocumentConflictError."""
    print_ = fingerprint(command.payload())
    found = work.ledger.get(CountSheet, CountSheet.create_id(command.count_id))
    if found is not None:
        if found.fingerprint != print_:
            raise DocumentConflictError(
                f"count sheet {command.count_id} was opened with another payload",
                [{"field": "count_id"}],
            )
        return answered(work, found)
    if work.ledger.settings.require_items and (
        work.measures.entry(Location, Location.create_id(command.location)) is None
    ):
        raise UnknownLocationError(
            f"location {command.location} is not declared", [{"field": "location"}]
        )
    areas = work.ledger.get(StorageAreas, StorageAreas.create_id(command.location))
    lines = sheet_lines(areas.areas if areas else [], list(command.stocked), command.kind)
    at = command.counted_at or work.at
    sheet = CountSheet.open(
        command.count_id,
        command.location,
        command.kind,
        at,
        work.at,
        command.note,
        lines,
        print_,
        work.user,
    )
    work.keep(sheet)
    return None


@handles(EnterCountLine, documented=False)
def enter_line(command: EnterCountLine, work: Work) -> None:
    """One entry, in base units (a pack unit converted by the item's measure); the last
    write of an (area, sku) wins."""
    sheet = load(work, command.count_id)
    measured = work.measure(command.sku, command.quantity, command.unit, "unit")
    entered = None
    if measured.entered is not None:
        e = measured.entered
        entered = {"quantity": e.quantity, "unit": e.unit, "factor": e.factor}
    sheet.enter(command.sku, command.area, measured.quantity, measured.unit, entered, work.user)
    work.keep(sheet)


@handles(SubmitCountSheet, documented=False)
def submit(command: SubmitCountSheet, work: Work) -> None:
    sheet = load(work, command.count_id)
    sheet.submit(work.user)
    work.keep(sheet)


@handles(RejectCountSheet, documented=False)
def reject(command: RejectCountSheet, work: Work) -> None:
    sheet = load(work, command.count_id)
    sheet.reject(command.note, work.user)
    work.keep(sheet)


@handles(ApproveCountSheet)
def approve(command: ApproveCountSheet, work: Work) -> None:
    """Approves a submitted sheet and posts its count document in the same save: one
    ADJUSTMENT per SKU by counted − on_hand at ``counted_at`` (SPEC §3; nothing for no
    difference). A full count with uncounted lines is refused (``uncounted_lines``) unless
    ``uncounted`` is ``"zero"``."""
    sheet = load(work, command.count_id)
    counted = sheet.approve(command.uncounted, work.user)
    lines = [CountLine(sku, quantity) for sku, quantity in counted.items()]
    counts.check_count([ln.sku for ln in lines], [ln.counted for ln in lines], None)
    note = sheet.note or f"count sheet {sheet.count_id}"
    posted = PostCount(sheet.count_id, sheet.location, lines, note, sheet.counted_at)
    count(posted, work)
    work.keep(sheet)  # last: its Approved event follows the count's adjustments


def set_areas(
    ledger: LedgerPort, location: str, areas: list[Area], user: str
) -> tuple[StorageAreas, int]:
    """Records a location's areas (walking order, shelf order); the register and the
    position of its latest change."""

    def attempt() -> tuple[StorageAreas, int] | None:
        found = ledger.get(StorageAreas, StorageAreas.create_id(location))
        register = found or StorageAreas(location)
        register.set(areas, user)
        if not register.pending_events:
            (position,) = ledger.positions([(register.id, register.version)])
            return register, position
        recordings = posting.saved(ledger, register)
        if recordings is None:
            return None
        return register, max(r.notification.id for r in recordings)

    return posting.retrying(attempt)


def areas_of(ledger: LedgerPort, location: str) -> tuple[list[Area], int]:
    """A location's areas and the position of their latest change (0: none set)."""
    found = ledger.get(StorageAreas, StorageAreas.create_id(location))
    if found is None:
        return [], 0
    (position,) = ledger.positions([(found.id, found.version)])
    return found.areas, position
