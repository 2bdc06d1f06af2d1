"""``GlJournalView``: what the general-ledger journal (SPEC §15) sums, read from the read
models the reports read.

The amounts are the ``cogs`` projection's roll-forward columns of the period (the SQL sums
of the valuation report, ``projections.cogs_view``), grouped by location and the item's
category (the ``items`` read model, joined by sku); the count of movements behind each
(location, category, kind) comes from the ``movements`` read model. The supplier invoices'
flows (kind ``SUPPLIER_INVOICE``: the invoiced value, i.e. the value billed at the receipts'
cost plus the difference the invoice's REVALUE/VARIANCE credited to grni, so a receipt
billed in full leaves grni at zero and payables are what suppliers billed) and their count of
invoices come from the ``billing`` read model, read in the same snapshot. Not to be confused
with ``projections.journal``, the document journal.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from domain.books import check_period
from domain.journal import SUPPLIER_INVOICE, Flow
from domain.movements import Kind
from domain.rollforward import COLUMN_OF_KIND
from projections.base import Projection
from projections.cogs import Cogs
from projections.db import Database, Session
from projections.dialects import decode
from projections.live_read import read_entry
from projections.registry import Entry, entry

ZERO = Decimal(0)
# The roll-forward value column of each kind the journal posts (the variance too).
VALUE_OF_KIND: dict[str, str] = {
    **{kind: f"{column}_value" for kind, column in COLUMN_OF_KIND.items()},
    Kind.VARIANCE: "variance_value",
}


@dataclass(frozen=True)
class GlJournalView:
    """The read models the journal sums, and the bounds of a period in the books' zone."""

    db: Database
    cogs: Cogs
    items: Projection
    movements: Projection
    billing: Projection | None
    bounds: Callable[[str], tuple[datetime, datetime]]

    def _table(self, session: Session, projection: Projection) -> str | None:
        found = entry(session, projection.NAME)
        return None if found is None else projection.table(found.generation)

    def flows(self, period: str) -> tuple[list[Flow], int]:
        """The period's sums per (location, category, kind), with their movement counts
        (invoice counts for the supplier invoices), and the position of the ``cogs`` read
        model they come from."""
        check_period(period)
        kinds = list(VALUE_OF_KIND)
        dialect = self.db.dialect
        sums = ", ".join(dialect.exact_sum(f"c.{VALUE_OF_KIND[k]}") for k in kinds)
        start, end = self.bounds(period)

        def work(session: Session, live: Entry) -> tuple[list[Any], list[Any], list[Any]]:
            table = self.cogs.table(live.generation)
            items = self._table(session, self.items)
            category = "i.category" if items else "NULL"
            join = f"LEFT JOIN {items} i ON i.sku = c.sku" if items else ""
            summed = session.execute(
                f"SELECT c.location, {category} AS category, {sums} FROM {table} c {join} "
                f"WHERE c.period = ? GROUP BY c.location, {category}",
                [period],
            )
            moved = self._table(session, self.movements)
            counted: list[Any] = []
            if moved is not None:
                mjoin = f"LEFT JOIN {items} i ON i.sku = m.sku" if items else ""
                encode = session.dialect.encode
                counted = session.execute(
                    f"SELECT m.location, {category} AS category, m.kind, COUNT(*) FROM {moved} m "
                    f"{mjoin} WHERE m.recorded_at >= ? AND m.recorded_at < ? "
                    f"GROUP BY m.location, {category}, m.kind",
                    [encode(start, "time"), encode(end, "time")],
                )
            billed: list[Any] = []
            bills = None if self.billing is None else self._table(session, self.billing)
            if bills is not None:
                bjoin = f"LEFT JOIN {items} i ON i.sku = b.sku" if items else ""
                total = f"{dialect.exact_sum('b.value')}, {dialect.exact_sum('b.difference')}"
                billed = session.execute(
                    f"SELECT b.location, {category} AS category, {total}, "
                    f"COUNT(DISTINCT b.invoice) FROM {bills} b {bjoin} "
                    f"WHERE b.period = ? GROUP BY b.location, {category}",
                    [period],
                )
            return summed, counted, billed

        (summed, counted, billed), position = read_entry(self.db, self.cogs, work)
        counts = {(r[0], r[1], r[2]): int(r[3]) for r in counted}
        out = []
        for row in summed:
            location, category = row[0], row[1]
            for kind, value in zip(kinds, row[2:], strict=True):
                amount = _number(value)
                if amount != 0:
                    count = counts.get((location, category, str(kind)), 0)
                    out.append(Flow(location, category, str(kind), amount, count))
        for location, category, value, difference, invoices in billed:
            amount = _number(value) + _number(difference)
            if amount != 0:
                out.append(Flow(location, category, SUPPLIER_INVOICE, amount, int(invoices)))
        return out, position

    def locations(self) -> set[str]:
        """Every location with a row in ``cogs``."""

        def work(session: Session, live: Entry) -> list[Any]:
            table = self.cogs.table(live.generation)
            return session.execute(f"SELECT DISTINCT location FROM {table}", [])

        found, _ = read_entry(self.db, self.cogs, work)
        return {row[0] for row in found}


def _number(value: Any) -> Decimal:
    return ZERO if value is None else Decimal(decode(value, "num"))
