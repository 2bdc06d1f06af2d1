"""Read queries of API.md over the live read models.

Each query reads the registry and the rows in one read snapshot, so its ``position`` is
exactly the state it answers from. Answers are dicts in the API.md shapes with Decimal
amounts and aware datetimes; the API layer turns them into JSON. Bad input raises
``domain.errors.ValidationError``.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any, TypeVar

from domain.books import check_period
from domain.errors import ValidationError
from domain.movements import Kind
from domain.rollforward import valuation_rows
from domain.valuation import average_cost
from projections.balances import Balances
from projections.base import Projection, entry
from projections.cogs import AMOUNTS, COGS_AMOUNTS, Cogs, cogs_of
from projections.db import Database, Session, encode
from projections.movements import Movements

ZERO = Decimal(0)
GROUPS = ("period", "location", "sku")
T = TypeVar("T")


def check_limit(limit: int) -> None:
    if not 1 <= limit <= 1000:
        raise ValidationError("limit must be between 1 and 1000", [{"field": "limit"}])


def make_cursor(value: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode()


def read_cursor(cursor: str | None, check: Callable[[Any], bool]) -> Any:
    if cursor is None:
        return None
    try:
        value = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except ValueError:
        value = None
    if value is None or not check(value):
        raise ValidationError("invalid cursor", [{"field": "cursor"}])
    return value


def check_time(at: datetime | None, field: str) -> None:
    if at is not None and at.tzinfo is None:
        raise ValidationError(f"{field} needs a UTC offset", [{"field": field}])


class Queries:
    """The read side's answers, each from one snapshot of one projection."""

    def __init__(self, db: Database, balances: Balances, movements: Movements, cogs: Cogs):
        self.db = db
        self.balances = balances
        self.movements_view = movements
        self.cogs_view = cogs

    def _read(self, projection: Projection, work: Callable[[Session, str], T]) -> tuple[T, int]:
        for attempt in range(3):
            with self.db.session() as session:
                try:
                    with session.transaction(write=False):
                        current = entry(session, projection.NAME)
                        assert current is not None
                        return work(session, projection.table(current.generation)), current.position
                except Exception as exc:
                    # A switch-over may drop the table between reading the registry and it.
                    gone = "does not exist" in str(exc) or "no such table" in str(exc)
                    if attempt == 2 or not gone:
                        raise
        raise AssertionError("unreachable")  # pragma: no cover

    # -- balances --------------------------------------------------------------------------

    @staticmethod
    def _balance(row: dict[str, Any], position: int) -> dict[str, Any]:
        return {
            "sku": row["sku"],
            "location": row["location"],
            "on_hand": row["on_hand"],
            "reserved": row["reserved"],
            "available": row["on_hand"] - row["reserved"],
            "value": row["value"],
            "unit_cost": average_cost(row["value"], row["on_hand"]),
            "position": position,
        }

    def stock_list(
        self, location: str | None, sku_prefix: str | None, limit: int, cursor: str | None
    ) -> dict[str, Any]:
        check_limit(limit)
        after = read_cursor(
            cursor,
            lambda v: isinstance(v, list) and len(v) == 2 and all(isinstance(x, str) for x in v),
        )
        where: list[str] = ["1 = 1"]
        params: list[Any] = []
        if location is not None:
            where.append("location = ?")
            params.append(location)
        if sku_prefix:
            where.append("substr(sku, 1, ?) = ?")
            params += [len(sku_prefix), sku_prefix]
        if after is not None:
            where.append("(sku > ? OR (sku = ? AND location > ?))")
            params += [after[0], after[0], after[1]]

        def work(session: Session, table: str) -> list[dict[str, Any]]:
            return self.balances.select(
                session,
                f"{table}",
                " AND ".join(where) + f" ORDER BY sku, location LIMIT {limit + 1}",
                params,
            )

        rows, position = self._read(self.balances, work)
        more = len(rows) > limit
        rows = rows[:limit]
        return {
            "items": [self._balance(r, position) for r in rows],
            "next_cursor": make_cursor([rows[-1]["sku"], rows[-1]["location"]]) if more else None,
            "position": position,
        }

    def stock_of_sku(self, sku: str) -> dict[str, Any]:
        rows, position = self._read(
            self.balances,
            lambda s, t: self.balances.select(s, t, "sku = ?", (sku,), order="location"),
        )
        items = [self._balance(r, position) for r in rows]
        total = {
            name: sum((i[name] for i in items), ZERO)
            for name in ("on_hand", "reserved", "available", "value")
        }
        return {"sku": sku, "locations": items, "total": total, "position": position}

    def balance(self, sku: str, location: str) -> dict[str, Any]:
        rows, position = self._read(
            self.balances,
            lambda s, t: self.balances.select(s, t, "sku = ? AND location = ?", (sku, location)),
        )
        if rows:
            return self._balance(rows[0], position)
        empty = {"sku": sku, "location": location, "on_hand": ZERO, "reserved": ZERO, "value": ZERO}
        return self._balance(empty, position)

    # -- movements -------------------------------------------------------------------------

    def stock_at(self, sku: str, location: str, time: datetime) -> dict[str, Any]:
        """State just after the last movement recorded at or before ``time``."""
        check_time(time, "time")

        def work(session: Session, table: str) -> list[dict[str, Any]]:
            at = encode(time, "time", session.postgres)
            return self.movements_view.select(
                session,
                table,
                "sku = ? AND location = ? AND recorded_at <= ? "
                "ORDER BY recorded_at DESC, position DESC LIMIT 1",
                (sku, location, at),
            )

        rows, position = self._read(self.movements_view, work)
        row = rows[0] if rows else None
        return {
            "sku": sku,
            "location": location,
            "time": time,
            "on_hand": row["on_hand_after"] if row else ZERO,
            "reserved": row["reserved_after"] if row else ZERO,
            "value": row["value_after"] if row else ZERO,
            "position": position,
        }

    @staticmethod
    def _movement(row: dict[str, Any]) -> dict[str, Any]:
        return {
            "position": row["position"],
            "recorded_at": row["recorded_at"],
            "sku": row["sku"],
            "location": row["location"],
            "kind": row["kind"],
            "quantity": row["quantity"],
            "on_hand_delta": row["on_hand_delta"],
            "reserved_delta": row["reserved_delta"],
            "unit_cost": row["unit_cost"],
            "value": row["value"],
            "document": {
                "type": row["document_type"],
                "id": row["document_id"],
                "line": row["line"],
            },
            "user": row["actor"],
            "note": row["note"],
            "on_hand_after": row["on_hand_after"],
            "reserved_after": row["reserved_after"],
            "value_after": row["value_after"],
        }

    def movements(
        self,
        sku: str,
        location: str,
        from_: datetime | None,
        to: datetime | None,
        kind: str | None,
        limit: int,
        cursor: str | None,
    ) -> dict[str, Any]:
        """Movements of a position, oldest first; ``from_`` ≤ recorded_at ≤ ``to``."""
        check_limit(limit)
        check_time(from_, "from")
        check_time(to, "to")
        if kind is not None and kind not in Kind.__members__:
            raise ValidationError(f"unknown kind {kind}", [{"field": "kind"}])
        after = read_cursor(cursor, lambda v: isinstance(v, int) and not isinstance(v, bool))

        def work(session: Session, table: str) -> list[dict[str, Any]]:
            where, params = ["sku = ?", "location = ?"], [sku, location]
            for clause, value in (
                ("recorded_at >= ?", from_),
                ("recorded_at <= ?", to),
            ):
                if value is not None:
                    where.append(clause)
                    params.append(encode(value, "time", session.postgres))
            if kind is not None:
                where.append("kind = ?")
                params.append(kind)
            if after is not None:
                where.append("position > ?")
                params.append(after)
            return self.movements_view.select(
                session,
                table,
                " AND ".join(where) + f" ORDER BY position LIMIT {limit + 1}",
                params,
            )

        rows, position = self._read(self.movements_view, work)
        more = len(rows) > limit
        rows = rows[:limit]
        return {
            "items": [self._movement(r) for r in rows],
            "next_cursor": make_cursor(rows[-1]["position"]) if more else None,
            "position": position,
        }

    # -- reports ---------------------------------------------------------------------------

    def _cogs_rows(
        self, where: list[str], params: list[Any], location: str | None, sku: str | None
    ) -> tuple[list[dict[str, Any]], int]:
        clause, params = _filtered(where, params, location, sku)
        return self._read(
            self.cogs_view,
            lambda s, t: self.cogs_view.select(s, t, clause, params, order="period, location, sku"),
        )

    def cogs(
        self,
        from_: str | None,
        to: str | None,
        location: str | None,
        sku: str | None,
        group_by: Sequence[str],
    ) -> dict[str, Any]:
        """COGS per group; from/to are periods (inclusive). Groups with no COGS are left out."""
        groups = list(group_by) or list(GROUPS)
        if any(g not in GROUPS for g in groups) or len(set(groups)) != len(groups):
            raise ValidationError(
                "group_by must be a subset of period,location,sku", [{"field": "group_by"}]
            )
        groups = [g for g in GROUPS if g in groups]
        where: list[str] = []
        params: list[Any] = []
        for bound, op in ((from_, ">="), (to, "<=")):
            if bound is not None:
                check_period(bound)
                where.append(f"period {op} ?")
                params.append(bound)
        if self.db.postgres:
            return self._cogs_summed(groups, where, params, location, sku)
        rows, position = self._cogs_rows(where, params, location, sku)
        grouped: dict[tuple[str, ...], dict[str, Decimal]] = {}
        for row in rows:
            amounts = cogs_of(row)
            if not any(amounts.values()):
                continue
            key = tuple(row[g] for g in groups)
            acc = grouped.setdefault(key, {name: ZERO for name in COGS_AMOUNTS})
            for name, amount in amounts.items():
                acc[name] += amount
        out: list[dict[str, Any]] = [
            {**dict(zip(groups, key, strict=True)), **amounts}
            for key, amounts in sorted(grouped.items())
        ]
        totals = {name: sum((g[name] for g in grouped.values()), ZERO) for name in COGS_AMOUNTS}
        return {"rows": out, "totals": totals, "position": position}

    def _cogs_summed(
        self,
        groups: list[str],
        where: list[str],
        params: list[Any],
        location: str | None,
        sku: str | None,
    ) -> dict[str, Any]:
        """The COGS report summed by PostgreSQL (NUMERIC, exact): only the groups travel."""
        clause, values = _filtered(where, params, location, sku)
        keys = ", ".join(groups)
        order = ", ".join(f'{g} COLLATE "C"' for g in groups)
        sums = ", ".join(f"{sign}SUM({column})" for sign, column in COGS_SUMS)
        moved = " OR ".join(f"{column} <> 0" for _, column in COGS_SUMS)
        statement = (
            f"SELECT {keys}, {sums} FROM {{table}} WHERE {clause} "
            f"GROUP BY {keys} HAVING bool_or({moved}) ORDER BY {order}"
        )
        found, position = self._read(
            self.cogs_view,
            lambda session, table: session.execute(statement.format(table=table), values),
        )
        out: list[dict[str, Any]] = []
        for row in found:
            amounts = dict(zip(COGS_AMOUNTS[:-1], row[len(groups) :], strict=True))
            amounts["net_cogs"] = (
                amounts["shipped_value"] - amounts["returned_value"] + amounts["consumed_value"]
            )
            out.append({**dict(zip(groups, row[: len(groups)], strict=True)), **amounts})
        totals = {name: sum((r[name] for r in out), ZERO) for name in COGS_AMOUNTS}
        return {"rows": out, "totals": totals, "position": position}

    def valuation(
        self, period: str | None, location: str | None, sku: str | None, *, default: str
    ) -> dict[str, Any]:
        """Roll-forward of ``period`` (default: the current one) per location and sku.

        Only each position's newest row up to the period is read (a window query over the
        (location, sku, period) index); ``valuation_rows`` carries it forward if older."""
        chosen = period or default
        check_period(chosen)
        clause, values = _filtered(["period <= ?"], [chosen], location, sku)
        view = self.cogs_view
        columns = ", ".join(view.names())
        statement = (
            f"SELECT {columns} FROM (SELECT {columns}, ROW_NUMBER() OVER "
            "(PARTITION BY location, sku ORDER BY period DESC) AS newest "
            f"FROM {{table}} WHERE {clause}) latest WHERE newest = 1"
        )
        rows, position = self._read(
            view,
            lambda session, table: [
                view.from_db(row, session.postgres)
                for row in session.execute(statement.format(table=table), values)
            ],
        )
        fields = ("period", "location", "sku", *AMOUNTS)
        out = [{name: row[name] for name in fields} for row in valuation_rows(rows, chosen)]
        totals = {name: sum((r[name] for r in out), ZERO) for name in AMOUNTS}
        return {"rows": out, "totals": totals, "position": position}


# The COGS report's columns as sums of roll-forward columns (outbound ones are negative).
COGS_SUMS = (
    ("-", "shipped_qty"),
    ("-", "shipped_value"),
    ("", "returns_qty"),
    ("", "returns_value"),
    ("-", "consumed_qty"),
    ("-", "consumed_value"),
    ("-", "waste_qty"),
    ("-", "waste_value"),
)


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
