"""What the service makes of its database URLs: multi-host failover URLs reach the event
store with their options, a read URL needs a primary, and connection errors answer 503."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest
from eventsourcing.persistence import OperationalError
from pydantic import ValidationError

from api import problems
from application.settings import Settings
from store.backend import OPTIONS_KEY, ledger_env, pg_conninfo

FAILOVER_URL = (
    "postgresql://app:s%40cret@db1:5432,db2:5433/ledger"
    "?target_session_attrs=read-write&connect_timeout=3"
)


def test_a_multi_host_url_names_every_host_and_keeps_its_options() -> None:
    env = pg_conninfo(FAILOVER_URL)
    assert env["POSTGRES_HOST"] == "db1,db2"
    assert env["POSTGRES_PORT"] == "5432,5433"
    assert env["POSTGRES_DBNAME"] == "ledger"
    assert env["POSTGRES_USER"] == "app"
    assert env["POSTGRES_PASSWORD"] == "s@cret"
    assert env[OPTIONS_KEY] == "connect_timeout=3&target_session_attrs=read-write"
    assert env["POSTGRES_CONNECT_TIMEOUT"] == "3"


def test_a_plain_url_gives_the_settings_it_always_gave() -> None:
    assert pg_conninfo("postgresql://u@h:6543/d") == {
        "POSTGRES_DBNAME": "d",
        "POSTGRES_HOST": "h",
        "POSTGRES_PORT": "6543",
        "POSTGRES_USER": "u",
        "POSTGRES_PASSWORD": "",
    }


def test_the_event_store_is_made_by_the_factory_that_passes_the_options(tmp_path: Path) -> None:
    env = ledger_env(Settings(database_url=FAILOVER_URL, data_dir=tmp_path))
    assert env["PERSISTENCE_MODULE"] == "store.backend:ConninfoFactory"


def test_a_read_url_needs_a_postgresql_primary(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="needs STOCKLEDGER_DATABASE_URL"):
        Settings(database_url=None, read_database_url="postgresql://h/d", data_dir=tmp_path)
    with pytest.raises(ValidationError, match="READ_DATABASE_URL must be a postgresql"):
        Settings(
            database_url="postgresql://h/d", read_database_url="mysql://h/d", data_dir=tmp_path
        )


def test_queries_use_the_read_url_and_everything_else_the_primary(tmp_path: Path) -> None:
    settings = Settings(
        database_url="postgresql://h1/d", read_database_url="postgresql://h2/d", data_dir=tmp_path
    )
    assert settings.for_queries.database_url == "postgresql://h2/d"
    assert settings.database_url == "postgresql://h1/d"
    plain = Settings(database_url="postgresql://h1/d", data_dir=tmp_path)
    assert plain.for_queries is plain


@pytest.mark.parametrize(
    "error",
    [
        psycopg.OperationalError("connection refused"),
        psycopg.errors.AdminShutdown("terminating connection"),
        psycopg.errors.ReadOnlySqlTransaction("read-only"),
        OperationalError("wrapped by the library"),
    ],
)
def test_a_lost_or_read_only_database_answers_503_database_unavailable(error: Exception) -> None:
    kind = problems.lookup(type(error))
    assert (kind.status, kind.code) == (503, "database_unavailable")
    response = problems.for_exception(error)
    assert b"database_unavailable" in response.body
    assert str(error).encode() not in response.body
