"""The production roles: the API's role can only read and append the ledger."""

from __future__ import annotations

import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import psycopg
import pytest

from application.commands import Line, PostDelivery, PostReceipt, ReceiptLine
from application.ledger import Ledger
from application.settings import Settings
from store.roles import APP_ROLE, PROJECTOR_ROLE, grant_roles

pytestmark = pytest.mark.postgres


def as_role(url: str, role: str, password: str) -> str:
    parts = urlparse(url)
    return urlunparse(parts._replace(netloc=f"{role}:{password}@{parts.hostname}:{parts.port}"))


@pytest.fixture
def app_url(pg_url: str) -> str:
    owner = Ledger(Settings(database_url=pg_url))  # creates the schema as the owner
    owner.close()
    grant_roles(pg_url, "app-secret", "projector-secret")
    return as_role(pg_url, APP_ROLE, "app-secret")


def test_the_service_posts_commands_under_the_restricted_role(app_url: str) -> None:
    ledger = Ledger(Settings(database_url=app_url, create_schema=False))
    try:
        receipt = ledger.execute(
            PostReceipt("R-1", "main", [ReceiptLine("AB-1", Decimal(5), Decimal("2.50"))]),
            user="alice",
        )
        delivery = ledger.execute(
            PostDelivery("D-1", "main", [Line("AB-1", Decimal(2))]), user="alice"
        )
        repeat = ledger.execute(
            PostDelivery("D-1", "main", [Line("AB-1", Decimal(2))]), user="alice"
        )
    finally:
        ledger.close()
    assert receipt.movements[0].value == Decimal("12.50")
    assert delivery.movements[0].on_hand_after == Decimal(3)
    assert repeat.created is False
    assert repeat.position == delivery.position


def receive_one(app_url: str) -> None:
    """One receipt recorded through the restricted role: an event there to attack."""
    ledger = Ledger(Settings(database_url=app_url, create_schema=False))
    ledger.execute(
        PostReceipt("R-1", "main", [ReceiptLine("AB-1", Decimal(1), Decimal(1))]), user="a"
    )
    ledger.close()


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE ledger_events SET topic = 'forged'",
        "DELETE FROM ledger_events",
        "TRUNCATE ledger_events",
        "UPDATE ledger_snapshots SET topic = 'forged'",
    ],
)
def test_the_restricted_role_cannot_change_recorded_events(app_url: str, statement: str) -> None:
    receive_one(app_url)
    with (
        psycopg.connect(app_url, autocommit=True) as conn,
        pytest.raises(psycopg.errors.InsufficientPrivilege),
    ):
        conn.execute(statement)  # type: ignore[arg-type]


def test_the_trigger_still_refuses_the_owner(app_url: str, pg_url: str) -> None:
    receive_one(app_url)
    with (
        psycopg.connect(pg_url, autocommit=True) as conn,
        pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only"),
    ):
        conn.execute("DELETE FROM ledger_events")


def test_the_projector_role_reads_events_but_cannot_append(app_url: str, pg_url: str) -> None:
    projector_url = as_role(pg_url, PROJECTOR_ROLE, "projector-secret")
    with psycopg.connect(projector_url, autocommit=True) as conn:
        conn.execute("SELECT count(*) FROM ledger_events").fetchone()
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(
                "INSERT INTO ledger_events (originator_id, originator_version, topic, state) "
                "VALUES (gen_random_uuid(), 1, 'x', '')"
            )


def test_db_migrate_creates_the_schema_and_both_roles(pg_url: str) -> None:
    stockledger = Path(sys.executable).parent / "stockledger"
    env = {
        **os.environ,
        "STOCKLEDGER_DATABASE_URL": pg_url,
        "STOCKLEDGER_APP_PASSWORD": "a",
        "STOCKLEDGER_PROJECTOR_PASSWORD": "p",
    }
    done = subprocess.run(
        [str(stockledger), "db", "migrate"], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert "roles ready" in done.stdout
    with psycopg.connect(pg_url, autocommit=True) as conn:
        roles = {r[0] for r in conn.execute("SELECT rolname FROM pg_roles").fetchall()}
        tables = {r[0] for r in conn.execute("SELECT tablename FROM pg_tables").fetchall()}
    assert {APP_ROLE, PROJECTOR_ROLE} <= roles
    assert {"ledger_events", "ledger_write_lock"} <= tables
    assert {"wh_webhooks", "wh_attempts"} <= tables
    # The API's role registers a webhook; the projector's role owns and delivers.
    app = as_role(pg_url, APP_ROLE, "a")
    with psycopg.connect(app, autocommit=True) as conn:
        conn.execute(
            "INSERT INTO wh_webhooks (id, url, types, secret, status, position, attempt, "
            "created_by, created_at, changed_by, changed_at) VALUES ('wh_t', "
            "'http://127.0.0.1:9/', '[]', 's', 'active', 0, 0, 'a', 't', 'a', 't')"
        )
        conn.execute("UPDATE wh_webhooks SET status = 'paused' WHERE id = 'wh_t'")
        assert conn.execute("SELECT count(*) FROM wh_attempts").fetchone() == (0,)
        conn.execute("DELETE FROM wh_webhooks WHERE id = 'wh_t'")


def test_db_migrate_without_createrole_stops_with_one_line_and_changes_nothing(
    pg_url: str,
) -> None:
    owner = f"owner_{os.urandom(4).hex()}"
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(f"CREATE ROLE {owner} LOGIN PASSWORD 'owner-secret' NOCREATEROLE")
        conn.execute(f"ALTER DATABASE {conn.info.dbname} OWNER TO {owner}")
        conn.execute(f"ALTER SCHEMA public OWNER TO {owner}")
    stockledger = Path(sys.executable).parent / "stockledger"
    env = {
        **os.environ,
        "STOCKLEDGER_DATABASE_URL": as_role(pg_url, owner, "owner-secret"),
        "STOCKLEDGER_APP_PASSWORD": "a",
        "STOCKLEDGER_PROJECTOR_PASSWORD": "p",
    }
    done = subprocess.run(
        [str(stockledger), "db", "migrate"], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 3, done.stdout + done.stderr
    assert done.stderr.strip().splitlines() == [
        f"stockledger: db migrate: role {owner} lacks CREATEROLE, needed to create "
        f"{APP_ROLE} and {PROJECTOR_ROLE} (as a superuser: ALTER ROLE {owner} CREATEROLE)"
    ]
    assert "owner-secret" not in done.stderr
    with psycopg.connect(pg_url, autocommit=True) as conn:
        tables = {r[0] for r in conn.execute("SELECT tablename FROM pg_tables").fetchall()}
    assert "ledger_events" not in tables


def test_the_restricted_role_can_end_its_own_stuck_write(app_url: str, tmp_path: Path) -> None:
    from application.errors import WriterBusyError
    from tests.application.test_writer_timeout import stall_after_lock

    settings = Settings(
        database_url=app_url, data_dir=tmp_path / "var", create_schema=False, write_timeout=2
    )
    with Ledger(settings) as stuck, Ledger(settings) as other:
        stall_after_lock(stuck, ["SET LOCAL statement_timeout = 0", "SELECT pg_sleep(60)"])
        with pytest.raises(WriterBusyError):
            stuck.execute(
                PostReceipt("R-1", "main", [ReceiptLine("AB-1", Decimal(1), Decimal(1))]), user="a"
            )
        assert other.execute(
            PostReceipt("R-2", "main", [ReceiptLine("AB-1", Decimal(1), Decimal(1))]), user="a"
        ).created
