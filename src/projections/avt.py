"""The AvT report's queries (SPEC §13): ``sale_lines``, the revenue side, and ``AvtView``.

``sale_lines`` folds the documents whose lines carry revenue (``domain.avt.
REVENUE_DOCUMENTS``: a sale, and a void with the sign taking it back): one append-only row
per document line with its position, location, menu item, quantity, revenue and whether it
was unmapped (revenue, no recipe).

``AvtView`` reads, in one snapshot of the ``movements`` and ``sale_lines`` tables, by ledger
position: each SKU's book at both boundaries (its last movement at or before them), the
interval's movements summed per (SKU, kind, of a sale?) in SQL (``Dialect.exact_sum``), and
the interval's revenue; ``domain.avt`` does the arithmetic. ``movements`` lists the
movements behind one figure (the drill-down).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

from application.records import MovementRecord
from domain import avt
from domain.documents import Document, DocumentDetails
from projections.base import Column, Key, Projection, Rows
from projections.db import Database, Session
from projections.dialects import decode
from projections.movements import FIELDS, Movements
from projections.registry import entry

T = TypeVar("T")
ZERO = Decimal(0)
# A CONSUME is a sale's when its document is a sale or it names a menu item (an owed
# quantity settled later, linked to its sale).
_SALES = ", ".join(f"'{doc}'" for doc in sorted(avt.SALE_DOCUMENTS))
OF_SALE = f"(document_type IN ({_SALES}) OR menu_item IS NOT NULL)"


class SaleLines(Projection):
    NAME = "sale_lines"
    VERSION = 1
    TOPICS = frozenset({Document.Created.TOPIC})
    COLUMNS = (
        Column("position", "int"),
        Column("line", "int"),
        Column("location", "text"),
        Column("document_type", "text"),
        Column("document_id", "text"),
        Column("menu_item", "text"),
        Column("quantity", "num"),
        Column("revenue", "num"),
        Column("unmapped", "int"),
    )
    KEY = ("position", "line")
    INDEXES = (("location", "position"),)
    APPEND_ONLY = True

    def keys_of(self, event: Any, position: int) -> list[Key]:
        if event.doc_type not in avt.REVENUE_DOCUMENTS:
            return []
        return [(position, number) for number in range(len(event.lines))]

    def fold(self, rows: Rows, event: Any, position: int) -> None:
        sign = avt.REVENUE_DOCUMENTS.get(event.doc_type)
        if sign is None:
            return
        where = DocumentDetails.of(event.details).location
        for number, line in enumerate(event.lines):
            rows[(position, number)] = {
                "position": position,
                "line": number,
                "location": line.get("location") or where,
                "document_type": event.doc_type,
                "document_id": event.doc_id,
                "menu_item": line["menu_item"],
                "quantity": sign * Decimal(line["quantity"]),
                "revenue": sign * Decimal(line["revenue"]),
                "unmapped": 1 if line.get("unmapped") else 0,
            }


@dataclass(frozen=True)
class Interval:
    location: str
    after: int  # the opening count's approved position
    upto: int  # the closing count's


@dataclass(frozen=True)
class AvtFigures:
    """What the report is made of, read in one snapshot."""

    rows: list[dict[str, Any]]  # sku, unit and domain.avt.row's amounts
    revenue: Decimal
    unmapped_revenue: Decimal
    unmapped: list[dict[str, Any]]  # menu_item, sold_qty, revenue
    position: int


class AvtView:
    def __init__(self, db: Database, movements: Movements, sales: SaleLines) -> None:
        self.db = db
        self.movements = movements
        self.sales = sales

    def _read(self, work: Callable[[Session, str, str], T]) -> tuple[T, int]:
        """``work(session, movements table, sale_lines table)`` in one snapshot, and the
        lower of the two read models' positions."""
        with self.db.session() as session, session.transaction(write=False):
            moved = entry(session, self.movements.NAME)
            sold = entry(session, self.sales.NAME)
            assert moved is not None and sold is not None
            found = work(
                session,
                self.movements.table(moved.generation),
                self.sales.table(sold.generation),
            )
            return found, min(moved.position, sold.position)

    def position(self) -> int:
        return self._read(lambda session, m, s: 0)[1]

    def figures(self, interval: Interval) -> AvtFigures:
        def work(session: Session, moved: str, sold: str) -> AvtFigures:
            loc, after, upto = interval.location, interval.after, interval.upto
            opening = _books(session, moved, loc, after)
            closing = _books(session, moved, loc, upto)
            sums = _sums(session, moved, loc, after, upto)
            skus = sorted(set(opening) | set(closing) | set(sums))
            rows = []
            for sku in skus:
                first = opening.get(sku, (avt.Book(ZERO, ZERO), None))
                last = closing.get(sku, (avt.Book(ZERO, ZERO), None))
                parts, unit = sums.get(sku, ([], None))
                amounts = avt.row(first[0], last[0], parts)
                rows.append({"sku": sku, "unit": unit or last[1] or first[1], **amounts})
            revenue, unmapped_revenue, unmapped = _revenue(session, sold, loc, after, upto)
            return AvtFigures(rows, revenue, unmapped_revenue, unmapped, 0)

        found, position = self._read(work)
        return AvtFigures(
            found.rows, found.revenue, found.unmapped_revenue, found.unmapped, position
        )

    def behind(self, interval: Interval, sku: str, column: str) -> tuple[list[MovementRecord], int]:
        """The movements behind one figure of a SKU's row: a flow or usage column's movements
        in the interval (``actual``: every usage movement); ``opening``/``closing``: the
        movement whose after-figures are the book at that boundary."""
        names = [c for c in avt.COLUMNS if c not in ("opening", "closing", "actual")]
        wanted = names if column == "actual" else [column]
        clauses: list[str] = []
        for name in wanted:
            for kind, sale in avt.kinds_of(name):
                if column == "actual" and kind in avt.FLOWS:
                    continue
                test = "" if sale is None else f" AND {'' if sale else 'NOT '}{OF_SALE}"
                clauses.append(f"(kind = '{kind}'{test})")

        def work(session: Session, moved: str, sold: str) -> list[dict[str, Any]]:
            cols = ", ".join(self.movements.names())
            base = f"SELECT {cols} FROM {moved} WHERE location = ? AND sku = ?"
            if column in ("opening", "closing"):
                at = interval.after if column == "opening" else interval.upto
                sql = f"{base} AND position <= ? ORDER BY position DESC LIMIT 1"
                params: list[Any] = [_text(session, interval.location), _text(session, sku), at]
            else:
                where = " OR ".join(clauses) or "1 = 0"
                sql = f"{base} AND position > ? AND position <= ? AND ({where}) ORDER BY position"
                params = [
                    _text(session, interval.location),
                    _text(session, sku),
                    interval.after,
                    interval.upto,
                ]
            found = session.execute(sql, params)
            return [self.movements.from_db(values) for values in found]

        rows, position = self._read(work)
        return [_record(row) for row in rows], position


def _books(
    session: Session, table: str, location: str, at: int
) -> dict[str, tuple[avt.Book, str | None]]:
    """Each SKU's book on-hand and value just after position ``at`` (its last movement)."""
    sql = (
        f"SELECT m.sku, m.on_hand_after, m.value_after, m.unit FROM {table} m JOIN "
        f"(SELECT sku, MAX(position) AS p FROM {table} WHERE location = ? AND position <= ? "
        "GROUP BY sku) last ON m.position = last.p"
    )
    found = session.execute(sql, [_text(session, location), at])
    return {sku: (avt.Book(decode(q, "num"), decode(v, "num")), unit) for sku, q, v, unit in found}


def _sums(
    session: Session, table: str, location: str, after: int, upto: int
) -> dict[str, tuple[list[avt.Sums], str | None]]:
    """The interval's movements per (SKU, kind, of a sale?): Σ on-hand delta and Σ value."""
    dialect = session.dialect
    sql = (
        f"SELECT sku, kind, CASE WHEN {OF_SALE} THEN 1 ELSE 0 END AS of_sale, "
        f"{dialect.exact_sum('on_hand_delta')}, {dialect.exact_sum('value')}, MAX(unit) "
        f"FROM {table} WHERE location = ? AND position > ? AND position <= ? "
        "GROUP BY sku, kind, of_sale"
    )
    out: dict[str, tuple[list[avt.Sums], str | None]] = {}
    for sku, kind, of_sale, quantity, value, unit in session.execute(
        sql, [_text(session, location), after, upto]
    ):
        sku = decode(sku, "text")
        parts, known = out.get(sku, ([], None))
        part = avt.Sums(
            decode(kind, "text"),
            bool(of_sale),
            decode(quantity, "num") or ZERO,
            decode(value, "num") or ZERO,
        )
        out[sku] = ([*parts, part], known or decode(unit, "text"))
    return out


def _revenue(
    session: Session, table: str, location: str, after: int, upto: int
) -> tuple[Decimal, Decimal, list[dict[str, Any]]]:
    """The interval's revenue, its unmapped part, and the unmapped menu items."""
    dialect = session.dialect
    sql = (
        f"SELECT menu_item, unmapped, {dialect.exact_sum('quantity')}, "
        f"{dialect.exact_sum('revenue')} FROM {table} "
        "WHERE location = ? AND position > ? AND position <= ? GROUP BY menu_item, unmapped"
    )
    revenue = unmapped_revenue = ZERO
    unmapped: list[dict[str, Any]] = []
    for menu_item, flag, quantity, amount in session.execute(
        sql, [_text(session, location), after, upto]
    ):
        amount = decode(amount, "num") or ZERO
        revenue += amount
        if flag:
            unmapped_revenue += amount
            sold = decode(quantity, "num") or ZERO
            unmapped.append(
                {"menu_item": decode(menu_item, "text"), "sold_qty": sold, "revenue": amount}
            )
    return revenue, unmapped_revenue, sorted(unmapped, key=lambda u: u["menu_item"])


def _text(session: Session, value: str) -> Any:
    return session.dialect.encode(value, "text")


def _record(row: dict[str, Any]) -> MovementRecord:
    return MovementRecord(
        position=row["position"],
        recorded_at=row["recorded_at"],
        **{name: row[column] for name, column in FIELDS},
    )
