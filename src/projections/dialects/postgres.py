"""PostgreSQL: read-model tables beside the event table, prefixed ``rm_``.

Queries borrow from a small pool (STOCKLEDGER_READ_POOL_SIZE) whose connections are checked
at checkout, so connections broken by a server restart are replaced rather than handed to a
query. Every connection is autocommit with explicit transactions: without it a
``transaction()`` is a SAVEPOINT inside one endless transaction. Reads run REPEATABLE READ
READ ONLY, so a query's registry row and table rows are one snapshot.

Locks: ``FOR UPDATE`` on registry rows; a session advisory lock per rebuild, and per
projection and version for the active runner (standbys wait for it; death releases it).
Bulk loads use binary COPY into a table without key or indexes, which are built after the load.
Runners LISTEN on ``ledger_events`` (the event recorder NOTIFYs on every write); the poll
timeout covers a lost notification. The LISTEN and the advisory locks of every runner, rebuild
and head watcher of a process live on one control connection per store (``pg_control``).
"""

from __future__ import annotations

import functools
import operator
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg_pool import ConnectionPool, PoolTimeout

from application.errors import ConcurrencyConflictError
from application.settings import Settings
from projections.dialects import MARK, Catalogued, Row, Waiter, escape_text
from projections.dialects.pg_control import Control
from projections.dialects.pg_shared import Borrowed

CHANNEL = "ledger_events"
POOL_WAIT = 5.0
TYPES = {"num": "NUMERIC", "time": "TIMESTAMPTZ", "int": "BIGINT", "text": "TEXT"}


def lock_key(kind: str, name: str) -> int:
    return zlib.crc32(f"stockledger-{kind}:{name}".encode())


@functools.lru_cache(maxsize=64)
def _text_columns(kinds: tuple[str, ...]) -> Callable[[Sequence[Any]], tuple[Any, ...]]:
    """A row's text values, as a tuple (none where the row has no text column)."""
    indexes = [index for index, kind in enumerate(kinds) if kind == "text"]
    if len(indexes) > 1:
        return operator.itemgetter(*indexes)
    return lambda row: tuple(row[index] for index in indexes)


@functools.lru_cache(maxsize=64)
def _unnest(head: str, tail: str, kinds: tuple[str, ...]) -> str:
    arrays = ", ".join(f"%b::{TYPES[kind]}[]" for kind in kinds)
    return f"{head} SELECT * FROM unnest({arrays}){tail}"


class PostgresDialect(Catalogued):
    TYPES = TYPES
    TABLES = (
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename LIKE ?"
    )
    for_update = " FOR UPDATE"
    defers_indexes = True
    errors: tuple[type[Exception], ...] = (psycopg.Error,)
    # The server away or the connection lost: not a fault of what a runner was applying.
    transient: tuple[type[Exception], ...] = (psycopg.OperationalError, psycopg.InterfaceError)

    def __init__(self, settings: Settings) -> None:
        self.url = settings.database_url or ""
        self.pool: ConnectionPool[Any] | Borrowed = ConnectionPool(
            self.url,
            kwargs={"autocommit": True},
            # None kept: opened on demand, closed after pool_max_idle seconds unused.
            min_size=0,
            max_size=settings.read_pool_size,
            max_idle=settings.pool_max_idle,
            open=True,
            name="stockledger-views",
            check=ConnectionPool.check_connection,
            # A query waits this long for a connection when the server is away (then 503).
            timeout=POOL_WAIT,
        )
        # The LISTEN and advisory locks of every runner and the head watcher (pg_control).
        self.control = Control(self.url, CHANNEL)

    # -- connections -------------------------------------------------------------------------

    def connect(self) -> psycopg.Connection[Any]:
        return psycopg.connect(self.url, autocommit=True)

    def release(self, conn: Any) -> None:
        conn.close()

    @contextmanager
    def pooled(self) -> Iterator[psycopg.Connection[Any]]:
        try:
            with self.pool.connection() as conn:
                yield conn
        except PoolTimeout as timeout:
            raise self._unreachable(timeout) from timeout

    def _unreachable(self, timeout: PoolTimeout) -> psycopg.OperationalError:
        """Why a pool that failed to connect gave no connection (the server's refusal, a
        login refused), in place of "couldn't get a connection after 5 s"; a pool whose
        connections are all busy keeps its timeout (and opens nothing more)."""
        stats: dict[str, int] = getattr(self.pool, "get_stats", dict)()
        if not stats.get("connections_errors", 0):
            return timeout
        try:
            psycopg.connect(self.url, connect_timeout=int(POOL_WAIT)).close()
        except psycopg.OperationalError as error:
            return error
        return timeout

    def wake(self) -> None:
        """Wakes this process's runners now (read-your-writes), as a NOTIFY would."""
        self.control.wake()

    def share(self, pool: Any) -> None:
        """Borrows ``pool``'s connections (the event store's) from now on, and closes this
        dialect's own pool: `serve`'s projector process (``pg_shared``)."""
        own, self.pool = self.pool, Borrowed(pool)
        own.close()

    def close(self) -> None:
        self.control.close()
        self.pool.close()

    # -- statements --------------------------------------------------------------------------

    def execute(self, conn: Any, statement: str, params: Sequence[Any]) -> list[Row]:
        with conn.cursor() as cur:
            cur.execute(statement.replace("?", "%s"), params)
            return list(cur.fetchall()) if cur.description else []

    def insert_rows(
        self, conn: Any, head: str, tail: str, kinds: Sequence[str], rows: list[Sequence[Any]]
    ) -> None:
        # One short statement of one array per column, prepared once: a runner's batch
        # touches a few rows per projection, and psycopg's executemany (a pipeline of a
        # statement per row) was a third of the projector's CPU under load, a multi-row
        # VALUES a statement too long for psycopg to cache its parsing (docs/BENCHMARKS.md
        # "The key checked at commit").
        columns = [list(column) for column in zip(*rows, strict=True)]
        with conn.cursor() as cur:
            cur.execute(_unnest(head, tail, tuple(kinds)), columns, prepare=True)

    def copy_rows(
        self, conn: Any, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]
    ) -> None:
        names = ", ".join(columns)
        with conn.cursor() as cur:
            # Binary COPY: no text formatting of every value (half a rebuild's CPU went to
            # it); the column types it needs are the table's own.
            cur.execute(f"SELECT {names} FROM {table} LIMIT 0")
            types = [column.type_code for column in cur.description or ()]
            with cur.copy(f"COPY {table} ({names}) FROM STDIN (FORMAT BINARY)") as copy:
                copy.set_types(types)
                for row in rows:
                    copy.write_row(row)

    def begin(self, *, write: bool) -> str:
        return "BEGIN" if write else "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"

    # -- values: psycopg adapts Decimal, datetime, int and str itself; TEXT cannot hold U+0000,
    # so a text holding it is stored escaped (projections.dialects.escape_text) ---------------

    def encode(self, value: Any, kind: str) -> Any:
        if kind == "text" and isinstance(value, str):
            return escape_text(value)
        return value

    def encode_row(self, values: Sequence[Any], kinds: Sequence[str]) -> tuple[Any, ...]:
        texts = _text_columns(tuple(kinds))
        # One scan of the row's texts joined (in C): nearly every row needs no escape.
        joined = "".join(filter(None, texts(values)))
        if "\x00" not in joined and MARK not in joined:
            return tuple(values)
        row = list(values)
        for index, kind in enumerate(kinds):
            if kind == "text" and isinstance(row[index], str):
                row[index] = escape_text(row[index])
        return tuple(row)

    # -- exact arithmetic: NUMERIC sums are exact ---------------------------------------------

    def exact_sum(self, expr: str) -> str:
        return f"SUM({expr})"

    def is_zero(self, expr: str) -> str:
        return f"({expr}) = 0"

    def ordered(self, expr: str) -> str:
        return f'{expr} COLLATE "C"'  # byte order of UTF-8 is code-point order

    def missing_table(self, conn: Any, error: Exception, table: str) -> bool:
        return isinstance(error, psycopg.errors.UndefinedTable)  # SQLSTATE 42P01

    # -- locking and waiting -----------------------------------------------------------------

    def _try_lock(self, conn: Any, key: int) -> bool:
        return bool(self.execute(conn, "SELECT pg_try_advisory_lock(?)", (key,))[0][0])

    @contextmanager
    def rebuild_lock(self, name: str, *, wait: bool) -> Iterator[None]:
        key = lock_key("rebuild", name)
        while (epoch := self.control.try_lock(key)) is None:
            if not wait:
                raise ConcurrencyConflictError(f"a rebuild of {name} is already running")
            time.sleep(0.5)
        try:
            yield
        finally:
            self.control.unlock(key, epoch)

    def hold(self, conn: Any, kind: str, name: str) -> bool:
        return self._try_lock(conn, lock_key(kind, name))

    def followed(self, conn: Any, names: Iterable[str]) -> set[str]:
        # A session advisory lock on a bigint key shows in pg_locks as classid (high half),
        # objid (low half) and objsubid 1; the keys are 32-bit, and scoped to the database.
        rows = self.execute(
            conn,
            "SELECT objid::bigint FROM pg_locks WHERE locktype = 'advisory' AND granted "
            "AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
            "AND classid::bigint = 0 AND objsubid = 1",
            (),
        )
        held = {int(row[0]) for row in rows}
        return {name for name in names if lock_key("projection", name) in held}

    @contextmanager
    def watching(self) -> Iterator[Waiter]:
        yield self.control.subscribe()

    @contextmanager
    def following(self, name: str, stop: threading.Event) -> Iterator[Waiter | None]:
        # One active runner per name: the holder's session keeps the advisory lock, standbys
        # poll for it and take over when that session ends. The session is the store's
        # control connection, shared by every runner of this process (pg_control).
        key = lock_key("projection", name)
        while (epoch := self.control.try_lock(key)) is None:
            if stop.wait(1.0):
                yield None
                return
        try:
            yield self.control.subscribe()
        finally:
            self.control.unlock(key, epoch)
