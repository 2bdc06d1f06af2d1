"""`stockledger tenants create|list` and `--tenant` on every command, as subprocesses on
SQLite and on PostgreSQL (issue 17 part 3)."""

from __future__ import annotations

import signal
import subprocess
import uuid
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import httpx
import psycopg
import pytest
import typer.main

from application.commands import PostReceipt, ReceiptLine
from application.ledger import Ledger
from application.settings import Settings
from cli.__main__ import app
from cli.demo import has_movements
from projections.db import Database
from projections.service import ReadModels
from tenancy.registry import TenantRegistry
from tests.e2e.conftest import STOCKLEDGER, Server, cli, environment, wait_until
from tests.pgserver import PostgresServer

PASSWORD = "s3cret-pass"  # a test password, to see that it is never printed


def leaves(command: object, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], object]]:
    subcommands = getattr(command, "commands", None)
    if subcommands is None:
        yield path, command
        return
    for name, sub in subcommands.items():
        yield from leaves(sub, (*path, name))


def test_every_command_takes_tenant() -> None:
    for path, command in leaves(typer.main.get_command(app)):
        if path[0] == "tenants":
            continue  # they work on the home store's registry
        options = {o for p in command.params for o in getattr(p, "opts", [])}  # type: ignore[attr-defined]
        assert "--tenant" in options, " ".join(path)


def tenant_settings(home: Settings, name: str) -> Settings:
    db = Database(home)
    try:
        found = TenantRegistry(db).find(name)
    finally:
        db.close()
    assert found is not None
    return found.settings(home)


def movements_in(settings: Settings) -> bool:
    ledger = Ledger(settings)
    try:
        return has_movements(ledger)
    finally:
        ledger.close()


@pytest.fixture
def home(
    request: pytest.FixtureRequest, settings: Settings
) -> Iterator[tuple[Settings, str | None]]:
    """The home store, and (PostgreSQL) a URL with a password for acme's own database."""
    if not settings.database_url:
        yield settings, None
        return
    server: PostgresServer = request.getfixturevalue("pg_server")
    home_db = settings.database_url.rsplit("/", 1)[1]
    server.create_database(f"{home_db}_acme_db")
    url = f"postgresql://postgres:{PASSWORD}@127.0.0.1:{server.port}/{home_db}_acme_db"
    yield settings, url
    for name in ("acme_db", "beta"):
        server.drop_database(f"{home_db}_{name}")


def test_tenants_are_created_listed_and_every_command_works_on_one(
    home: tuple[Settings, str | None], tmp_path: object, serve: list[Server]
) -> None:
    settings, acme_url = home
    created = cli(
        settings, "tenants", "create", "acme", *(["--database-url", acme_url] if acme_url else [])
    )
    acme_token = created.stdout.strip().splitlines()[-1]
    assert acme_token.startswith("acme.sl_") and PASSWORD not in created.stdout
    beta_token = cli(settings, "tenants", "create", "beta").stdout.strip().splitlines()[-1]
    assert beta_token.startswith("beta.sl_")

    listed = cli(settings, "tenants", "list").stdout
    assert "acme" in listed and "beta" in listed and PASSWORD not in listed
    if acme_url:
        assert "postgres:***@" in listed
    assert cli(settings, "tenants", "create", "acme", check=False).returncode == 1
    assert cli(settings, "tenants", "create", "Bad_Name", check=False).returncode == 1
    unknown = cli(settings, "keys", "list", "--tenant", "nope", check=False)
    assert unknown.returncode == 2 and "no tenant nope" in unknown.stderr

    # Keys: each tenant's own key ring.
    clerk = cli(settings, "keys", "create", "--user", "al", "--role", "clerk", "--tenant", "acme")
    clerk_token = clerk.stdout.strip().splitlines()[-1]
    key_id = clerk_token.split("_")[1]
    assert clerk_token.startswith("acme.sl_")
    assert "al" in cli(settings, "keys", "list", "--tenant", "acme").stdout
    assert key_id not in cli(settings, "keys", "list", "--tenant", "beta").stdout
    assert key_id not in cli(settings, "keys", "list").stdout
    assert cli(settings, "keys", "revoke", key_id, "--tenant", "beta", check=False).returncode == 1
    cli(settings, "keys", "revoke", key_id, "--tenant", "acme")

    # demo, rebuild, status, verify, migrate: on the tenant named, nowhere else.
    cli(settings, "demo", "--skus", "3", "--days", "3", "--tenant", "acme")
    acme, beta = tenant_settings(settings, "acme"), tenant_settings(settings, "beta")
    assert movements_in(acme) and not movements_in(beta) and not movements_in(settings)
    cli(settings, "projections", "rebuild", "all", "--tenant", "acme")
    assert "balances" in cli(settings, "projections", "status", "--tenant", "acme").stdout
    assert "no discrepancies" in cli(settings, "verify", "--tenant", "acme").stdout
    assert "no discrepancies" in cli(settings, "verify", "--tenant", "beta").stdout
    assert "schema ready" in cli(settings, "db", "migrate", "--tenant", "beta").stdout

    # A projection worker for one tenant follows that tenant's ledger.
    ledger = Ledger(acme, tenant="acme")
    try:
        receipt = PostReceipt("R-W", "main", [ReceiptLine("W-1", Decimal(1), Decimal(1))])
        head = ledger.execute(receipt, user="t").position
    finally:
        ledger.close()
    worker = subprocess.Popen(
        [STOCKLEDGER, "projections", "run", "--tenant", "acme"],
        env=environment(settings),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    ledger = Ledger(acme, tenant="acme")
    read_models = ReadModels(acme, ledger)
    try:
        wait_until(lambda: read_models.wait_for(head, 0.1), 60, "the acme worker caught up")
    finally:
        read_models.close()
        ledger.close()
        worker.send_signal(signal.SIGTERM)
        output, _ = worker.communicate(timeout=30)
    assert worker.returncode == 0, output

    # serve --tenant (here through STOCKLEDGER_TENANT) serves that tenant alone.
    server = Server(settings, tmp_path, {"STOCKLEDGER_TENANT": "beta"})  # type: ignore[arg-type]
    serve.append(server)
    server.start()
    stock = f"{server.url}/api/stock"
    assert httpx.get(stock, headers={"Authorization": f"Bearer {beta_token}"}).status_code == 200
    assert httpx.get(stock, headers={"Authorization": f"Bearer {acme_token}"}).status_code == 401


def test_re_creating_a_tenant_says_so_plainly_and_changes_nothing(
    home: tuple[Settings, str | None],
) -> None:
    settings, _ = home
    cli(settings, "tenants", "create", "acme")
    listed = cli(settings, "tenants", "list").stdout
    keys = cli(settings, "keys", "list", "--tenant", "acme").stdout

    again = cli(settings, "tenants", "create", "acme", check=False)
    assert again.returncode == 1, again.stdout + again.stderr
    message = " ".join(again.stderr.split())
    assert message.startswith("error: tenant acme exists already (its ledger: "), message
    assert "nothing was changed" in message and "Traceback" not in again.stderr
    assert again.stdout == ""  # no key printed
    assert cli(settings, "tenants", "list").stdout == listed
    assert cli(settings, "keys", "list", "--tenant", "acme").stdout == keys  # no second admin


def databases(server: PostgresServer) -> set[str]:
    with psycopg.connect(server.url(), autocommit=True) as conn:
        return {str(r[0]) for r in conn.execute("SELECT datname FROM pg_database").fetchall()}


def test_a_tenant_whose_database_exists_already_is_refused_and_the_database_left_alone(
    pg_settings: Settings, pg_server: PostgresServer
) -> None:
    home_db = str(pg_settings.database_url).rsplit("/", 1)[1]
    pg_server.create_database(f"{home_db}_beta")  # not a tenant's: say, a failed create's
    try:
        refused = cli(pg_settings, "tenants", "create", "beta", check=False)
        assert refused.returncode == 1, refused.stdout + refused.stderr
        message = " ".join(refused.stderr.split())
        assert f"database {home_db}_beta exists already: tenant beta was not created" in message
        assert "--database-url" in message
        assert "beta" not in cli(pg_settings, "tenants", "list").stdout
        with psycopg.connect(pg_server.url(f"{home_db}_beta")) as conn:
            tables = conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
            assert tables.fetchone() == (0,)  # nothing was created in it
    finally:
        pg_server.drop_database(f"{home_db}_beta")


def test_tenants_create_without_createdb_names_the_missing_privilege(
    pg_server: PostgresServer, tmp_path: Path
) -> None:
    role, home_db = f"owner_{uuid.uuid4().hex[:8]}", f"home_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(pg_server.url(), autocommit=True) as conn:
        conn.execute(f"CREATE ROLE {role} LOGIN PASSWORD 'pw'")  # no CREATEDB
        conn.execute(f"CREATE DATABASE {home_db} OWNER {role}")
    try:
        with psycopg.connect(pg_server.url(home_db), autocommit=True) as conn:
            conn.execute(f"ALTER SCHEMA public OWNER TO {role}")
        url = f"postgresql://{role}:pw@127.0.0.1:{pg_server.port}/{home_db}"
        settings = Settings(database_url=url, data_dir=tmp_path / "var")
        cli(settings, "db", "migrate")
        before = databases(pg_server)

        refused = cli(settings, "tenants", "create", "gamma", check=False)
        assert refused.returncode == 3, refused.stdout + refused.stderr
        assert " ".join(refused.stderr.split()) == (
            f"stockledger: tenants create: role {role} lacks CREATEDB, needed to create "
            f"database {home_db}_gamma for tenant gamma (as a superuser: ALTER ROLE {role} "
            "CREATEDB; or create the database and pass --database-url)"
        )
        assert databases(pg_server) == before
        assert "gamma" not in cli(settings, "tenants", "list").stdout

        # Given the privilege, the same command creates it.
        with psycopg.connect(pg_server.url(), autocommit=True) as conn:
            conn.execute(f"ALTER ROLE {role} CREATEDB")
        created = cli(settings, "tenants", "create", "gamma").stdout
        assert created.strip().splitlines()[-1].startswith("gamma.sl_")
    finally:
        for name in (f"{home_db}_gamma", home_db):
            pg_server.drop_database(name)
        with psycopg.connect(pg_server.url(), autocommit=True) as conn:
            conn.execute(f"DROP ROLE IF EXISTS {role}")
