"""Read-model storage: a SQLite file beside the ledger, or the ledger's PostgreSQL database.

SQLite read models live in ``<data_dir>/views.sqlite`` (WAL), apart from ``ledger.sqlite``,
so projecting never competes with commands for the ledger's write lock. On PostgreSQL the
tables sit next to the event table, prefixed ``rm_``. Every connection is in autocommit mode
and transactions are explicit (``BEGIN`` … ``COMMIT``), so a batch of rows and its tracking
position commit together or not at all.

SQL is written once with ``?`` placeholders; the PostgreSQL session rewrites them.
Decimals are ``NUMERIC`` on PostgreSQL and exact decimal text on SQLite; times are
``TIMESTAMPTZ``, or fixed-width UTC ISO text that sorts like the instant it names.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg
from psycopg_pool import ConnectionPool

from application.settings import Settings

Row = tuple[Any, ...]
TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%f+00:00"


def sqlite_views_path(settings: Settings) -> Path:
    return settings.data_dir / "views.sqlite"


class Session:
    """One connection with explicit transactions and ``?`` placeholders on both backends."""

    def __init__(self, conn: Any, postgres: bool) -> None:
        self.conn = conn
        self.postgres = postgres

    def _sql(self, statement: str) -> str:
        return statement.replace("?", "%s") if self.postgres else statement

    def execute(self, statement: str, params: Sequence[Any] = ()) -> list[Row]:
        if self.postgres:
            with self.conn.cursor() as cur:
                cur.execute(self._sql(statement), params)
                return list(cur.fetchall()) if cur.description else []
        cur = self.conn.execute(statement, params)
        return list(cur.fetchall())

    def executemany(self, statement: str, rows: Iterable[Sequence[Any]]) -> None:
        rows = list(rows)
        if not rows:
            return
        if self.postgres:
            with self.conn.cursor() as cur:
                cur.executemany(self._sql(statement), rows)
        else:
            self.conn.executemany(statement, rows)

    def copy_rows(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
        """Bulk insert: COPY on PostgreSQL, executemany on SQLite."""
        names = ", ".join(columns)
        if self.postgres:
            with (
                self.conn.cursor() as cur,
                cur.copy(f"COPY {table} ({names}) FROM STDIN") as copy,
            ):
                for row in rows:
                    copy.write_row(row)
            return
        marks = ", ".join("?" for _ in columns)
        self.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)

    @contextmanager
    def transaction(self, *, write: bool = True) -> Iterator[Session]:
        """A write transaction (SQLite: BEGIN IMMEDIATE), or a read snapshot."""
        if self.postgres:
            begin = "BEGIN" if write else "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
        else:
            begin = "BEGIN IMMEDIATE" if write else "BEGIN"
        self.execute(begin)
        try:
            yield self
        except BaseException:
            self.execute("ROLLBACK")
            raise
        self.execute("COMMIT")

    def tables(self, prefix: str) -> list[str]:
        if self.postgres:
            rows = self.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
                "AND tablename LIKE ?",
                (prefix + "%",),
            )
        else:
            rows = self.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE ?",
                (prefix + "%",),
            )
        return [str(r[0]) for r in rows]


class Database:
    """Connections to the read-model store: pooled for queries, dedicated for runners."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.postgres = settings.is_postgres
        self.url = settings.database_url or ""
        self.path = sqlite_views_path(settings)
        self._local = threading.local()
        self._all_sqlite: list[sqlite3.Connection] = []
        self._guard = threading.Lock()
        self.pool: ConnectionPool[Any] | None = None
        if self.postgres:
            # Small (STOCKLEDGER_READ_POOL_SIZE), and every checkout is checked with an
            # empty query, so connections broken by a server restart are replaced rather
            # than handed to a query (which answered 500).
            self.pool = ConnectionPool(
                self.url,
                kwargs={"autocommit": True},
                min_size=1,
                max_size=settings.read_pool_size,
                open=True,
                name="stockledger-views",
                check=ConnectionPool.check_connection,
            )
        else:
            settings.data_dir.mkdir(parents=True, exist_ok=True)

    def connect(self) -> Session:
        """A dedicated connection (close it with ``release``)."""
        if self.postgres:
            return Session(psycopg.connect(self.url, autocommit=True), True)
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=30)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        return Session(conn, False)

    @staticmethod
    def release(session: Session) -> None:
        session.conn.close()

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A pooled connection (PostgreSQL) or this thread's own connection (SQLite)."""
        if self.pool is not None:
            with self.pool.connection() as conn:
                yield Session(conn, True)
            return
        session: Session | None = getattr(self._local, "session", None)
        if session is None:
            session = self.connect()
            self._local.session = session
            with self._guard:
                self._all_sqlite.append(session.conn)
        yield session

    def close(self) -> None:
        if self.pool is not None:
            self.pool.close()
        with self._guard:
            for conn in self._all_sqlite:
                conn.close()
            self._all_sqlite.clear()
        self._local = threading.local()


# -- values ------------------------------------------------------------------------------------


def encode(value: Any, kind: str, postgres: bool) -> Any:
    """A Python value as the backend stores it."""
    if value is None or postgres:
        return value
    if kind == "num":
        return str(value)
    if kind == "time":
        assert isinstance(value, datetime)
        return value.astimezone(UTC).strftime(TIME_FORMAT)
    return value


def decode(value: Any, kind: str, postgres: bool) -> Any:
    """A stored value back as Decimal, aware UTC datetime, int or str."""
    if value is None:
        return None
    if kind == "num":
        return value if isinstance(value, Decimal) else Decimal(value)
    if kind == "time":
        if isinstance(value, datetime):
            return value.astimezone(UTC)
        return datetime.strptime(value, TIME_FORMAT).replace(tzinfo=UTC)
    if kind == "int":
        return int(value)
    return value


def sql_type(kind: str, postgres: bool) -> str:
    if postgres:
        return {"num": "NUMERIC", "time": "TIMESTAMPTZ", "int": "BIGINT", "text": "TEXT"}[kind]
    return {"num": "TEXT", "time": "TEXT", "int": "INTEGER", "text": "TEXT"}[kind]
