"""Database failures of any `stockledger` command as one line on stderr, never a traceback.

``main`` runs the Typer app once inside ``database_failures``: a database that cannot be
reached, refuses a login, or refuses a statement (e.g. the role lacks a privilege) ends the
command with ``stockledger: <what>: <reason>`` and exit status ``DATABASE_EXIT``. The line
names host, port, database and user, never the password.
"""

from __future__ import annotations

import os
import sqlite3
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import psycopg_pool
from eventsourcing.persistence import PersistenceError
from psycopg.conninfo import conninfo_to_dict

DATABASE_EXIT = 3
DATABASE_ERRORS = (psycopg.Error, psycopg_pool.PoolTimeout, PersistenceError, sqlite3.Error)
CONNECT_MARKERS = ("connection failed", "could not connect", "connection refused", "timeout")


def target(url: str | None) -> tuple[str, str | None]:
    """``PostgreSQL at host:port (database d, user u)`` and the password to hide."""
    if not url:
        data_dir = os.environ.get("STOCKLEDGER_DATA_DIR", "./var")
        return f"the SQLite store in {data_dir}", None
    try:
        info = conninfo_to_dict(url)
    except psycopg.Error:
        return "PostgreSQL (STOCKLEDGER_DATABASE_URL does not parse)", None
    host = info.get("host") or "localhost"
    port = info.get("port") or "5432"
    named = ", ".join(
        f"{label} {info[key]}"
        for key, label in (("dbname", "database"), ("user", "user"))
        if info.get(key)
    )
    where = f"PostgreSQL at {host}:{port}" + (f" ({named})" if named else "")
    password = info.get("password")
    return where, str(password) if password else None


def describe(error: BaseException, url: str | None) -> str:
    """The one line that replaces a database error's traceback."""
    where, password = target(url)
    reason = " ".join(str(error).split()) or type(error).__name__
    if password:
        reason = reason.replace(password, "***")
    connecting = isinstance(error, psycopg_pool.PoolTimeout) or (
        any(marker in reason.lower() for marker in CONNECT_MARKERS)
        and isinstance(error, (psycopg.OperationalError, PersistenceError))
    )
    verb = "cannot connect to" if connecting else "database error on"
    return f"stockledger: {verb} {where}: {reason}"


@contextmanager
def database_failures() -> Iterator[None]:
    """Turns a database error escaping the command into one line and DATABASE_EXIT."""
    try:
        yield
    except DATABASE_ERRORS as error:
        print(describe(error, os.environ.get("STOCKLEDGER_DATABASE_URL")), file=sys.stderr)
        raise SystemExit(DATABASE_EXIT) from None
