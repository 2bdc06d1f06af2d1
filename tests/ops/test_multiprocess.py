"""The production topology as processes: two API servers, two projector workers, one
PostgreSQL, each process under its least-privilege role. The active worker is killed with
SIGKILL mid-stream; the standby takes over; nothing is lost or applied twice."""

from __future__ import annotations

import signal
import subprocess
import threading
import time
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from application.settings import Settings
from store.roles import APP_ROLE, PROJECTOR_ROLE, role_url
from tests.e2e.conftest import STOCKLEDGER, Server, cli, environment, wait_until
from tests.ops.events import head
from tests.pgserver import fetch

pytestmark = pytest.mark.postgres

SKUS = [f"SKU-{n}" for n in range(6)]
CLIENTS_PER_SERVER = 2
COMMANDS_PER_CLIENT = 60


class Worker:
    def __init__(self, settings: Settings, log: Path) -> None:
        self.log = log
        with log.open("wb") as out:
            self.process = subprocess.Popen(
                [STOCKLEDGER, "projections", "run"],
                env=environment(settings),
                stdout=out,
                stderr=subprocess.STDOUT,
            )


# One advisory lock per projection runner: balances, movements, cogs, items, locations,
# food_cost, count_sheets and sale_lines (issue 29), billing (issue 31), purchase_orders.
RUNNERS = 10


def advisory_holders(owner_url: str) -> set[int]:
    """Backend pids holding a projection runner's advisory lock."""
    rows = fetch(owner_url, "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted")
    return {int(r[0]) for r in rows}


def advisory_locks(owner_url: str) -> int:
    """Projection runners' advisory locks held (a worker holds all of its runners' locks on
    one control connection: projections.dialects.pg_control)."""
    query = "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"
    ((held,),) = fetch(owner_url, query)
    return int(held)


def positions(owner_url: str) -> dict[str, int]:
    rows = fetch(owner_url, "SELECT name, position FROM rm_registry")
    return {str(n): int(p) for n, p in rows}


def generation(owner_url: str, name: str) -> int:
    ((found,),) = fetch(owner_url, "SELECT generation FROM rm_registry WHERE name = %s", (name,))
    return int(found)


def client(server: Server, token: str, name: str, results: list[int]) -> None:
    """Posts receipts, transfers and deliveries; records each command's status."""
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=server.url, headers=headers, timeout=30) as http:
        for n in range(COMMANDS_PER_CLIENT):
            sku = SKUS[n % len(SKUS)]
            if n % 3 == 0:
                path, body = (
                    "/api/receipts",
                    {
                        "receipt_id": f"{name}-R{n}",
                        "location": "main",
                        "lines": [{"sku": sku, "quantity": "5", "unit_cost": "2.10"}],
                    },
                )
            elif n % 3 == 1:
                path, body = (
                    "/api/transfers",
                    {
                        "transfer_id": f"{name}-T{n}",
                        "from_location": "main",
                        "to_location": "bar",
                        "lines": [{"sku": sku, "quantity": "1"}],
                    },
                )
            else:
                path, body = (
                    "/api/deliveries",
                    {
                        "delivery_id": f"{name}-D{n}",
                        "location": "main",
                        "lines": [{"sku": sku, "quantity": "1"}],
                    },
                )
            results.append(http.post(path, json=body).status_code)


def test_two_servers_and_two_workers_survive_killing_the_active_worker(
    pg_url: str, tmp_path: Path, processes: list[subprocess.Popen[bytes]]
) -> None:
    owner = Settings(database_url=pg_url, data_dir=tmp_path / "var")
    passwords = {"STOCKLEDGER_APP_PASSWORD": "a", "STOCKLEDGER_PROJECTOR_PASSWORD": "p"}
    cli(owner, "db", "migrate", env=passwords)
    app = owner.model_copy(
        update={
            "database_url": role_url(pg_url, APP_ROLE, "a"),
            "create_schema": False,
            "run_projectors": False,
        }
    )
    projector = owner.model_copy(
        update={
            "database_url": role_url(pg_url, PROJECTOR_ROLE, "p"),
            "create_schema": False,
        }
    )

    first = Worker(projector, tmp_path / "worker-1.log")
    processes.append(first.process)
    wait_until(lambda: advisory_locks(pg_url) == RUNNERS, 30, "the first worker's locks")
    active = advisory_holders(pg_url)
    second = Worker(projector, tmp_path / "worker-2.log")
    processes.append(second.process)

    token = cli(app, "keys", "create", "--user", "clerk1", "--role", "clerk").stdout.split()[-1]
    servers = [Server(app, tmp_path).start(), Server(app, tmp_path).start()]
    processes.extend(s.process for s in servers if s.process is not None)

    with httpx.Client(headers={"Authorization": f"Bearer {token}"}, timeout=30) as http:
        opening = http.post(
            f"{servers[0].url}/api/receipts",
            json={
                "receipt_id": "OPENING",
                "location": "main",
                "lines": [{"sku": sku, "quantity": "500", "unit_cost": "1.999"} for sku in SKUS],
            },
        )
        assert opening.status_code == 201, opening.text

    statuses: list[int] = []
    clients = [
        threading.Thread(target=client, args=(server, token, f"s{i}c{j}", statuses))
        for i, server in enumerate(servers)
        for j in range(CLIENTS_PER_SERVER)
    ]
    started = time.monotonic()
    for thread in clients:
        thread.start()
    # Mid-stream: once the projections have applied something, kill the active worker.
    wait_until(lambda: min(positions(pg_url).values()) > 0, 30, "projections to advance")
    first.process.send_signal(signal.SIGKILL)
    first.process.wait(timeout=10)
    killed_at = time.monotonic()
    head_at_kill = head(pg_url)
    wait_until(
        lambda: advisory_locks(pg_url) == RUNNERS and not advisory_holders(pg_url) & active,
        30,
        "the standby to take over",
    )
    takeover_s = time.monotonic() - killed_at
    for thread in clients:
        thread.join(timeout=120)
    elapsed = time.monotonic() - started

    total = CLIENTS_PER_SERVER * len(servers) * COMMANDS_PER_CLIENT
    assert len(statuses) == total
    assert set(statuses) == {201}, statuses
    final = head(pg_url)
    assert final > head_at_kill, "commands kept flowing after the kill"
    wait_until(lambda: set(positions(pg_url).values()) == {final}, 30, "projections at head")

    # The read models served through either server equal the ledger's own figures.
    with httpx.Client(headers={"Authorization": f"Bearer {token}"}, timeout=10) as http:
        for sku in SKUS:
            answers = [
                http.get(f"{s.url}/api/stock/{sku}", params={"min_position": final}).json()
                for s in servers
            ]
            assert answers[0]["total"] == answers[1]["total"]
            assert Decimal(answers[0]["total"]["on_hand"]) >= 0
    # A rebuild asked of an API process that may not touch the read models is recorded in
    # the ledger and carried out by the worker that owns the projection.
    admin = cli(app, "keys", "create", "--user", "ops", "--role", "admin").stdout.split()[-1]
    asked = httpx.post(
        f"{servers[1].url}/api/projections/movements/rebuild",
        headers={"Authorization": f"Bearer {admin}"},
        timeout=10,
    )
    assert asked.status_code == 202, asked.text
    wait_until(lambda: generation(pg_url, "movements") == 2, 60, "the worker's rebuild")
    assert generation(pg_url, "balances") == 1

    verified = cli(owner, "verify", check=False)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    print(
        f"\nmulti-process: {total} commands through 2 servers in {elapsed:.1f}s "
        f"({len(statuses) / elapsed:.0f}/s), head {head_at_kill} at the kill, "
        f"standby took over {takeover_s:.2f}s after SIGKILL, final position {final}"
    )
