"""``count_sheets``: one row per count sheet (SPEC §13) for the list of sheets and the
AvT report's boundaries; ``CountSheetView``, its queries.

A row holds the sheet's location, kind, state, observation time, its progress (lines
counted / lines, the counted (area, sku) keys as JSON) and ``approved_position``, the
position of its Approved event: the save that approved it recorded the count's
adjustments before it, so an AvT interval "after the opening count, up to and including
the closing count" is (opening's approved_position, closing's approved_position].
A single sheet with its lines is read from the ledger itself (api.routers.count_sheets).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from application.errors import NotFoundError
from domain.count_sheet import CountSheet
from domain.errors import ValidationError
from projections.base import Column, Key, Projection, Rows
from projections.db import Session
from projections.live_read import View, read_live

SHEET_TOPICS = frozenset(
    cls.TOPIC
    for cls in (
        CountSheet.Created,
        CountSheet.Entered,
        CountSheet.Submitted,
        CountSheet.Approved,
        CountSheet.Rejected,
    )
)
STATES = ("open", "submitted", "approved")


class CountSheets(Projection):
    NAME = "count_sheets"
    VERSION = 1
    TOPICS = SHEET_TOPICS
    COLUMNS = (
        Column("sheet_id", "text"),
        Column("count_id", "text"),
        Column("location", "text"),
        Column("kind", "text"),
        Column("state", "text"),
        Column("counted_at", "time"),
        Column("note", "text", True),
        Column("lines", "text"),
        Column("counted", "int"),
        Column("total", "int"),
        Column("opened_by", "text"),
        Column("approved_position", "int", True),
        Column("position", "int"),
    )
    KEY = ("sheet_id",)
    INDEXES = (("location", "approved_position"), ("state", "counted_at"))

    def key_of(self, event: Any, position: int) -> Key:
        return (str(event.originator_id),)

    def fold(self, rows: Rows, event: Any, position: int) -> None:
        key = (str(event.originator_id),)
        if isinstance(event, CountSheet.Created):
            lines = {f"{ln['area']}\n{ln['sku']}": 0 for ln in event.lines}
            rows[key] = {
                "sheet_id": key[0],
                "count_id": event.count_id,
                "location": event.location,
                "kind": event.kind,
                "state": "open",
                "counted_at": event.counted_at,
                "note": event.note,
                "lines": json.dumps(lines, sort_keys=True),
                "counted": 0,
                "total": len(lines),
                "opened_by": event.user,
                "approved_position": None,
                "position": position,
            }
            return
        row = dict(rows[key])
        row["position"] = position
        if isinstance(event, CountSheet.Entered):
            lines = json.loads(row["lines"])
            lines[f"{event.area}\n{event.sku}"] = 1
            row["lines"] = json.dumps(lines, sort_keys=True)
            row["counted"], row["total"] = sum(lines.values()), len(lines)
        elif isinstance(event, CountSheet.Submitted):
            row["state"] = "submitted"
        elif isinstance(event, CountSheet.Rejected):
            row["state"] = "open"
        elif isinstance(event, CountSheet.Approved):
            row["state"], row["approved_position"] = "approved", position
        rows[key] = row


@dataclass(frozen=True)
class SheetRow:
    """A sheet as the list shows it (API.md's Sheet without lines)."""

    count_id: str
    location: str
    kind: str
    state: str
    counted_at: datetime
    note: str | None
    counted: int
    total: int
    approved_position: int | None


class CountSheetView(View[CountSheets]):
    def _rows(self, where: str, params: list[Any]) -> tuple[list[SheetRow], int]:
        def work(session: Session, table: str) -> list[dict[str, Any]]:
            return self.projection.select(session, table, where, params)

        rows, position = read_live(self.db, self.projection, work)
        return [_sheet(row) for row in rows], position

    def sheets(
        self, location: str | None, state: str | None, limit: int = 500
    ) -> tuple[list[SheetRow], int]:
        """Sheets, newest observation first, of a location and/or a state."""
        if state is not None and state not in STATES:
            raise ValidationError(f"state is one of {', '.join(STATES)}", [{"field": "state"}])
        where: list[str] = ["1 = 1"]
        params: list[Any] = []
        for clause, value in (("location = ?", location), ("state = ?", state)):
            if value is not None:
                where.append(clause)
                params.append(value)
        order = f" ORDER BY counted_at DESC, count_id LIMIT {int(limit)}"
        return self._rows(" AND ".join(where) + order, params)

    def approved_full(self, location: str) -> tuple[list[SheetRow], int]:
        """A location's approved full counts, in ledger order."""
        return self._rows(
            "location = ? AND kind = ? AND state = ? ORDER BY approved_position",
            [location, "full", "approved"],
        )


def _sheet(row: dict[str, Any]) -> SheetRow:
    return SheetRow(
        count_id=row["count_id"],
        location=row["location"],
        kind=row["kind"],
        state=row["state"],
        counted_at=row["counted_at"],
        note=row["note"],
        counted=row["counted"],
        total=row["total"],
        approved_position=row["approved_position"],
    )


def compared(
    sheets: list[SheetRow], location: str, from_count: str | None, to_count: str | None
) -> tuple[SheetRow, SheetRow]:
    """The two approved full counts an AvT report compares, from a location's approved full
    counts in ledger order: those named, else the closing one's predecessor and the last
    (NotFoundError when there are not two, or the opening is not before the closing)."""
    by_id = {s.count_id: s for s in sheets}
    for name in (from_count, to_count):
        if name is not None and name not in by_id:
            raise NotFoundError(f"{name} is not an approved full count of {location}")
    ordered = [s.count_id for s in sheets]
    to_id = to_count or (ordered[-1] if ordered else None)
    from_id = from_count
    if from_id is None and to_id is not None:
        earlier = ordered[: ordered.index(to_id)]
        from_id = earlier[-1] if earlier else None
    if from_id is None or to_id is None:
        raise NotFoundError(f"{location} has no two approved full counts to compare")
    first, last = by_id[from_id], by_id[to_id]
    if (first.approved_position or 0) >= (last.approved_position or 0):
        raise NotFoundError(f"count {from_id} is not before count {to_id}")
    return first, last
