"""SQLite: read models in ``<data_dir>/views.sqlite`` (WAL), apart from ``ledger.sqlite``, so
projecting never competes with commands for the ledger's write lock.

Each thread keeps its own query connection; runners get dedicated ones. Write transactions
are ``BEGIN IMMEDIATE`` (the database lock is taken at once, so a registry read inside one
needs no row lock). Decimals are stored as exact decimal text, times as fixed-width UTC ISO
text. The rebuild lock is a file lock; runners poll every 50 ms and wake at once when a
command in this process sets ``wake``.
"""

from __future__ import annotations

import fcntl
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from application.errors import ConcurrencyConflictError
from application.settings import Settings
from projections.dialects import MARK, TIME_FORMAT, Catalogued, Row, Waiter, escape_text

POLL = 0.05
TYPES = {"num": "TEXT", "time": "TEXT", "int": "INTEGER", "text": "TEXT"}


class DecimalSum:
    """``decimal_sum(x)``: the exact sum of decimal text (or integers) as decimal text, as
    an aggregate or over a window."""

    def __init__(self) -> None:
        self.total = Decimal(0)

    def step(self, value: object, /) -> None:
        if value is not None:
            self.total += Decimal(str(value))

    def inverse(self, value: object, /) -> None:
        if value is not None:
            self.total -= Decimal(str(value))

    def value(self) -> str:
        return str(self.total)

    def finalize(self) -> str:
        return str(self.total)


class SqliteDialect(Catalogued):
    TYPES = TYPES
    TABLES = "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE ?"
    for_update = ""
    defers_indexes = False
    errors: tuple[type[Exception], ...] = (sqlite3.Error,)
    # The database locked or its file unreachable: not a fault of what a runner applied.
    transient: tuple[type[Exception], ...] = (sqlite3.OperationalError,)

    def __init__(self, settings: Settings) -> None:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        self.path = settings.data_dir / "views.sqlite"
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._guard = threading.Lock()

    # -- connections -------------------------------------------------------------------------

    def connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=30)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        # An aggregate that also runs over a window.
        conn.create_window_function("decimal_sum", 1, DecimalSum)
        return conn

    def release(self, conn: Any) -> None:
        conn.close()

    @contextmanager
    def pooled(self) -> Iterator[sqlite3.Connection]:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = self.connect()
            self._local.conn = conn
            with self._guard:
                self._all.append(conn)
        yield conn

    def close(self) -> None:
        with self._guard:
            for conn in self._all:
                conn.close()
            self._all.clear()
        self._local = threading.local()

    # -- statements --------------------------------------------------------------------------

    def execute(self, conn: Any, statement: str, params: Sequence[Any]) -> list[Row]:
        return list(conn.execute(statement, params).fetchall())

    def insert_rows(
        self, conn: Any, head: str, tail: str, kinds: Sequence[str], rows: list[Sequence[Any]]
    ) -> None:
        marks = ", ".join("?" for _ in rows[0])
        conn.executemany(f"{head} VALUES ({marks}){tail}", rows)

    def copy_rows(
        self, conn: Any, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]
    ) -> None:
        marks = ", ".join("?" for _ in columns)
        conn.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)

    def begin(self, *, write: bool) -> str:
        return "BEGIN IMMEDIATE" if write else "BEGIN"

    # -- values ------------------------------------------------------------------------------

    def encode(self, value: Any, kind: str) -> Any:
        if value is None:
            return None
        if kind == "num":
            return str(value)
        if kind == "time":
            assert isinstance(value, datetime)
            return value.astimezone(UTC).strftime(TIME_FORMAT)
        if kind == "text" and value[:1] == MARK:
            return escape_text(value, nul=False)  # SQLite holds U+0000 as it is
        return value

    def encode_row(self, values: Sequence[Any], kinds: Sequence[str]) -> tuple[Any, ...]:
        return tuple(self.encode(v, k) for v, k in zip(values, kinds, strict=True))

    # -- exact arithmetic: SQLite's SUM of decimal text would be a float sum --------------------

    def exact_sum(self, expr: str) -> str:
        return f"decimal_sum({expr})"

    def is_zero(self, expr: str) -> str:
        # A test, not a figure: a stored number reads as REAL 0.0 only when it is zero (the
        # ledger's bounds keep every non-zero amount far above REAL's smallest value).
        return f"CAST({expr} AS REAL) = 0"

    def ordered(self, expr: str) -> str:
        return expr  # BINARY collation: UTF-8 byte order is code-point order

    def missing_table(self, conn: Any, error: Exception, table: str) -> bool:
        # SQLite reports every failure as OperationalError: ask the catalogue instead.
        return isinstance(error, sqlite3.OperationalError) and table not in self.tables(conn, table)

    # -- locking and waiting -----------------------------------------------------------------

    @contextmanager
    def rebuild_lock(self, name: str, *, wait: bool) -> Iterator[None]:
        with (self.path.parent / f"views.{name}.rebuild.lock").open("w") as handle:
            flags = fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB)
            try:
                fcntl.flock(handle, flags)
            except BlockingIOError:
                raise ConcurrencyConflictError(f"a rebuild of {name} is already running") from None
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def hold(self, conn: Any, kind: str, name: str) -> bool:
        return True  # the embedded store is followed from one process

    def _follow_file(self, name: str) -> Path:
        return self.path.parent / f"views.{name}.follow.lock"

    def followed(self, conn: Any, names: Iterable[str]) -> set[str]:
        return {name for name in names if self._followed(name)}

    def _followed(self, name: str) -> bool:
        # Every runner following ``name`` holds a shared lock on its file (``following``):
        # an exclusive one is refused exactly while some runner, in any process, follows.
        path = self._follow_file(name)
        if not path.exists():
            return False
        with path.open("a") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return True
            fcntl.flock(handle, fcntl.LOCK_UN)
            return False

    @contextmanager
    def watching(self) -> Iterator[Waiter]:
        yield lambda wake: wake.wait(POLL)

    @contextmanager
    def following(self, name: str, stop: threading.Event) -> Iterator[Waiter | None]:
        # The embedded store is followed from one process: no leader to elect. The shared
        # lock on the file says that someone follows ``name`` (``followed``).
        with self._follow_file(name).open("a") as handle:
            fcntl.flock(handle, fcntl.LOCK_SH)
            try:
                yield lambda wake: wake.wait(POLL)
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
