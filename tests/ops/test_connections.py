"""PostgreSQL connections: a `serve` process stays within its documented bound, and read
queries recover from a server restart (a 503 while it restarts is fine, a 500 is not)."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from application.settings import Settings
from tests.e2e.conftest import Server, cli
from tests.pgserver import PostgresServer

pytestmark = pytest.mark.postgres

# docs/OPERATIONS.md "Writer, keys and connections": `serve` on PostgreSQL is two processes.
# The API process: pool_size + pool_max_overflow + read_pool_size + 1 for the event feed's
# head watcher. The projector process: the same pools and head watcher, plus 2 per
# projection (6: balances, movements, cogs, items, locations, food_cost); no webhook here.
PROJECTIONS = 6
FEED = 1


def bound(settings: Settings) -> int:
    pools = settings.pool_size + settings.pool_max_overflow + settings.read_pool_size
    api_process = pools + FEED
    projector_process = pools + FEED + 2 * PROJECTIONS
    return api_process + projector_process


def connections(url: str, dbname: str) -> int:
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            (dbname,),
        ).fetchone()
    assert row is not None
    return int(row[0])


def test_serve_and_its_projector_process_stay_within_the_documented_connection_bound(
    pg_url: str, tmp_path: Path
) -> None:
    settings = Settings(database_url=pg_url, data_dir=tmp_path / "var")
    token = cli(settings, "keys", "create", "--user", "ann", "--role", "admin").stdout.split()[-1]
    server = Server(settings, tmp_path)
    try:
        server.start()
        _load_and_count(server, settings, token, pg_url)
    finally:
        if server.process is not None and server.process.poll() is None:
            server.stop()


def _load_and_count(server: Server, settings: Settings, token: str, pg_url: str) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    failures: list[str] = []

    def client(n: int) -> None:
        with httpx.Client(base_url=server.url, headers=headers, timeout=30) as http:
            for i in range(15):
                body = {
                    "receipt_id": f"R-{n}-{i}",
                    "location": "main",
                    "lines": [{"sku": f"SKU-{i % 5}", "quantity": "2", "unit_cost": "1.00"}],
                }
                for response in (
                    http.post("/api/receipts", json=body),
                    http.get("/api/stock"),
                    http.get("/api/stock/SKU-1"),
                ):
                    if response.status_code >= 500:
                        failures.append(response.text)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not failures
    dbname = pg_url.rsplit("/", 1)[1]
    held = connections(pg_url, dbname)
    assert 0 < held <= bound(settings), held


@pytest.fixture
def own_server() -> Iterator[PostgresServer]:
    """A server of this test's own: it is restarted."""
    with PostgresServer() as server:
        yield server


def test_read_queries_recover_after_a_postgres_restart(
    own_server: PostgresServer, tmp_path: Path
) -> None:
    name = f"test_{uuid.uuid4().hex[:12]}"
    own_server.create_database(name)
    settings = Settings(database_url=own_server.url(name), data_dir=tmp_path / "var")
    app = create_app(settings)
    token = app.state.ledger.issue_key("ann", "admin", issued_by="test")[1]
    headers = {"Authorization": f"Bearer {token}"}
    body = {
        "receipt_id": "R-1",
        "location": "main",
        "lines": [{"sku": "AB-001", "quantity": "2", "unit_cost": "1.00"}],
    }
    with TestClient(app, raise_server_exceptions=False) as client:
        position = client.post("/api/receipts", json=body, headers=headers).json()["position"]
        # Every pooled read connection is open before the restart breaks them all.
        for _ in range(settings.read_pool_size * 2):
            assert client.get(f"/api/stock?min_position={position}", headers=headers).is_success
        own_server.restart()
        statuses = [client.get("/api/stock", headers=headers).status_code for _ in range(30)]
        assert all(status < 500 or status == 503 for status in statuses), statuses
        assert statuses[-1] == 200, statuses
