"""The PostgreSQL restore runbook (issue 27.5), walked step by step exactly as
docs/OPERATIONS.md "Backup and restore" gives it: shell commands run through ``sh``, with
pg_dump, pg_restore and psql as the owner and a superuser, then the restored store served
in the production topology (the API as stockledger_app, a worker as stockledger_projector)
and verified.

Restoring the dump into a database ``db migrate`` never prepared gave 10+ permission errors
(``ALTER TABLE rm_… OWNER TO stockledger_projector``: the projector role lacks CREATE on the
new database's schema until the schema's grants are restored, last), left the read models
owned by the owner, and workers and ``db migrate`` then failed on rm_registry."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import pytest

from application.settings import Settings
from tests.e2e.conftest import STOCKLEDGER, Server
from tests.pgserver import PostgresServer

pytestmark = pytest.mark.postgres

OWNER, APP, PROJECTOR = "stockledger_owner", "stockledger_app", "stockledger_projector"
PASSWORDS = {OWNER: "owner-pw", APP: "app-pw", PROJECTOR: "projector-pw"}


@pytest.fixture
def cluster() -> Iterator[PostgresServer]:
    """A server of this test's own: the runbook creates cluster-wide roles."""
    with PostgresServer() as server:
        yield server


class Runbook:
    """Runs the runbook's shell lines with the environment an operator would have."""

    def __init__(self, cluster: PostgresServer, workdir: Path) -> None:
        self.cluster = cluster
        self.workdir = workdir
        base = {k: v for k, v in os.environ.items() if not k.startswith("STOCKLEDGER_")}
        # pg_dump, pg_restore and psql of the server's version, and the stockledger script.
        path = f"{cluster.bindir}:{Path(STOCKLEDGER).parent}:{base.get('PATH', '')}"
        self.base = {**base, "PATH": path, "STOCKLEDGER_DATA_DIR": str(workdir / "var")}

    def url(self, role: str, database: str) -> str:
        login = "postgres" if role == "postgres" else f"{role}:{PASSWORDS[role]}"
        return f"postgresql://{login}@127.0.0.1:{self.cluster.port}/{database}"

    def sh(self, line: str, *, check: bool = True, **env: str) -> str:
        result = subprocess.run(
            ["sh", "-c", line],
            env={**self.base, **env},
            cwd=self.workdir,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if not check:
            return result.stdout
        assert result.returncode == 0, f"$ {line}\n{result.stdout}\n{result.stderr}"
        # Any error printed (pg_restore goes on after one without --exit-on-error) is a fail.
        assert "error" not in result.stderr.lower(), f"$ {line}\n{result.stderr}"
        return result.stdout

    def as_owner(self, database: str) -> dict[str, str]:
        return {
            "STOCKLEDGER_DATABASE_URL": self.url(OWNER, database),
            "STOCKLEDGER_APP_PASSWORD": PASSWORDS[APP],
            "STOCKLEDGER_PROJECTOR_PASSWORD": PASSWORDS[PROJECTOR],
        }

    def as_role(self, role: str, database: str) -> dict[str, str]:
        return {
            "STOCKLEDGER_DATABASE_URL": self.url(role, database),
            "STOCKLEDGER_CREATE_SCHEMA": "false",
        }

    def create_database(self, database: str) -> None:
        """Install on PostgreSQL, step 1 (as a superuser; the owner role exists)."""
        su = self.url("postgres", "postgres")
        self.sh(f"psql -v ON_ERROR_STOP=1 -d '{su}' -c 'CREATE DATABASE {database} OWNER {OWNER}'")
        self.sh(
            f"psql -v ON_ERROR_STOP=1 -d '{self.url('postgres', database)}' "
            f"-c 'ALTER SCHEMA public OWNER TO {OWNER}'"
        )


def table_owners(runbook: Runbook, database: str) -> dict[str, str]:
    with psycopg.connect(runbook.url("postgres", database)) as conn:
        rows = conn.execute(
            "SELECT tablename::text, tableowner::text FROM pg_tables WHERE schemaname = 'public'"
        ).fetchall()
    return dict(rows)


def test_the_restore_runbook_works_as_written(
    cluster: PostgresServer, tmp_path: Path, processes: list[subprocess.Popen[bytes]]
) -> None:
    book = Runbook(cluster, tmp_path)

    # A production store to back up, installed as OPERATIONS "Install on PostgreSQL" says.
    su = book.url("postgres", "postgres")
    book.sh(
        f"psql -v ON_ERROR_STOP=1 -d '{su}' "
        f"-c \"CREATE ROLE {OWNER} LOGIN PASSWORD '{PASSWORDS[OWNER]}' CREATEROLE\""
    )
    book.create_database("stockledger")
    book.sh("stockledger db migrate", **book.as_owner("stockledger"))
    book.sh("stockledger demo --skus 4 --days 5", **book.as_role(APP, "stockledger"))
    book.sh("stockledger projections rebuild all", **book.as_role(PROJECTOR, "stockledger"))

    # Back up: pg_dump as the owner, online.
    book.sh(
        'pg_dump -Fc -d "$STOCKLEDGER_DATABASE_URL" -f ledger.dump', **book.as_owner("stockledger")
    )

    # Restore into a new database.
    # 1. As a superuser: the database, owned by the owner (Install step 1).
    book.create_database("stockledger_restored")
    owner = book.as_owner("stockledger_restored")
    # 2. As the owner: prepare it as a new install (the roles, and the schema grants the
    #    restore needs to give the read models back to the projector role).
    assert "roles ready" in book.sh("stockledger db migrate", **owner)
    # 3. As the owner: restore over it, in one transaction, stopping at the first error.
    book.sh(
        "pg_restore --clean --if-exists --single-transaction --exit-on-error "
        '-d "$STOCKLEDGER_DATABASE_URL" ledger.dump',
        **owner,
    )
    # 4. As the owner: db migrate again (grants and anything newer than the dump).
    assert "read models ready" in book.sh("stockledger db migrate", **owner)

    owners = table_owners(book, "stockledger_restored")
    assert owners["ledger_events"] == OWNER and owners["rm_registry"] == PROJECTOR
    assert all(
        owner == PROJECTOR for name, owner in owners.items() if name.startswith(("rm_", "wh_"))
    )
    with psycopg.connect(book.url("postgres", "stockledger")) as conn:
        dumped = conn.execute("SELECT count(*) FROM ledger_events").fetchone()
    with psycopg.connect(book.url("postgres", "stockledger_restored")) as conn:
        assert conn.execute("SELECT count(*) FROM ledger_events").fetchone() == dumped

    # 5. Serve it: the API as stockledger_app, a projector worker as stockledger_projector.
    worker_env = {**book.base, **book.as_role(PROJECTOR, "stockledger_restored")}
    with (tmp_path / "worker.log").open("wb") as log:
        worker = subprocess.Popen(
            [STOCKLEDGER, "projections", "run"],
            env=worker_env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    processes.append(worker)
    api = Settings(
        database_url=book.url(APP, "stockledger_restored"),
        data_dir=tmp_path / "var",
        create_schema=False,
        run_projectors=False,
    )
    server = Server(api, tmp_path).start()
    assert server.process is not None
    processes.append(server.process)
    app = book.as_role(APP, "stockledger_restored")
    token = book.sh("stockledger keys create --user clerk --role clerk", **app).split()[-1]
    headers = {"Authorization": f"Bearer {token}"}
    receipt = {
        "receipt_id": "AFTER-RESTORE",
        "location": "main",
        "lines": [{"sku": "RESTORED-1", "quantity": "3", "unit_cost": "2.50"}],
    }
    answer = httpx.post(f"{server.url}/api/receipts", json=receipt, headers=headers, timeout=30)
    assert answer.status_code == 201, answer.text
    position = answer.json()["position"]
    stock = httpx.get(
        f"{server.url}/api/stock/RESTORED-1/main?min_position={position}",
        headers=headers,
        timeout=30,
    )
    assert stock.status_code == 200 and stock.json()["on_hand"] == "3", stock.text
    # The demo's stock, from the restored read models.
    listed = httpx.get(f"{server.url}/api/stock?min_position={position}", headers=headers)
    assert listed.status_code == 200, listed.text
    assert [row for row in listed.json()["items"] if row["sku"] != "RESTORED-1"], listed.text

    # 6. Verify (as the API's role): the ledger and every read model check out.
    verified = book.sh("stockledger verify", check=False, **app)
    assert "no discrepancies" in verified, verified
    # The worker dropped the empty read-model tables step 2 made (the dump's replaced them).
    assert not [t for t in table_owners(book, "stockledger_restored") if t.endswith("_g1")]
