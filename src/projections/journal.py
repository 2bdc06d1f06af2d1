"""``JournalView``: the ``movements`` read model seen across positions, for the console.

- the document journal: every movement, newest first, filtered by document type, day (in
  the ledger's zone) and user;
- the movements behind a report figure: one period at one location (optionally one SKU),
  of the kinds that make the figure;
- the movements behind a menu item's food cost: its sales' CONSUMEs at one location in one
  period;
- a position's latest movements (the item page's chart).

Every query is bounded (a page of at most ``limit`` rows, cursor = last position seen) and
reads one snapshot of the live generation, like every view.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

from application.records import MovementRecord
from domain.books import check_period
from domain.errors import ValidationError
from domain.movements import DocType, Kind
from projections.db import Session
from projections.live_read import Page, View, check_limit, paged, read_cursor, read_live
from projections.movements import Movements, _record


class JournalView(View[Movements]):
    def _rows(self, where: list[str], params: list[Any], order: str, limit: int) -> Any:
        def work(session: Session, table: str) -> list[dict[str, Any]]:
            encode = session.dialect.encode
            values = [encode(v, "time") if isinstance(v, datetime) else v for v in params]
            clause = " AND ".join(where) or "1 = 1"
            return self.projection.select(
                session, table, f"{clause} ORDER BY {order} LIMIT {limit}", values
            )

        return read_live(self.db, self.projection, work)

    def _page(
        self, where: list[str], params: list[Any], limit: int, cursor: str | None, newest: bool
    ) -> Page[MovementRecord]:
        """A page of the movements ``where`` holds, newest or oldest first; the cursor is the
        last position shown."""
        check_limit(limit)
        seen = read_cursor(cursor, lambda v: isinstance(v, int) and not isinstance(v, bool))
        if seen is not None:
            where, params = [*where, "position < ?" if newest else "position > ?"], [*params, seen]
        order = "position DESC" if newest else "position"
        rows, position = self._rows(where, params, order, limit + 1)
        return paged([_record(r) for r in rows], limit, position, lambda m: m.position)

    def _day(self, day: date) -> tuple[datetime, datetime]:
        start = datetime.combine(day, time(), tzinfo=self.projection.zone)
        return start, datetime.combine(day + timedelta(days=1), time(), self.projection.zone)

    def _period(self, period: str) -> tuple[datetime, datetime]:
        check_period(period)
        year, month = int(period[:4]), int(period[5:])
        following = (year + 1, 1) if month == 12 else (year, month + 1)
        zone = self.projection.zone
        return datetime(year, month, 1, tzinfo=zone), datetime(*following, 1, tzinfo=zone)

    def journal(
        self,
        document_type: str | None,
        document_id: str | None,
        day: date | None,
        user: str | None,
        limit: int,
        cursor: str | None,
    ) -> Page[MovementRecord]:
        """Movements newest first, of one document type (and id), day or user; the cursor is
        the last position shown."""
        where: list[str] = []
        params: list[Any] = []
        if document_type:
            where.append("document_type = ?")
            params.append(document_type)
        if document_id:
            where.append("document_id = ?")
            params.append(document_id)
        if user:
            where.append("actor = ?")
            params.append(user)
        if day is not None:
            where += ["recorded_at >= ?", "recorded_at < ?"]
            params += list(self._day(day))
        return self._page(where, params, limit, cursor, newest=True)

    def behind(
        self,
        period: str,
        location: str,
        sku: str,
        kinds: Sequence[str],
        limit: int,
        cursor: str | None,
    ) -> Page[MovementRecord]:
        """The movements of ``kinds`` at one position recorded in ``period``, oldest first:
        what one figure of a report sums (read through the (sku, location, recorded_at)
        index)."""
        unknown = [kind for kind in kinds if kind not in Kind.__members__]
        if unknown or not kinds:
            raise ValidationError(f"unknown kinds {unknown}", [{"field": "kinds"}])
        start, end = self._period(period)
        where = [
            "sku = ?",
            "location = ?",
            "recorded_at >= ?",
            "recorded_at < ?",
            f"kind IN ({', '.join('?' for _ in kinds)})",
        ]
        return self._page(where, [sku, location, start, end, *kinds], limit, cursor, newest=False)

    def sold(
        self, period: str, location: str, menu_item: str, limit: int, cursor: str | None
    ) -> Page[MovementRecord]:
        """The CONSUME movements of the sales of ``menu_item`` at ``location`` recorded in
        ``period``, oldest first: what its food cost sums (the ``food_cost`` fold's rows)."""
        start, end = self._period(period)
        where = [
            "document_type = ?",
            "kind = ?",
            "menu_item = ?",
            "location = ?",
            "recorded_at >= ?",
            "recorded_at < ?",
        ]
        params = [DocType.SALE.value, Kind.CONSUME.value, menu_item, location, start, end]
        return self._page(where, params, limit, cursor, newest=False)

    def recent(self, sku: str, location: str, limit: int) -> list[MovementRecord]:
        """A position's latest ``limit`` movements, oldest first."""
        check_limit(limit)
        rows, _ = self._rows(["sku = ?", "location = ?"], [sku, location], "position DESC", limit)
        return [_record(r) for r in reversed(rows)]
