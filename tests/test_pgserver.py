"""The throwaway PostgreSQL server and the fixtures built on it."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from application.settings import Settings
from tests.pgserver import PostgresServer, find_bindir


def _table_names(url: str) -> set[str]:
    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        return {row[0] for row in rows}


def test_the_server_accepts_connections_on_the_url_it_reports(pg_url: str) -> None:
    with psycopg.connect(pg_url) as conn:
        row = conn.execute("SELECT current_database(), current_setting('fsync')").fetchone()
    assert row is not None
    assert pg_url.endswith(f"/{row[0]}")
    assert row[1] == "off"


def test_each_test_gets_a_fresh_empty_database(pg_url: str) -> None:
    assert _table_names(pg_url) == set()


def test_two_databases_do_not_see_each_others_tables(pg_server: PostgresServer) -> None:
    pg_server.create_database("isolation_a")
    pg_server.create_database("isolation_b")
    try:
        with psycopg.connect(pg_server.url("isolation_a")) as conn:
            conn.execute("CREATE TABLE only_in_a (id int)")
        assert _table_names(pg_server.url("isolation_a")) == {"only_in_a"}
        assert _table_names(pg_server.url("isolation_b")) == set()
    finally:
        pg_server.drop_database("isolation_a")
        pg_server.drop_database("isolation_b")


def test_dropping_a_database_terminates_connections_left_open(pg_server: PostgresServer) -> None:
    pg_server.create_database("left_open")
    with psycopg.connect(pg_server.url("left_open"), autocommit=True) as conn:
        pg_server.drop_database("left_open")
        with pytest.raises(psycopg.OperationalError):
            conn.execute("SELECT 1")
    with psycopg.connect(pg_server.url()) as admin:
        rows = admin.execute("SELECT 1 FROM pg_database WHERE datname = 'left_open'").fetchall()
    assert rows == []


def test_a_missing_postgresql_installation_names_the_package_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(RuntimeError, match=r"apt-get install -y postgresql"):
        find_bindir(search_root=tmp_path)


def test_settings_point_each_backend_at_its_own_store(settings: Settings, tmp_path: Path) -> None:
    assert settings.data_dir == tmp_path / "var"
    if settings.is_postgres:
        assert settings.database_url is not None
        assert settings.database_url.startswith("postgresql://postgres@127.0.0.1:")
    else:
        assert settings.database_url is None
