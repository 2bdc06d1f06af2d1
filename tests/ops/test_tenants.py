"""Tenants in the production topology: the registry holds where a tenant's database is, and
every process logs in there as its own role; passwords are never printed."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from application.ledger import Ledger
from application.settings import Settings
from cli.db import migrate_store
from projections.db import Database
from projections.service import ReadModels
from store.roles import APP_ROLE, PROJECTOR_ROLE
from tenancy.provision import create_tenant
from tenancy.registry import TenantRegistry, masked, with_login, without_login
from tests.ops.test_least_privilege import as_role
from tests.pgserver import PostgresServer

HOSTS = "db1.example:5432,db2.example:5433"


def test_a_password_is_masked_and_a_login_is_inherited_only_where_none_is_given() -> None:
    url = f"postgresql://owner:pa:ss@{HOSTS}/acme?target_session_attrs=read-write"
    assert masked(url) == f"postgresql://owner:***@{HOSTS}/acme?target_session_attrs=read-write"
    assert masked("postgresql://owner@h/acme") == "postgresql://owner@h/acme"
    bare = without_login(url)
    assert bare == f"postgresql://{HOSTS}/acme?target_session_attrs=read-write"
    api = "postgresql://stockledger_app:s%40cret@home.example/home"
    assert with_login(bare, api) == (
        f"postgresql://stockledger_app:s%40cret@{HOSTS}/acme?target_session_attrs=read-write"
    )
    assert with_login(url, api) == url  # a registered login wins
    assert with_login(bare, None) == bare


@pytest.fixture
def roles(monkeypatch: pytest.MonkeyPatch) -> None:
    # The passwords tests/ops/test_least_privilege.py gives the same cluster-wide roles.
    monkeypatch.setenv("STOCKLEDGER_APP_PASSWORD", "app-secret")
    monkeypatch.setenv("STOCKLEDGER_PROJECTOR_PASSWORD", "projector-secret")


@pytest.fixture
def tenant_db(pg_url: str, pg_server: PostgresServer) -> Iterator[str]:
    name = f"{pg_url.rsplit('/', 1)[1]}_acme"
    yield name
    pg_server.drop_database(name)


def logins(pg_server: PostgresServer, database: str) -> set[str]:
    with psycopg.connect(pg_server.url(), autocommit=True) as conn:
        rows = conn.execute(
            "SELECT DISTINCT usename::text FROM pg_stat_activity WHERE datname = %s",
            (database,),
        ).fetchall()
    return {row[0] for row in rows}


def test_the_api_and_a_worker_reach_a_tenant_as_their_own_roles(
    roles: None, pg_url: str, pg_server: PostgresServer, tenant_db: str
) -> None:
    owner = Settings(database_url=pg_url)
    migrate_store(owner, None)
    token = create_tenant(owner, "acme", None, migrate_store).token
    db = Database(owner)
    try:
        (registered,) = TenantRegistry(db).all()
    finally:
        db.close()
    assert registered.database_url == without_login(registered.database_url or "")

    api = Settings(
        database_url=as_role(pg_url, APP_ROLE, "app-secret"),
        create_schema=False,
        run_projectors=False,
    )
    with TestClient(create_app(api)) as client:
        body = {
            "receipt_id": "R-1",
            "location": "main",
            "lines": [{"sku": "AB-1", "quantity": "2", "unit_cost": "3"}],
        }
        answer = client.post(
            "/api/receipts", json=body, headers={"Authorization": f"Bearer {token}"}
        )
        assert answer.status_code == 201, answer.text
        assert logins(pg_server, tenant_db) == {APP_ROLE}

        # A projector worker for the tenant, as the projector role.
        projector = Settings(
            database_url=as_role(pg_url, PROJECTOR_ROLE, "projector-secret"), create_schema=False
        )
        settings = registered.settings(projector)
        ledger = Ledger(settings, tenant="acme")
        read_models = ReadModels(settings, ledger)
        read_models.start()
        try:
            assert read_models.wait_for(answer.json()["position"], 10)
        finally:
            read_models.stop()
            read_models.close()
            ledger.close()
        stock = client.get(
            f"/api/stock/AB-1/main?min_position={answer.json()['position']}",
            headers={"Authorization": f"Bearer {token}"},
        )
        assert stock.json()["on_hand"] == "2"


def test_a_tenant_ledger_accepts_only_keys_with_its_own_prefix(pg_settings: Settings) -> None:
    ledger = Ledger(pg_settings, tenant="acme")
    try:
        _, token = ledger.issue_key("a", "admin", issued_by="t")
        bare = token.removeprefix("acme.")
        assert token.startswith("acme.sl_")
        assert ledger.authenticate(token) is not None
        assert ledger.authenticate(bare) is None
        assert ledger.authenticate("beta." + bare) is None
    finally:
        ledger.close()
    home = Ledger(pg_settings)
    try:
        assert home.authenticate(token) is None
    finally:
        home.close()
