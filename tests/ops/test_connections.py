"""PostgreSQL connections (issue 27.3): one `serve` under 16 clients holds at most 16, with 4
tenants at most 32 and every tenant answers; idle pools shrink; `serve` refuses to start when
its worst case does not fit the server; read queries recover from a server restart.

Connections are counted in pg_stat_activity by application_name (`serve` names its processes'
connections `stockledger-api` and `stockledger-projector`), sampled while the load runs."""

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
from projections.dialects.pg_control import Control, ControlLost
from projections.dialects.postgres import CHANNEL, lock_key
from tenancy.capacity import per_store
from tests.e2e.conftest import Server, cli, wait_until
from tests.pgserver import PostgresServer, fetch

pytestmark = pytest.mark.postgres

CLIENTS = 16


def held(server_url: str, databases: list[str]) -> dict[str, int]:
    """Connections of `serve`'s processes to ``databases``, by application_name."""
    rows = fetch(
        server_url,
        "SELECT application_name, count(*) FROM pg_stat_activity "
        "WHERE datname = ANY(%s) AND application_name LIKE 'stockledger-%%' GROUP BY 1",
        (databases,),
    )
    return {str(name): int(count) for name, count in rows}


class Peak:
    """Samples ``held`` in a thread until stopped; keeps the largest total seen."""

    def __init__(self, server_url: str, databases: list[str]) -> None:
        self.server_url, self.databases = server_url, databases
        self.most: dict[str, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.is_set():
            now = held(self.server_url, self.databases)
            if sum(now.values()) > sum(self.most.values()):
                self.most = now
            self._stop.wait(0.02)  # sampling interval, not synchronisation

    def __enter__(self) -> Peak:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    @property
    def total(self) -> int:
        return sum(self.most.values())


def load(url: str, tokens: list[str], rounds: int = 15) -> list[str]:
    """CLIENTS threads posting receipts and querying stock, spread over ``tokens``' ledgers;
    the 5xx answers (there must be none)."""
    failures: list[str] = []

    def client(n: int) -> None:
        token = tokens[n % len(tokens)]
        with httpx.Client(
            base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=60
        ) as http:
            for i in range(rounds):
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
                    if response.status_code >= 500 or response.status_code == 401:
                        failures.append(f"{response.status_code} {response.text}")

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    return failures


@pytest.fixture
def servers() -> Iterator[list[Server]]:
    started: list[Server] = []
    yield started
    for server in started:
        if server.process is not None and server.process.poll() is None:
            server.stop()


def test_one_serve_holds_at_most_16_connections_under_16_clients(
    pg_url: str, pg_server: PostgresServer, tmp_path: Path, servers: list[Server]
) -> None:
    settings = Settings(database_url=pg_url, data_dir=tmp_path / "var")
    token = cli(settings, "keys", "create", "--user", "ann", "--role", "admin").stdout.split()[-1]
    server = Server(settings, tmp_path)
    servers.append(server)
    server.start()
    with Peak(pg_server.url(), [pg_url.rsplit("/", 1)[1]]) as peak:
        failures = load(server.url, [token])
    assert not failures, failures[:3]
    assert set(peak.most) <= {"stockledger-api", "stockledger-projector"}, peak.most
    # At most the worst case serve computed at start (tenancy.capacity), and at most 16.
    assert 0 < peak.total <= min(16, per_store(settings, 1)), peak.most


def test_four_tenants_hold_at_most_32_connections_and_every_tenant_answers(
    pg_url: str, pg_server: PostgresServer, tmp_path: Path, servers: list[Server]
) -> None:
    settings = Settings(database_url=pg_url, data_dir=tmp_path / "var")
    home = pg_url.rsplit("/", 1)[1]
    names = ["t1", "t2", "t3", "t4"]
    tokens = [cli(settings, "tenants", "create", n).stdout.strip().splitlines()[-1] for n in names]
    try:
        server = Server(settings, tmp_path)
        servers.append(server)
        server.start()
        databases = [home, *(f"{home}_{n}" for n in names)]
        with Peak(pg_server.url(), databases) as peak:
            failures = load(server.url, tokens)
        assert not failures, failures[:3]
        assert 0 < peak.total <= 32, peak.most
        expected = str(2 * 3 * (CLIENTS // len(tokens)))  # 3 receipts of SKU-1 per client
        for token in tokens:  # every tenant answers, from its own ledger

            def on_hand(token: str = token) -> str:
                answer = httpx.get(
                    f"{server.url}/api/stock/SKU-1/main",
                    headers={"Authorization": f"Bearer {token}"},
                )
                assert answer.status_code == 200, answer.text
                return str(answer.json()["on_hand"])

            wait_until(lambda: on_hand() == expected, 30, "the tenant's projections")
        server.stop()
    finally:
        for name in names:
            pg_server.drop_database(f"{home}_{name}")


def test_a_tenants_pools_open_on_its_first_request_and_shrink_when_idle(
    pg_url: str, pg_server: PostgresServer, tmp_path: Path, servers: list[Server]
) -> None:
    settings = Settings(database_url=pg_url, data_dir=tmp_path / "var", pool_max_idle=1)
    home = pg_url.rsplit("/", 1)[1]
    token = cli(settings, "tenants", "create", "idle").stdout.strip().splitlines()[-1]
    tenant_db = f"{home}_idle"
    try:
        server = Server(settings, tmp_path)
        servers.append(server)
        server.start()
        # Known at start: its projectors run (the projector process), the API has opened
        # nothing of it yet.
        wait_until(lambda: "stockledger-projector" in held(pg_server.url(), [tenant_db]), 30, "")
        assert held(pg_server.url(), [tenant_db]).get("stockledger-api", 0) == 0
        with Peak(pg_server.url(), [tenant_db]) as peak:
            assert not load(server.url, [token], rounds=5)
        assert peak.most.get("stockledger-api", 0) > 0, peak.most
        # Idle: the API's pools close their connections (one per second here), and the
        # projector process keeps at most its shared pool and its control connection.
        wait_until(
            lambda: held(pg_server.url(), [tenant_db]).get("stockledger-api", 0) == 0,
            60,
            "the API's pools of the idle tenant to shrink",
        )
        projector = held(pg_server.url(), [tenant_db]).get("stockledger-projector", 0)
        assert projector <= settings.projector_pool_size + 1
        server.stop()
    finally:
        pg_server.drop_database(tenant_db)


@pytest.fixture
def small_server() -> Iterator[PostgresServer]:
    """A server of this test's own with room for 20 connections (17 for non-superusers)."""
    with PostgresServer({"max_connections": "20"}) as server:
        yield server


def test_serve_refuses_to_start_when_its_worst_case_exceeds_what_the_server_allows(
    small_server: PostgresServer, tmp_path: Path, servers: list[Server]
) -> None:
    small_server.create_database("ledger")
    settings = Settings(database_url=small_server.url("ledger"), data_dir=tmp_path / "var")
    port = str(small_server.port)  # any port: serve stops before it listens
    refused = cli(settings, "serve", "--workers", "4", "--port", port, check=False)
    assert refused.returncode == 1, refused.stdout + refused.stderr
    message = " ".join(refused.stderr.split())
    for name in (
        "up to 22 connections",  # 4 × (1 + 1 + 2 + 1) + (1 + 1)
        "max_connections 20",
        "superuser_reserved_connections 3",
        "STOCKLEDGER_POOL_SIZE",
        "STOCKLEDGER_READ_POOL_SIZE",
        "STOCKLEDGER_PROJECTOR_POOL_SIZE",
        "--workers",
    ):
        assert name in message, message
    assert held(small_server.url(), ["ledger"]) == {}  # it opened nothing

    # A share smaller than what is free is the bound instead.
    limited = settings.model_copy(update={"connection_limit": 5})
    refused = cli(limited, "serve", "--port", port, check=False)
    assert refused.returncode == 1
    assert "STOCKLEDGER_CONNECTION_LIMIT 5" in " ".join(refused.stderr.split())

    # One process of each at the defaults (7 at worst) fits, and serves.
    server = Server(settings, tmp_path)
    servers.append(server)
    server.start()
    token = cli(settings, "keys", "create", "--user", "a", "--role", "admin").stdout.split()[-1]
    answer = httpx.get(f"{server.url}/api/stock", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200


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


def test_a_stores_runners_share_one_control_connection_and_lose_their_locks_with_it(
    pg_url: str,
) -> None:
    control = Control(pg_url, CHANNEL)
    try:
        first = control.try_lock(lock_key("projection", "a"))
        assert first is not None and control.try_lock(lock_key("projection", "b")) == first
        # Held by this session: refused to a second asker here, as to another session.
        assert control.try_lock(lock_key("projection", "a")) is None
        with psycopg.connect(pg_url, autocommit=True) as other:
            taken = other.execute(
                "SELECT pg_try_advisory_lock(%s)", (lock_key("projection", "a"),)
            ).fetchone()
            assert taken == (False,)
        wait = control.subscribe()
        with psycopg.connect(pg_url, autocommit=True) as writer:
            writer.execute(f"NOTIFY {CHANNEL}")
        assert wait(threading.Event())  # the notification reaches every subscriber
        # One LISTENing session holds both locks.
        with psycopg.connect(pg_url, autocommit=True) as admin:
            pids = admin.execute(
                "SELECT DISTINCT pid FROM pg_locks WHERE locktype = 'advisory' AND granted"
            ).fetchall()
            assert len(pids) == 1
            admin.execute("SELECT pg_terminate_backend(%s)", (pids[0][0],))
        # Its connection gone, its locks are gone: waiters raise, and asking again works.
        with pytest.raises(ControlLost):
            for _ in range(10):
                wait(threading.Event())
        again = control.try_lock(lock_key("projection", "a"))
        assert again is not None and again != first
        control.unlock(lock_key("projection", "a"), again)
        assert control.try_lock(lock_key("projection", "a")) == again
    finally:
        control.close()
