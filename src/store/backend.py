"""The event store under the ledger: SQLite file or PostgreSQL, chosen by Settings.

Also what the library leaves to us: the append-only guard on the events table, serialised
schema creation across processes, finding the global position of recorded events, and the
connection options the library has no setting for (a multi-host URL's
``target_session_attrs``, which is how a promoted standby is found after a failover).
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode
from uuid import UUID

import psycopg
from eventsourcing.persistence import InterfaceError, OperationalError
from eventsourcing.postgres import PostgresFactory
from psycopg.conninfo import conninfo_to_dict
from psycopg.sql import SQL, Identifier

from application.settings import Settings

APP_NAME = "Ledger"
PG_EVENTS_TABLE = "ledger_events"
PG_SNAPSHOTS_TABLE = "ledger_snapshots"
# Writers serialise on this empty table instead of locking the events table itself: the
# commit order still equals the position order, and the writing role needs only SELECT and
# INSERT on the events (LOCK ... IN EXCLUSIVE MODE demands UPDATE rights on its table).
PG_WRITE_LOCK_TABLE = "ledger_write_lock"
SQLITE_EVENTS_TABLE = "stored_events"
SQLITE_SNAPSHOTS_TABLE = "stored_snapshots"
_SCHEMA_LOCK = zlib.crc32(b"stockledger-schema")

_PG_APPEND_ONLY = f"""
CREATE TABLE IF NOT EXISTS {PG_WRITE_LOCK_TABLE} ();
CREATE OR REPLACE FUNCTION stockledger_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'stockledger: % on % refused: the ledger is append-only',
    TG_OP, TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END $$;
DROP TRIGGER IF EXISTS {PG_EVENTS_TABLE}_append_only ON {PG_EVENTS_TABLE};
CREATE TRIGGER {PG_EVENTS_TABLE}_append_only BEFORE UPDATE OR DELETE ON {PG_EVENTS_TABLE}
  FOR EACH ROW EXECUTE FUNCTION stockledger_refuse_change();
DROP TRIGGER IF EXISTS {PG_EVENTS_TABLE}_no_truncate ON {PG_EVENTS_TABLE};
CREATE TRIGGER {PG_EVENTS_TABLE}_no_truncate BEFORE TRUNCATE ON {PG_EVENTS_TABLE}
  FOR EACH STATEMENT EXECUTE FUNCTION stockledger_refuse_change();
DROP TRIGGER IF EXISTS {PG_SNAPSHOTS_TABLE}_no_update ON {PG_SNAPSHOTS_TABLE};
CREATE TRIGGER {PG_SNAPSHOTS_TABLE}_no_update BEFORE UPDATE ON {PG_SNAPSHOTS_TABLE}
  FOR EACH ROW EXECUTE FUNCTION stockledger_refuse_change();
"""

_SQLITE_APPEND_ONLY = [
    f"CREATE TRIGGER IF NOT EXISTS {SQLITE_EVENTS_TABLE}_no_update BEFORE UPDATE ON "
    f"{SQLITE_EVENTS_TABLE} BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END",
    f"CREATE TRIGGER IF NOT EXISTS {SQLITE_EVENTS_TABLE}_no_delete BEFORE DELETE ON "
    f"{SQLITE_EVENTS_TABLE} BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END",
    f"CREATE TRIGGER IF NOT EXISTS {SQLITE_SNAPSHOTS_TABLE}_no_update BEFORE UPDATE ON "
    f"{SQLITE_SNAPSHOTS_TABLE} BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END",
]


def sqlite_path(settings: Settings) -> Path:
    return settings.data_dir / "ledger.sqlite"


# The database cannot be reached, or is not (or no longer) the writable primary: a
# restart, a failover under way, a standby answering. Commands and queries answer 503.
UNAVAILABLE_ERRORS: tuple[type[Exception], ...] = (
    psycopg.OperationalError,
    psycopg.errors.ReadOnlySqlTransaction,
    OperationalError,
    InterfaceError,
)
# The library's own key (read by ConninfoFactory) for the connection options it lacks.
OPTIONS_KEY = "STOCKLEDGER_PG_OPTIONS"
# Seconds an unused pooled connection stays open (read by ConninfoFactory: the library
# has no setting for the pool's max_idle).
MAX_IDLE_KEY = "STOCKLEDGER_PG_MAX_IDLE"
_LIBRARY_KEYS = {"dbname", "host", "port", "user", "password"}


def pg_conninfo(url: str) -> dict[str, str]:
    """Splits a postgresql:// URL (multi-host too: ``h1:p1,h2:p2``) into the library's
    POSTGRES_* settings; other URL parameters (``target_session_attrs``,
    ``connect_timeout``, ``sslmode``, …) travel under OPTIONS_KEY."""
    parts = conninfo_to_dict(url)
    env = {
        "POSTGRES_DBNAME": str(parts.get("dbname") or "postgres"),
        "POSTGRES_HOST": str(parts.get("host") or "127.0.0.1"),
        "POSTGRES_PORT": str(parts.get("port") or 5432),
        "POSTGRES_USER": str(parts.get("user") or "postgres"),
        "POSTGRES_PASSWORD": str(parts.get("password") or ""),
    }
    options = {k: str(v) for k, v in parts.items() if k not in _LIBRARY_KEYS}
    if options:
        env[OPTIONS_KEY] = urlencode(options)
    if "connect_timeout" in options:
        # Also how long a command waits for a pooled connection while the server is away.
        env["POSTGRES_CONNECT_TIMEOUT"] = options["connect_timeout"]
    return env


class ConninfoFactory(PostgresFactory):
    """The library's PostgreSQL factory, passing OPTIONS_KEY's options to every connection
    its pool opens (the pool is not open yet when the factory is made), and closing the
    pool's connections after MAX_IDLE_KEY seconds unused."""

    def __init__(self, env: Any) -> None:
        super().__init__(env)
        options = dict(parse_qsl(self.env.get(OPTIONS_KEY) or ""))
        pool = self.datastore.pool
        assert isinstance(pool.kwargs, dict)
        pool.kwargs.update(options)
        max_idle = self.env.get(MAX_IDLE_KEY)
        if max_idle:
            pool.max_idle = float(max_idle)  # ok-float: seconds


def ledger_env(settings: Settings) -> dict[str, str]:
    """The eventsourcing environment for the ledger application."""
    env = {
        "AGGREGATE_CACHE_MAXSIZE": str(settings.aggregate_cache_size),
        "CREATE_TABLE": "y" if settings.create_schema else "n",
    }
    if settings.database_url:
        env.update(pg_conninfo(settings.database_url))
        env.update(
            {
                "PERSISTENCE_MODULE": f"{__name__}:ConninfoFactory",
                "APPLICATION_RECORDER_TOPIC": "store.group_commit:LedgerRecorder",
                "POSTGRES_LOCK_TIMEOUT": str(settings.lock_timeout),
                # The library keeps POOL_SIZE connections open for good and MAX_OVERFLOW
                # more under load: none kept here (a store opens connections on demand and
                # closes them after pool_max_idle seconds unused), at most both settings'
                # sum (docs/OPERATIONS.md "Connections and pool sizes").
                "POSTGRES_POOL_SIZE": "0",
                "POSTGRES_MAX_OVERFLOW": str(settings.pool_size + settings.pool_max_overflow),
                MAX_IDLE_KEY: str(settings.pool_max_idle),
                # No ping per checkout (it doubled the round trips of a command): the
                # recorder retries a statement on a dropped connection, and the pool
                # discards broken connections when they come back.
                "POSTGRES_PRE_PING": "n",
            }
        )
    else:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        env.update(
            {
                "PERSISTENCE_MODULE": "eventsourcing.sqlite",
                "APPLICATION_RECORDER_TOPIC": "store.sqlite_recorder:CheckedSQLiteRecorder",
                "SQLITE_DBNAME": str(sqlite_path(settings)),
                "SQLITE_LOCK_TIMEOUT": "10",
            }
        )
    return env


def event_store_pool(recorder: Any) -> Any:
    """The PostgreSQL recorder's connection pool (psycopg_pool), for others to borrow."""
    return recorder.datastore.pool


@contextmanager
def schema_lock(settings: Settings) -> Iterator[None]:
    """Serialises schema creation across processes starting at once (PostgreSQL DDL races)."""
    if not settings.database_url:
        yield
        return
    with psycopg.connect(settings.database_url, autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(%s)", (_SCHEMA_LOCK,))
        try:
            yield
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (_SCHEMA_LOCK,))


def install_append_only_guard(recorder: Any, settings: Settings) -> None:
    """Makes the database itself refuse UPDATE, DELETE and TRUNCATE of recorded events, and
    UPDATE of a snapshot (a snapshot is never rewritten; deleting one only costs a replay)."""
    if settings.database_url:
        with recorder.datastore.transaction(commit=True) as cursor:
            cursor.execute(_PG_APPEND_ONLY)
    else:
        with recorder.datastore.transaction(commit=True) as cursor:
            for statement in _SQLITE_APPEND_ONLY:
                cursor.execute(statement)


def serialise_writers_on_lock_table(recorder: Any, settings: Settings) -> None:
    """Points the recorder's writer lock at the lock table (see PG_WRITE_LOCK_TABLE). The
    lock wait is bounded by the recorder (store.group_commit: ``lock_timeout``)."""
    if not settings.database_url:
        return
    recorder.lock_table_statements = [
        SQL("LOCK TABLE {0}.{1} IN EXCLUSIVE MODE").format(
            Identifier(recorder.datastore.schema), Identifier(PG_WRITE_LOCK_TABLE)
        ),
    ]


def positions_of(recorder: Any, refs: Sequence[tuple[UUID, int]], postgres: bool) -> list[int]:
    """Global positions (notification ids) of the given (originator_id, version) events."""
    found: list[int] = []
    with recorder.datastore.transaction(commit=False) as cursor:
        for originator_id, version in refs:
            key = originator_id if postgres else originator_id.hex
            where = "originator_id = ? AND originator_version = ?"
            position = first_position(cursor, postgres, where, (key, version))
            assert position is not None, f"no event {version} of {originator_id}"
            found.append(position)
    return found


def first_position(cursor: Any, postgres: bool, where: str, params: Sequence[Any]) -> int | None:
    """The position of the first recorded event that ``where`` holds for (``?`` marks its
    parameters, ``{position}`` names the position column: PostgreSQL's notification_id,
    SQLite's rowid), or None."""
    column, table = (
        ("notification_id", PG_EVENTS_TABLE) if postgres else ("rowid", SQLITE_EVENTS_TABLE)
    )
    clause = where.format(position=column)
    statement = f"SELECT {column} FROM {table} WHERE {clause} ORDER BY {column} LIMIT 1"
    cursor.execute(statement.replace("?", "%s") if postgres else statement, params)
    row = cursor.fetchone()
    if row is None:
        return None
    return int(row[column] if postgres else row[0])
