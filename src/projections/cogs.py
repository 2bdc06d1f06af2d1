"""``cogs``: per (period, location, sku) the valuation roll-forward of SPEC §5; and
``CogsView``, the COGS and valuation reports derived from it.

A period is the calendar month of the movement's recorded time in the ledger's zone. The
fold is ``domain.rollforward.roll``, and the reports' arithmetic is the same module's
``cogs_of`` and ``valuation_rows``: the formulas that period close and ``verify`` use, on
every backend. The store only filters and picks rows; all sums are Python Decimals.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from domain.books import check_period
from domain.errors import ValidationError
from domain.rollforward import (
    AMOUNTS,
    COGS_AMOUNTS,
    ROW_AMOUNTS,
    cogs_of,
    period_of,
    roll,
    valuation_rows,
)
from domain.stock_item import Movement
from projections.base import Column, Key, Projection, Rows
from projections.db import Database, Session
from projections.reading import read_live

__all__ = ["AMOUNTS", "COGS_AMOUNTS", "Cogs", "CogsView", "cogs_of", "period_of"]

ZERO = Decimal(0)
GROUPS = ("period", "location", "sku")


class Cogs(Projection):
    NAME = "cogs"
    VERSION = 2  # 2: revaluation and variance columns (SPEC §10)
    COLUMNS = (
        Column("period", "text"),
        Column("location", "text"),
        Column("sku", "text"),
        *(Column(name, "num") for name in ROW_AMOUNTS),
        Column("last_position", "int"),
    )
    KEY = ("period", "location", "sku")
    INDEXES = (("location", "sku", "period"),)

    def settled(self, rows: Rows, newest: datetime) -> list[Key]:
        """Rows of periods two months before the newest time read: ledger times follow
        positions up to commit skew, which is far below a month."""
        at = newest.astimezone(self.zone)
        year, month = (at.year, at.month - 2) if at.month > 2 else (at.year - 1, at.month + 10)
        horizon = f"{year:04d}-{month:02d}"
        return [key for key in rows if key[0] < horizon]

    def key_of(self, event: Movement, position: int) -> Key:
        return (period_of(event.timestamp, self.zone), event.location, event.sku)

    def fold(self, rows: Rows, event: Movement, position: int) -> None:
        key = self.key_of(event, position)
        rows[key] = roll(rows.get(key), key[0], event, position)


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


class CogsView:
    """The COGS report and the valuation roll-forward, each from one snapshot."""

    def __init__(self, db: Database, projection: Cogs, clock: Callable[[], datetime]) -> None:
        self.db = db
        self.projection = projection
        self.clock = clock

    def _select(self, statement: str, params: list[Any]) -> tuple[list[dict[str, Any]], int]:
        def work(session: Session, table: str) -> list[dict[str, Any]]:
            found = session.execute(statement.format(table=table), params)
            return [self.projection.from_db(row) for row in found]

        return read_live(self.db, self.projection, work)

    def cogs(
        self,
        from_: str | None,
        to: str | None,
        location: str | None,
        sku: str | None,
        group_by: Sequence[str],
    ) -> Report:
        """COGS per group; from/to are periods (inclusive). Groups with no COGS are left out."""
        groups = list(group_by) or list(GROUPS)
        if any(g not in GROUPS for g in groups) or len(set(groups)) != len(groups):
            raise ValidationError(
                "group_by must be a subset of period,location,sku", [{"field": "group_by"}]
            )
        where: list[str] = []
        params: list[Any] = []
        for bound, op in ((from_, ">="), (to, "<=")):
            if bound is not None:
                check_period(bound)
                where.append(f"period {op} ?")
                params.append(bound)
        clause, values = _filtered(where, params, location, sku)
        columns = ", ".join(self.projection.names())
        rows, position = self._select(f"SELECT {columns} FROM {{table}} WHERE {clause}", values)
        grouped: dict[tuple[str | None, str | None, str | None], dict[str, Decimal]] = {}
        for row in rows:
            amounts = cogs_of(row)
            if not any(amounts.values()):
                continue
            key = (
                row["period"] if "period" in groups else None,
                row["location"] if "location" in groups else None,
                row["sku"] if "sku" in groups else None,
            )
            acc = grouped.setdefault(key, {name: ZERO for name in COGS_AMOUNTS})
            for name, amount in amounts.items():
                acc[name] += amount
        out = [
            ReportRow(period, location_, sku_, amounts)
            for (period, location_, sku_), amounts in sorted(grouped.items(), key=_order)
        ]
        return Report(out, _totals(out, COGS_AMOUNTS), position)

    def valuation(self, period: str | None, location: str | None, sku: str | None) -> Report:
        """Roll-forward of ``period`` (default: the current one) per location and sku.

        Only each position's newest row up to the period is read (a window query over the
        (location, sku, period) index); ``valuation_rows`` carries it forward if older."""
        chosen = period or period_of(self.clock(), self.projection.zone)
        check_period(chosen)
        clause, values = _filtered(["period <= ?"], [chosen], location, sku)
        columns = ", ".join(self.projection.names())
        rows, position = self._select(
            f"SELECT {columns} FROM (SELECT {columns}, ROW_NUMBER() OVER "
            "(PARTITION BY location, sku ORDER BY period DESC) AS newest "
            f"FROM {{table}} WHERE {clause}) latest WHERE newest = 1",
            values,
        )
        out = [
            ReportRow(row["period"], row["location"], row["sku"], {n: row[n] for n in AMOUNTS})
            for row in valuation_rows(rows, chosen)
        ]
        return Report(out, _totals(out, AMOUNTS), position)


def _order(item: tuple[tuple[str | None, str | None, str | None], Any]) -> tuple[str, ...]:
    return tuple(part or "" for part in item[0])


def _totals(rows: list[ReportRow], names: Sequence[str]) -> dict[str, Decimal]:
    return {name: sum((r.amounts[name] for r in rows), ZERO) for name in names}


def _filtered(
    where: list[str], params: list[Any], location: str | None, sku: str | None
) -> tuple[str, list[Any]]:
    """The WHERE clause and its parameters, with the optional location and sku filters."""
    clauses, values = list(where), list(params)
    if location is not None:
        clauses.append("location = ?")
        values.append(location)
    if sku is not None:
        clauses.append("sku = ?")
        values.append(sku)
    return " AND ".join(clauses) or "1 = 1", values
