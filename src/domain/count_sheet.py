"""Counts on sheets (SPEC §13): the count sheet a clerk fills (the storage areas that lay
it out: domain.storage_areas).

``CountSheet`` is one count, idempotent by ``count_id``: a location, a kind (``full`` or
``spot``) and the observation time ``counted_at``. Its lines are the SKUs of the areas (a
full count adds every SKU with stock at the location under ``NOT_IN_AREA``). Each entry is
recorded at once (``Entered``, the quantity in base units and as typed); a later entry for
the same (area, sku) replaces it. ``open`` → ``submitted`` → ``approved`` (what it posts is
``approve``'s answer: counted units per SKU, areas summed) or back to ``open`` (rejected
with a note). Nothing here touches stock: the count document is posted by the approval.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from domain import bounds
from domain.codes import check_code
from domain.errors import InvalidStateError, ValidationError
from domain.recorded import Named, Recorded
from domain.storage_areas import MAX_NAME, NOT_IN_AREA

KINDS = ("full", "spot")
MAX_NOTE = 1000
# The earliest observation a sheet may name: a count of stock is never older than this.
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)


class UncountedLinesError(InvalidStateError):
    """A full count approved with lines nobody counted (and no ``uncounted: "zero"``)."""


class CountSheet(Named, id_prefix="count_sheet"):
    """One count of a location, from opening to approval."""

    TOPIC = "stockledger:CountSheet"

    class Created(Recorded.Created):
        count_id: str
        location: str
        kind: str
        counted_at: datetime
        note: str | None
        lines: list[dict[str, Any]]
        fingerprint: str
        user: str

    class Entered(Recorded.Event):
        sku: str
        area: str
        quantity: Decimal
        unit: str | None
        entered: dict[str, Any] | None
        user: str

        def apply(self, aggregate: Any) -> None:
            key = (self.area, self.sku)
            if key not in aggregate.entries:
                aggregate.order.append(key)
            aggregate.entries[key] = {
                "quantity": self.quantity,
                "unit": self.unit,
                "entered": self.entered,
                "user": self.user,
            }

    class Submitted(Recorded.Event):
        user: str

        def apply(self, aggregate: Any) -> None:
            aggregate.state = "submitted"

    class Approved(Recorded.Event):
        user: str
        uncounted: str | None

        def apply(self, aggregate: Any) -> None:
            aggregate.state = "approved"

    class Rejected(Recorded.Event):
        user: str
        note: str

        def apply(self, aggregate: Any) -> None:
            aggregate.state = "open"
            aggregate.rejections.append(self.note)

    def __init__(
        self,
        count_id: str,
        location: str,
        kind: str,
        counted_at: datetime,
        note: str | None,
        lines: list[dict[str, Any]],
        fingerprint: str,
        user: str,
    ) -> None:
        self.count_id = count_id
        self.location = location
        self.kind = kind
        self.counted_at = counted_at
        self.note = note
        self.fingerprint = fingerprint
        self.state = "open"
        self.rejections: list[str] = []
        self.order: list[tuple[str, str]] = [(ln["area"], ln["sku"]) for ln in lines]
        self.entries: dict[tuple[str, str], dict[str, Any] | None] = dict.fromkeys(self.order)

    @classmethod
    def open(
        cls,
        count_id: str,
        location: str,
        kind: str,
        counted_at: datetime,
        now: datetime,
        note: str | None,
        lines: list[dict[str, Any]],
        fingerprint: str,
        user: str,
    ) -> CountSheet:
        """A new open sheet; refuses an unknown kind and a ``counted_at`` in the future,
        before ``EARLIEST`` (an observation time the read side's time columns can hold in any
        zone) or without a UTC offset (422)."""
        check_code(count_id, "count_id")
        check_code(location, "location")
        if kind not in KINDS:
            raise ValidationError("kind is full or spot", [{"field": "kind"}])
        if counted_at.tzinfo is None:
            raise ValidationError("counted_at needs a UTC offset", [{"field": "counted_at"}])
        if counted_at > now:
            raise ValidationError("counted_at is in the future", [{"field": "counted_at"}])
        if counted_at < EARLIEST:
            raise ValidationError(
                f"counted_at is before {EARLIEST.date().isoformat()}", [{"field": "counted_at"}]
            )
        if note is not None and len(note) > MAX_NOTE:
            raise ValidationError("note is too long", [{"field": "note"}])
        return cls(count_id, location, kind, counted_at, note, lines, fingerprint, user)

    # -- entries ---------------------------------------------------------------------------

    def area_of(self, sku: str, area: str | None) -> str:
        """The area an entry for ``sku`` goes to: the one named; else the one line of the
        sheet with that SKU; else NOT_IN_AREA. Refuses a SKU in several areas without one."""
        if area is not None:
            if not area.strip() or len(area) > MAX_NAME:
                raise ValidationError("an area name is 1–100 characters", [{"field": "area"}])
            return area
        found = [a for a, s in self.order if s == sku]
        if len(found) > 1:
            message = f"{sku} sits in several areas ({', '.join(found)}): name the area"
            raise ValidationError(message, [{"field": "area", "areas": found}])
        return found[0] if found else NOT_IN_AREA

    def enter(
        self,
        sku: str,
        area: str | None,
        quantity: Decimal,
        unit: str | None,
        entered: dict[str, Any] | None,
        user: str,
    ) -> str:
        """Records one entry (base units ≥ 0) on an open sheet; the area it went to."""
        self._need("open", "enter a line")
        check_code(sku, "sku")
        bounds.check_quantity(quantity, "quantity", allow_zero=True)
        where = self.area_of(sku, area)
        self.trigger_event(
            self.Entered,
            sku=sku,
            area=where,
            quantity=quantity,
            unit=unit,
            entered=entered,
            user=user,
        )
        return where

    def submit(self, user: str) -> None:
        self._need("open", "submit")
        self.trigger_event(self.Submitted, user=user)

    def reject(self, note: str, user: str) -> None:
        """Back to open, with the reason (a note of 1–1000 characters)."""
        self._need("submitted", "reject")
        if not note.strip() or len(note) > MAX_NOTE:
            raise ValidationError("a rejection needs a note", [{"field": "note"}])
        self.trigger_event(self.Rejected, user=user, note=note)

    def approve(self, uncounted: str | None, user: str) -> dict[str, Decimal]:
        """Approves a submitted sheet; the counted units per SKU (areas summed) it posts.
        A full count with uncounted lines is refused naming them (UncountedLinesError),
        unless ``uncounted`` is ``"zero"``; a spot count posts only what was counted."""
        self._need("submitted", "approve")
        if uncounted not in (None, "zero"):
            raise ValidationError('uncounted is "zero" or absent', [{"field": "uncounted"}])
        missing = self.uncounted()
        if self.kind == "full" and missing and uncounted != "zero":
            names = ", ".join(f"{sku} ({area})" for area, sku in missing)
            raise UncountedLinesError(
                f"uncounted lines: {names}",
                [{"sku": sku, "area": area} for area, sku in missing],
            )
        counted: dict[str, Decimal] = {}
        for (_, sku), entry in self.entries.items():
            if entry is not None:
                counted[sku] = counted.get(sku, Decimal(0)) + entry["quantity"]
            elif self.kind == "full":
                counted.setdefault(sku, Decimal(0))
        self.trigger_event(self.Approved, user=user, uncounted=uncounted)
        return counted

    def uncounted(self) -> list[tuple[str, str]]:
        """The (area, sku) lines without an entry, in sheet order."""
        return [key for key in self.order if self.entries[key] is None]

    def progress(self) -> dict[str, tuple[int, int]]:
        """Per area in sheet order: (counted lines, lines)."""
        out: dict[str, tuple[int, int]] = {}
        for key in self.order:
            done, total = out.get(key[0], (0, 0))
            out[key[0]] = (done + (self.entries[key] is not None), total + 1)
        return out

    def _need(self, state: str, action: str) -> None:
        if self.state != state:
            raise InvalidStateError(
                f"cannot {action}: count {self.count_id} is {self.state}",
                [{"count_id": self.count_id, "state": self.state}],
            )
