"""How a view answers a query: from one read snapshot of its live generation.

``read_live`` reads the registry row and the rows in one snapshot, so the ``position`` it
returns is exactly the state the answer comes from. A switch-over may drop the table between
the registry read and the rows: the dialect recognises that (by error class, or by asking
the catalogue) and the read is retried on the new generation. Bad input raises
``domain.errors.ValidationError``; cursors are opaque base64 JSON.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from domain.books import check_period
from domain.errors import ValidationError
from projections.base import Projection
from projections.db import Database, Session
from projections.registry import Entry, entry

T = TypeVar("T")
P = TypeVar("P", bound=Projection)
ATTEMPTS = 3


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None
    position: int


class View(Generic[P]):
    """A read model's queries: the database they read (the query side's) and the projection
    whose live table they read."""

    def __init__(self, db: Database, projection: P) -> None:
        self.db = db
        self.projection = projection


def read_live(
    db: Database, projection: Projection, work: Callable[[Session, str], T]
) -> tuple[T, int]:
    """``work(session, live table)`` and the position it answers from."""
    return read_entry(
        db, projection, lambda session, live: work(session, projection.table(live.generation))
    )


def select_live(
    db: Database,
    projection: Projection,
    where: str = "",
    params: Sequence[Any] = (),
    order: str = "",
) -> tuple[list[dict[str, Any]], int]:
    """The live table's rows ``where`` (in ``order``) and the position they answer from."""
    return read_live(
        db,
        projection,
        lambda session, table: projection.select(session, table, where, params, order),
    )


def equal_to(**columns: Any) -> tuple[list[str], list[Any]]:
    """``column = ?`` for each of ``columns`` given (not None), and their values: a view's
    optional filters."""
    given = {name: value for name, value in columns.items() if value is not None}
    return [f"{name} = ?" for name in given], list(given.values())


def in_periods(from_: str | None, to: str | None) -> tuple[list[str], list[Any]]:
    """``period >= ?`` and ``period <= ?`` for the bounds given (each checked as a period),
    and their values: a report's span of periods, both ends included."""
    where: list[str] = []
    params: list[Any] = []
    for bound, op in ((from_, ">="), (to, "<=")):
        if bound is not None:
            check_period(bound)
            where.append(f"period {op} ?")
            params.append(bound)
    return where, params


def read_entry(
    db: Database, projection: Projection, work: Callable[[Session, Entry], T]
) -> tuple[T, int]:
    """``work(session, live registry entry)`` and the position it answers from: for a view
    that reads a live table of another shape (an older generation serving while its
    upgrade rebuilds) another way."""
    for attempt in range(ATTEMPTS):
        with db.session() as session:
            table = ""
            try:
                with session.transaction(write=False):
                    current = entry(session, projection.NAME)
                    assert current is not None
                    table = projection.table(current.generation)
                    return work(session, current), current.position
            except Exception as exc:
                if attempt == ATTEMPTS - 1 or not table or not session.missing_table(exc, table):
                    raise
    raise AssertionError("unreachable")  # pragma: no cover


def check_limit(limit: int) -> None:
    if not 1 <= limit <= 1000:
        raise ValidationError("limit must be between 1 and 1000", [{"field": "limit"}])


def check_time(at: datetime | None, field: str) -> None:
    if at is not None and at.tzinfo is None:
        raise ValidationError(f"{field} needs a UTC offset", [{"field": field}])


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


def paged(rows: list[T], limit: int, position: int, cursor_of: Callable[[T], Any]) -> Page[T]:
    """A page of at most ``limit`` rows from ``limit + 1`` read: the extra one says more
    follow, and the cursor is the last row's."""
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(rows, make_cursor(cursor_of(rows[-1])) if more else None, position)
