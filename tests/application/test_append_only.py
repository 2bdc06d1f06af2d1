"""Append-only (SPEC §1.1): the database itself refuses to change or remove recorded events."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import psycopg
import pytest

from application.ledger import Ledger
from application.settings import Settings
from store import backend
from tests.application.helpers import receive


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE ledger_events SET topic = topic",
        "DELETE FROM ledger_events",
        "TRUNCATE ledger_events",
        "DELETE FROM ledger_events WHERE notification_id = 1",
    ],
)
def test_postgres_refuses_to_update_delete_or_truncate_events(
    pg_settings: Settings, statement: str
) -> None:
    with Ledger(pg_settings) as ledger:
        receive(ledger, "r-1", "A", "3", "2")
        head = ledger.head()
    assert pg_settings.database_url is not None
    with psycopg.connect(pg_settings.database_url, autocommit=True) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only"):
            conn.execute(statement)
        count = conn.execute("SELECT count(*), max(notification_id) FROM ledger_events")
        assert count.fetchone() == (head, head)


@pytest.mark.parametrize(
    "statement",
    ["UPDATE stored_events SET topic = topic", "DELETE FROM stored_events"],
)
def test_sqlite_refuses_to_update_or_delete_events(tmp_path: Path, statement: str) -> None:
    settings = Settings(database_url=None, data_dir=tmp_path / "var")
    with Ledger(settings) as ledger:
        receive(ledger, "r-1", "A", "3", "2")
        head = ledger.head()
    with closing(sqlite3.connect(backend.sqlite_path(settings))) as conn:
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            conn.execute(statement)
        conn.rollback()
        assert conn.execute("SELECT count(*), max(rowid) FROM stored_events").fetchone() == (
            head,
            head,
        )
