"""Shared fixtures. Sections: environment, PostgreSQL, settings, ledger."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from application.ledger import Ledger
from application.settings import Settings
from tests.pgserver import PostgresServer

# --- Environment -----------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _no_stockledger_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep a developer's STOCKLEDGER_* variables out of every test."""
    for name in list(os.environ):
        if name.startswith("STOCKLEDGER_"):
            monkeypatch.delenv(name)


# --- PostgreSQL ------------------------------------------------------------------------------
# One throwaway server per session, started only if some test asks for it;
# one fresh database per test.


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that needs the server, so `-m "not postgres"` deselects it."""
    for item in items:
        if "pg_server" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.postgres)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PostgresServer]:
    with PostgresServer() as server:
        yield server


@pytest.fixture
def pg_url(pg_server: PostgresServer) -> Iterator[str]:
    """URL of an empty database of this test's own, dropped afterwards."""
    name = f"test_{uuid.uuid4().hex[:16]}"
    pg_server.create_database(name)
    yield pg_server.url(name)
    pg_server.drop_database(name)


# --- Settings --------------------------------------------------------------------------------
# Keyword arguments are explicit so nothing is read from the environment by accident.


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
    ]
)
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """Settings for each backend in turn: embedded SQLite, then a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return Settings(database_url=None, data_dir=tmp_path / "var")
    # Looked up lazily so SQLite-only runs never start the server.
    pg_url: str = request.getfixturevalue("pg_url")
    return Settings(database_url=pg_url, data_dir=tmp_path / "var")


@pytest.fixture
def pg_settings(pg_url: str, tmp_path: Path) -> Settings:
    """Settings on a fresh PostgreSQL database, for PostgreSQL-specific tests."""
    return Settings(database_url=pg_url, data_dir=tmp_path / "var")


# --- Ledger ----------------------------------------------------------------------------------


@pytest.fixture
def ledger(settings: Settings) -> Iterator[Ledger]:
    """A Ledger on a fresh store (SQLite file, then a fresh PostgreSQL database)."""
    app = Ledger(settings)
    yield app
    app.close()
