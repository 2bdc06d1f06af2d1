"""`stockledger serve` on PostgreSQL: a supervised projector process, several API processes."""

from __future__ import annotations

import gc
import json
import os
import re
import signal
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from application.settings import Settings
from cli.serve import settle_gc
from tests.e2e.conftest import Server, cli, wait_until

pytestmark = pytest.mark.postgres


@pytest.fixture
def patient(pg_settings: Settings) -> Settings:
    """Reads wait up to 30 s for their position: a restarted projector process must start
    Python and find its locks first, and the machine may be busy."""
    return pg_settings.model_copy(update={"read_your_writes_wait": 30.0})


def _lines(server: Server) -> list[dict[str, Any]]:
    found = []
    for text in server.output().splitlines():
        if text.startswith("{"):
            try:
                found.append(json.loads(text))
            except ValueError:
                continue  # a line of another shape that starts with a brace
    return found


def _projector_pids(server: Server) -> list[int]:
    return [
        line["pid"]
        for line in _lines(server)
        if line.get("process") == "projector" and line.get("event") == "started"
    ]


def _settled(server: Server) -> set[str]:
    """The processes that logged settle_gc's line, with objects frozen."""
    return {
        line["process"]
        for line in _lines(server)
        if line.get("event") == "gc" and line.get("frozen", 0) > 10_000
    }


def test_settling_the_collector_freezes_start_up_and_raises_the_thresholds() -> None:
    before = gc.get_threshold()
    try:
        settle_gc(0, "api")
        assert gc.get_threshold() == before  # 0: Python's defaults
        settle_gc(20_000, "api")
        assert gc.get_threshold() == (20_000, 50, 100)
        assert gc.get_freeze_count() > 10_000  # this test process's modules and objects
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)


def _clerk(settings: Settings) -> dict[str, str]:
    token = cli(settings, "keys", "create", "--user", "cl", "--role", "clerk").stdout
    return {"Authorization": f"Bearer {token.strip().splitlines()[-1]}"}


def _receipt(url: str, headers: dict[str, str], receipt_id: str) -> int:
    body = {
        "receipt_id": receipt_id,
        "location": "main",
        "lines": [{"sku": "AB-1", "quantity": "2", "unit_cost": "3.00"}],
    }
    response = httpx.post(f"{url}/api/receipts", json=body, headers=headers, timeout=30)
    assert response.status_code == 201, response.text
    position: int = response.json()["position"]
    return position


def _on_hand(url: str, headers: dict[str, str], position: int) -> Decimal:
    """The on-hand answered by a fresh connection (so any API process may answer)."""
    response = httpx.get(
        f"{url}/api/stock/AB-1/main",
        params={"min_position": position},
        headers={**headers, "Connection": "close"},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    return Decimal(response.json()["on_hand"])


def test_the_projector_process_is_restarted_when_killed(
    patient: Settings, tmp_path: Path, serve: list[Server]
) -> None:
    server = Server(patient, tmp_path).start()
    serve.append(server)
    headers = _clerk(patient)
    wait_until(lambda: len(_projector_pids(server)) == 1, 30, "the projector process")
    first = _projector_pids(server)[0]
    assert first != server.process.pid  # type: ignore[union-attr]
    # It yields the CPU to the API (STOCKLEDGER_PROJECTOR_NICE, 10 unless set), from early
    # in its start-up (it logs "started" as it is spawned, before it reads its settings).
    api_priority = os.getpriority(os.PRIO_PROCESS, server.process.pid)  # type: ignore[union-attr]
    niced = min(19, api_priority + 10)
    wait_until(lambda: os.getpriority(os.PRIO_PROCESS, first) == niced, 30, "nice projector")
    assert os.getpriority(os.PRIO_PROCESS, first) == niced
    # Both processes froze their start-up objects out of the collector's sight.
    wait_until(lambda: {"api", "projector"} <= _settled(server), 30, "gc settled")
    os.kill(first, signal.SIGKILL)
    wait_until(lambda: len(_projector_pids(server)) == 2, 30, "a new projector process")
    assert _projector_pids(server)[1] != first
    position = _receipt(server.url, headers, "R-1")
    assert _on_hand(server.url, headers, position) == Decimal(2)
    assert server.stop() == 0


def test_two_api_processes_share_the_port_and_reads_follow_writes_across_them(
    patient: Settings, tmp_path: Path, serve: list[Server]
) -> None:
    server = Server(patient, tmp_path, args=("--workers", "2")).start()
    serve.append(server)
    headers = _clerk(patient)
    wait_until(lambda: "api" in _settled(server), 30, "gc settled in the API processes")
    for n in range(12):
        position = _receipt(server.url, headers, f"R-{n}")
        assert _on_hand(server.url, headers, position) == Decimal(2 * (n + 1))

    def answering_pids() -> set[int]:
        return {
            line["pid"]
            for line in _lines(server)
            if line.get("route") == "/api/stock/{sku}/{location}"
        }

    assert len(answering_pids()) == 2, server.output()
    assert len(_projector_pids(server)) == 1
    _console_session_holds_on_every_process(server, headers["Authorization"].split()[-1])
    assert server.stop() == 0


def _console_session_holds_on_every_process(server: Server, token: str) -> None:
    """A console session opened on one API process is valid on the other: serve hands every
    process one console secret (without one, each drew its own and refused the other's)."""
    with httpx.Client(base_url=server.url, timeout=30) as browser:
        page = browser.get("/")
        csrf = re.findall(r'name="csrf" value="([^"]+)"', page.text)[0]
        signed_in = browser.post("/sign-in", data={"csrf": csrf, "key": token})
        assert signed_in.status_code == 303, signed_in.text
        session = dict(browser.cookies)
    for _ in range(12):
        with httpx.Client(base_url=server.url, cookies=session, timeout=30) as fresh:
            answer = fresh.get("/stock", follow_redirects=False)
            assert answer.status_code == 200, (answer.status_code, answer.headers)
    console_pids = {line["pid"] for line in _lines(server) if line.get("route") == "/stock"}
    assert len(console_pids) == 2, server.output()


def test_the_projector_process_follows_every_tenant_even_one_created_while_serving(
    patient: Settings, tmp_path: Path, serve: list[Server], request: pytest.FixtureRequest
) -> None:
    """The API processes run no projectors on PostgreSQL: a tenant's reads are answered only
    if the projector process runs that tenant's projectors too."""
    server_db = request.getfixturevalue("pg_server")
    home_db = (patient.database_url or "").rsplit("/", 1)[1]
    created = [cli(patient, "tenants", "create", "early").stdout.strip().splitlines()[-1]]
    try:
        server = Server(patient, tmp_path).start()
        serve.append(server)
        created.append(cli(patient, "tenants", "create", "late").stdout.strip().splitlines()[-1])
        for token in created:
            headers = {"Authorization": f"Bearer {token}"}
            position = _receipt(server.url, headers, "R-1")
            assert _on_hand(server.url, headers, position) == Decimal(2)
        assert server.stop() == 0
    finally:
        for name in ("early", "late"):
            server_db.drop_database(f"{home_db}_{name}")
