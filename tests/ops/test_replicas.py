"""Queries from a hot standby (STOCKLEDGER_READ_DATABASE_URL): commands, projectors and
rebuilds on the primary; the views read the standby, and ``min_position`` waits for what the
STANDBY has replayed, not for the primary's registry."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from application.settings import Settings
from tests.api.conftest import Api, _api, receipt
from tests.e2e.conftest import wait_until
from tests.pgserver import PostgresServer, free_port

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def pair() -> Iterator[tuple[PostgresServer, PostgresServer]]:
    """A primary and a streaming hot standby made from it."""
    with PostgresServer() as primary:
        standby = primary.start_standby()
        try:
            yield primary, standby
        finally:
            standby.stop()


@pytest.fixture
def replica_api(pair: tuple[PostgresServer, PostgresServer], tmp_path: Path) -> Iterator[Api]:
    primary, standby = pair
    primary.create_database("ledger")  # replicated to the standby like any write
    try:
        yield from _api(_replicated(pair, "ledger", tmp_path, 1.0))
    finally:
        _replay(standby, "resume")
        primary.drop_database("ledger")


def _replicated(
    pair: tuple[PostgresServer, PostgresServer], name: str, tmp_path: Path, wait: float
) -> Settings:
    """Commands on the primary's database ``name``, queries on the standby's copy of it."""
    primary, standby = pair
    return Settings(
        database_url=primary.url(name),
        read_database_url=standby.url(name),
        data_dir=tmp_path / "var",
        read_your_writes_wait=wait,
    )


def _replay(standby: PostgresServer, what: str) -> None:
    """Pauses or resumes the standby's replay of the primary's WAL."""
    with psycopg.connect(standby.url(), autocommit=True) as conn:
        conn.execute(f"SELECT pg_wal_replay_{what}()")


def _standby(api: Api) -> psycopg.Connection[tuple[object, ...]]:
    url = api.client.app.state.settings.read_database_url  # type: ignore[attr-defined]
    return psycopg.connect(url, autocommit=True)


def test_queries_read_the_standby_and_see_the_write_at_min_position(replica_api: Api) -> None:
    posted = replica_api.post("/api/receipts", receipt("R-1", qty="7"), role="clerk")
    assert posted.status_code == 201, posted.json()
    position = posted.json()["position"]

    answer = replica_api.get(f"/api/stock/AB-001/main?min_position={position}")
    assert answer.status_code == 200, answer.json()
    assert answer.json()["on_hand"] == "7"
    assert answer.json()["position"] >= position
    read_models = replica_api.client.app.state.read_models  # type: ignore[attr-defined]
    with read_models.stock.db.session() as session:
        assert session.execute("SELECT pg_is_in_recovery()") == [(True,)]
    with read_models.db.session() as session:
        assert session.execute("SELECT pg_is_in_recovery()") == [(False,)]


def test_min_position_waits_for_the_standby_to_replay_it_else_503(replica_api: Api) -> None:
    first = replica_api.post("/api/receipts", receipt("R-1", qty="7"), role="clerk").json()
    assert replica_api.get(f"/api/stock?min_position={first['position']}").status_code == 200
    with _standby(replica_api) as standby:
        standby.execute("SELECT pg_wal_replay_pause()")
        second = replica_api.post("/api/receipts", receipt("R-2", qty="5"), role="clerk").json()
        read_models = replica_api.client.app.state.read_models  # type: ignore[attr-defined]
        wait_until(
            lambda: min(read_models.positions().values()) >= second["position"],
            10.0,
            "the primary's read models to reach the second receipt",
        )

        lagging = replica_api.get(f"/api/stock/AB-001/main?min_position={second['position']}")
        assert lagging.status_code == 503, lagging.json()
        assert lagging.json()["code"] == "projection_lagging"

        standby.execute("SELECT pg_wal_replay_resume()")
    caught_up = replica_api.get(f"/api/stock/AB-001/main?min_position={second['position']}")
    assert caught_up.status_code == 200, caught_up.json()
    assert caught_up.json()["on_hand"] == "12"


def test_an_unreachable_standby_answers_503_database_unavailable_never_500(
    pair: tuple[PostgresServer, PostgresServer], tmp_path: Path
) -> None:
    primary, _ = pair
    primary.create_database("lonely")
    settings = Settings(
        database_url=primary.url("lonely"),
        read_database_url=f"postgresql://postgres@127.0.0.1:{free_port()}/lonely",
        data_dir=tmp_path / "var",
    )
    try:
        for api in _api(settings):
            assert api.post("/api/receipts", receipt("R-1"), role="clerk").status_code == 201
            answer = api.get("/api/stock")
            assert answer.status_code == 503, answer.json()
            assert answer.json()["code"] == "database_unavailable"
            assert "127.0.0.1" not in answer.json()["detail"]
    finally:
        primary.drop_database("lonely")


def test_a_standby_without_the_read_models_yet_answers_503_lagging_then_the_write(
    pair: tuple[PostgresServer, PostgresServer], tmp_path: Path
) -> None:
    primary, standby = pair
    primary.create_database("fresh")
    wait_until(lambda: _connects(standby.url("fresh")), 10.0, "the database on the standby")
    settings = _replicated(pair, "fresh", tmp_path, 0.5)
    try:
        _replay(standby, "pause")  # before the schema exists
        for api in _api(settings):
            position = api.post("/api/receipts", receipt("R-1"), role="clerk").json()["position"]
            lagging = api.get(f"/api/stock?min_position={position}")
            assert lagging.status_code == 503, lagging.json()
            assert lagging.json()["code"] == "projection_lagging"
            _replay(standby, "resume")
            read_models = api.client.app.state.read_models  # type: ignore[attr-defined]
            read_models.settings = settings.model_copy(update={"read_your_writes_wait": 10.0})
            assert api.get(f"/api/stock?min_position={position}").status_code == 200
    finally:
        _replay(standby, "resume")
        primary.drop_database("fresh")


def _connects(url: str) -> bool:
    try:
        with psycopg.connect(url, connect_timeout=2):
            return True
    except psycopg.OperationalError:
        return False
