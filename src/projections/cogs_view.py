"""``CogsView``: the COGS report and the valuation roll-forward, read from the ``cogs``
projection (projections.cogs).

The reports are ``domain.rollforward``'s ``cogs_of`` and ``valuation_rows`` (the formulas
period close and ``verify`` use) written as SQL the store runs exactly on every backend:
sums by ``Dialect.exact_sum``, the carry of an older row into a period by ``_carried``.
tests/projections/test_cogs.py holds both to the Python formulas.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from domain.books import check_period
from domain.grouping import group_keys
from domain.rollforward import AMOUNTS, COGS_AMOUNTS, COGS_SOURCES, cogs_of, period_of
from projections.cogs import Cogs
from projections.db import Database, Session
from projections.dialects import decode
from projections.live_read import View, equal_to, in_periods, read_entry, read_live
from projections.registry import Entry

__all__ = ["CogsView", "Report", "ReportRow", "Screen"]

ZERO = Decimal(0)
GROUPS = ("period", "location", "sku")


@dataclass(frozen=True)
class ReportRow:
    """One row of a report: its keys (None for a key not grouped by) and its amounts."""

    period: str | None
    location: str | None
    sku: str | None
    amounts: Mapping[str, Decimal]


@dataclass(frozen=True)
class Report:
    rows: list[ReportRow]
    totals: Mapping[str, Decimal]
    position: int


@dataclass(frozen=True)
class Screen:
    """One page of a report: its rows, the totals of every row; the page and row count."""

    report: Report
    number: int
    count: int


class CogsView(View[Cogs]):
    """The COGS report and the valuation roll-forward, each from one snapshot."""

    def __init__(self, db: Database, projection: Cogs, clock: Callable[[], datetime]) -> None:
        super().__init__(db, projection)
        self.clock = clock

    def cogs(
        self,
        from_: str | None,
        to: str | None,
        location: str | None,
        sku: str | None,
        group_by: Sequence[str],
    ) -> Report:
        """COGS per group; from/to are periods (inclusive). Groups with no COGS are left out.

        The store sums each group's roll-forward columns exactly (``Dialect.exact_sum``) over
        the rows with any COGS; ``cogs_of`` of those sums is the sum of the rows' ``cogs_of``
        (it only negates and adds), to the digit and the decimal place."""
        keys = group_keys(group_by, GROUPS)
        dialect = self.db.dialect
        span, params = in_periods(from_, to)
        where = ["NOT (" + " AND ".join(dialect.is_zero(c) for c in COGS_SOURCES) + ")", *span]
        clause, values = _filtered(where, params, location, sku)
        sums = ", ".join(f"{dialect.exact_sum(c)} AS {c}" for c in COGS_SOURCES)
        order = ", ".join(dialect.ordered(k) for k in keys)
        statement = (
            f"SELECT {', '.join(keys)}, {sums} FROM {{table}} WHERE {clause} "
            f"GROUP BY {', '.join(keys)} ORDER BY {order}"
        )
        found, position = read_live(
            self.db,
            self.projection,
            lambda session, table: session.execute(statement.format(table=table), values),
        )
        out = []
        for row in found:
            group = dict(zip(keys, row[: len(keys)], strict=True))
            amounts = _summed(row[len(keys) :])
            out.append(
                ReportRow(group.get("period"), group.get("location"), group.get("sku"), amounts)
            )
        return Report(out, _totals(out, COGS_AMOUNTS), position)

    def valuation(self, period: str | None, location: str | None, sku: str | None) -> Report:
        """Roll-forward of ``period`` (default: the current one) per location and sku: each
        position's row for the period, carried into it if older (``_valued``)."""
        chosen = period or period_of(self.clock(), self.projection.zone)
        check_period(chosen)

        def work(session: Session, live: Entry) -> list[Any]:
            statement, params = self._valued(live, chosen, location, sku)
            return session.execute(f"SELECT * FROM ({statement}) v ORDER BY {self._order}", params)

        found, position = read_entry(self.db, self.projection, work)
        amounts = [_numbers(row[2:]) for row in found]
        columns = list(zip(*amounts, strict=True)) or [() for _ in AMOUNTS]
        totals = {name: sum(col, ZERO) for name, col in zip(AMOUNTS, columns, strict=True)}
        return Report(_rows(chosen, found, amounts), totals, position)

    def valuation_screen(
        self, period: str | None, location: str | None, sku: str | None, page: int, size: int
    ) -> Screen:
        """Page ``page`` (clamped to the last) of ``valuation``, ``size`` rows a page, with the
        totals and row count of every row: the store sums them exactly (one statement) and
        reads only the rows shown (another), so the page costs one screen of rows."""
        chosen = period or period_of(self.clock(), self.projection.zone)
        check_period(chosen)
        sums = ", ".join(self.db.dialect.exact_sum(name) for name in AMOUNTS)

        def work(session: Session, live: Entry) -> tuple[int, list[Any], list[Any]]:
            valued, params = self._valued(live, chosen, location, sku)
            summed = session.execute(f"SELECT COUNT(*), {sums} FROM ({valued}) v", params)[0]
            last = max((int(summed[0]) + size - 1) // size, 1)
            number = min(max(page, 1), last)
            found = session.execute(
                f"SELECT * FROM ({valued}) v ORDER BY {self._order} LIMIT ? OFFSET ?",
                [*params, size, (number - 1) * size],
            )
            return number, list(summed), found

        (number, (count, *totals), found), position = read_entry(self.db, self.projection, work)
        out = _rows(chosen, found, [_numbers(row[2:]) for row in found])
        total = {name: _number(value) for name, value in zip(AMOUNTS, totals, strict=True)}
        return Screen(Report(out, total, position), number, int(count))

    @property
    def _order(self) -> str:
        dialect = self.db.dialect
        return f"{dialect.ordered('location')}, {dialect.ordered('sku')}"

    def _valued(
        self, live: Entry, period: str, location: str | None, sku: str | None
    ) -> tuple[str, list[Any]]:
        """SQL of the period's valuation rows as ``valuation_rows`` gives them: location, sku
        and the amounts of each position's row for the period, an older row carried in with
        its closing and nothing moved, left out when it holds nothing. The row for the
        period is the range ``period <= P < until``; a live table of another shape (an older
        generation serving while its upgrade rebuilds) is searched for each position's
        newest row up to the period instead."""
        table = self.projection.table(live.generation)
        if live.schema == self.projection.schema():
            clause, values = _filtered(
                ["period <= ?", "until > ?"], [period, period], location, sku
            )
            source = f"{table} WHERE {clause}"
        else:
            clause, values = _filtered(["period <= ?"], [period], location, sku)
            source = f"({_newest(table, clause)}) newest WHERE 1 = 1"
        zero = self.db.dialect.is_zero
        picked = ", ".join(f"{_carried(name)} AS {name}" for name in AMOUNTS)
        statement = (
            f"SELECT location, sku, {picked} FROM (SELECT *, CASE WHEN period = ? THEN 1 "
            f"ELSE 0 END AS here FROM {source} AND (period = ? OR NOT "
            f"({zero('closing_qty')} AND {zero('closing_value')}))) kept"
        )
        return statement, [period, *values, period]


def _rows(period: str, found: list[Any], amounts: list[list[Decimal]]) -> list[ReportRow]:
    """Report rows from valued rows (location, sku, amounts) and their amounts as Decimals."""
    return [
        ReportRow(period, row[0], row[1], dict(zip(AMOUNTS, values, strict=True)))
        for row, values in zip(found, amounts, strict=True)
    ]


def _newest(table: str, clause: str) -> str:
    """SQL for each position's newest row among the rows matching ``clause``, without
    ``until``: the newest period per position joined back to its row by key."""
    return (
        f"SELECT r.* FROM {table} r JOIN (SELECT location, sku, MAX(period) AS period "
        f"FROM {table} WHERE {clause} GROUP BY location, sku) m "
        "ON r.location = m.location AND r.sku = m.sku AND r.period = m.period"
    )


def _carried(name: str) -> str:
    """SQL for a valuation column of a kept row (``here``: of the period itself): an older
    row is carried into the period holding its closing, with nothing moved."""
    if name in ("opening_qty", "opening_value"):
        closing = name.replace("opening", "closing")
        return f"CASE WHEN here = 1 THEN {name} ELSE {closing} END"
    if name in ("closing_qty", "closing_value"):
        return name
    return f"CASE WHEN here = 1 THEN {name} ELSE 0 END"


def _summed(values: Sequence[Any]) -> dict[str, Decimal]:
    """A group's COGS columns from the sums of its roll-forward columns."""
    return cogs_of({c: _number(v) for c, v in zip(COGS_SOURCES, values, strict=True)})


def _numbers(values: Sequence[Any]) -> list[Decimal]:
    """Stored amounts as Decimals (PostgreSQL's already are: no call per value)."""
    return [v if v.__class__ is Decimal else _number(v) for v in values]


def _number(value: Any) -> Decimal:
    """An exact sum as a Decimal (an empty sum is NULL on PostgreSQL)."""
    return ZERO if value is None else Decimal(decode(value, "num"))


def _totals(rows: list[ReportRow], names: Sequence[str]) -> dict[str, Decimal]:
    return {name: sum((r.amounts[name] for r in rows), ZERO) for name in names}


def _filtered(
    where: list[str], params: list[Any], location: str | None, sku: str | None
) -> tuple[str, list[Any]]:
    """The WHERE clause and its parameters, with the optional location and sku filters."""
    clauses, values = equal_to(location=location, sku=sku)
    return " AND ".join([*where, *clauses]) or "1 = 1", [*params, *values]
