"""The backend seam: the only code that knows whether the read models live in SQLite or in
PostgreSQL (the pattern of SQLAlchemy's dialects and the ``eventsourcing`` recorders).

A ``Dialect`` owns, for its backend: connections (pooled for queries, dedicated for
runners), placeholders (SQL is written once with ``?``), column types, value conversion,
transactions, locking (row locks, the rebuild lock, one active runner per projection), bulk
load, deferred indexes, waiting for new events, and recognising a dropped table. Everything
else asks the dialect and never which backend it is.

Values: Decimals are exact (``NUMERIC``, or decimal text on SQLite); times are aware UTC
datetimes (``TIMESTAMPTZ``, or fixed-width UTC ISO text that sorts like the instant); text
is stored as it is, except what a backend cannot hold (PostgreSQL's TEXT refuses U+0000),
which is stored escaped and read back as it was (``escape_text``): a projection never stops
on what an event says.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, ClassVar, Protocol

from application.settings import Settings

Row = tuple[Any, ...]
TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%f+00:00"
# Marks a stored text as escaped: U+001A (SUBSTITUTE), which the API refuses in any text.
MARK = "\x1a"
_ESCAPED = re.compile(r"\\(.)", re.DOTALL)
# Waits for new events; given the runner's wake-up event, True when woken before the poll.
Waiter = Callable[[threading.Event], bool]


class Dialect(Protocol):
    """What the read side may ask of a backend."""

    # Row lock suffix for a registry read that must hold the row until commit.
    for_update: str
    # True when a bulk-loaded table gets its key and indexes after the load.
    defers_indexes: bool
    # The driver's base error classes (a store not yet set up raises one of them).
    errors: tuple[type[Exception], ...]
    # Those that say the store is away or busy, not that what was written is at fault.
    transient: tuple[type[Exception], ...]

    def connect(self) -> Any:
        """A dedicated autocommit connection (close it with ``release``)."""
        ...

    def release(self, conn: Any) -> None: ...

    def pooled(self) -> AbstractContextManager[Any]:
        """A connection for one query: pooled, or this thread's own."""
        ...

    def close(self) -> None: ...

    def execute(self, conn: Any, statement: str, params: Sequence[Any]) -> list[Row]: ...

    def insert_rows(
        self, conn: Any, head: str, tail: str, kinds: Sequence[str], rows: list[Sequence[Any]]
    ) -> None:
        """``rows`` (of columns of ``kinds``) inserted by ``head`` (``INSERT INTO t
        (columns)``) and ``tail`` (its ``ON CONFLICT`` clause, or nothing)."""
        ...

    def copy_rows(
        self, conn: Any, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]
    ) -> None:
        """Bulk insert (COPY, or executemany)."""
        ...

    def begin(self, *, write: bool) -> str:
        """The statement opening a write transaction, or a read snapshot."""
        ...

    def tables(self, conn: Any, prefix: str) -> list[str]: ...

    def column_type(self, kind: str) -> str: ...

    def encode(self, value: Any, kind: str) -> Any:
        """A Python value as the backend stores it."""
        ...

    def encode_row(self, values: Sequence[Any], kinds: Sequence[str]) -> tuple[Any, ...]: ...

    # -- exact arithmetic in SQL (reports that total many rows without reading them) ---------

    def exact_sum(self, expr: str) -> str:
        """SQL for the exact decimal sum of ``expr`` over a group, or a window with ``OVER``
        after it (NULL or decimal text when empty; ``decode`` it). Never a float sum."""
        ...

    def is_zero(self, expr: str) -> str:
        """SQL that is true when the stored number ``expr`` equals zero, at any scale."""
        ...

    def ordered(self, expr: str) -> str:
        """``expr`` for ORDER BY in code-point order (Python's ``sorted`` of str)."""
        ...

    def missing_table(self, conn: Any, error: Exception, table: str) -> bool:
        """True when ``error`` came from ``table`` having been dropped (a switch-over)."""
        ...

    def rebuild_lock(self, name: str, *, wait: bool) -> AbstractContextManager[None]:
        """Exactly one rebuild of ``name`` at a time, across processes; released on death.
        Raises ConcurrencyConflictError when taken and not ``wait``."""
        ...

    def hold(self, conn: Any, kind: str, name: str) -> bool:
        """Takes, for the life of ``conn``'s session, the exclusive right named (kind, name)
        across processes; False when another session holds it (always True where a single
        process follows the store)."""
        ...

    def followed(self, conn: Any, names: Iterable[str]) -> set[str]:
        """Those of ``names`` some runner, in any process, follows the ledger for now (holds
        what ``following`` gives)."""
        ...

    def watching(self) -> AbstractContextManager[Waiter]:
        """A way to wait for new events without any exclusive right (many may watch)."""
        ...

    def following(self, name: str, stop: threading.Event) -> AbstractContextManager[Waiter | None]:
        """The right to follow the ledger for ``name`` (one holder at a time where runners
        may run in several processes) and a way to wait for new events; None once ``stop``
        is set before the right was obtained."""
        ...


class Catalogued:
    """What both dialects answer alike, each from its own ``TYPES`` (a column kind's SQL
    type) and ``TABLES`` (the query naming the tables whose name is LIKE its one ``?``)."""

    TYPES: ClassVar[dict[str, str]]
    TABLES: ClassVar[str]

    def execute(self, conn: Any, statement: str, params: Sequence[Any]) -> list[Row]:
        raise NotImplementedError

    def tables(self, conn: Any, prefix: str) -> list[str]:
        return [str(r[0]) for r in self.execute(conn, self.TABLES, (prefix + "%",))]

    def column_type(self, kind: str) -> str:
        return self.TYPES[kind]


def escape_text(value: str, *, nul: bool = True) -> str:
    """``value`` as a column stores it: as it is, unless it holds U+0000 (where ``nul``: the
    backend cannot store it) or begins with ``MARK``; then ``MARK`` followed by the text
    with each backslash doubled and each U+0000 written ``\\0``. Reversible for every text
    (``unescape_text``), and a text that needs no escape — nearly every one — is unchanged,
    so SQL compares and orders it as it is."""
    if not value.startswith(MARK) and not (nul and "\x00" in value):
        return value
    return MARK + value.replace("\\", "\\\\").replace("\x00", "\\0")


def _unescaped(match: re.Match[str]) -> str:
    char = match.group(1)
    return "\x00" if char == "0" else char


def unescape_text(stored: str) -> str:
    """The text ``escape_text`` stored."""
    if not stored.startswith(MARK):
        return stored
    return _ESCAPED.sub(_unescaped, stored[1:])


def decode(value: Any, kind: str) -> Any:
    """A stored value back as Decimal, aware UTC datetime, int or str (either backend)."""
    if value is None:
        return None
    if kind == "text":
        return unescape_text(value) if value[:1] == MARK else value
    if kind == "num":
        return value if isinstance(value, Decimal) else Decimal(value)
    if kind == "time":
        if isinstance(value, datetime):
            return value.astimezone(UTC)
        return datetime.strptime(value, TIME_FORMAT).replace(tzinfo=UTC)
    if kind == "int":
        return int(value)
    return value


def dialect_for(settings: Settings) -> Dialect:
    """The dialect of the configured store: the one place the backend is chosen."""
    if settings.is_postgres:
        from projections.dialects.postgres import PostgresDialect

        return PostgresDialect(settings)
    from projections.dialects.sqlite import SqliteDialect

    return SqliteDialect(settings)
