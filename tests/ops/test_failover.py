"""Failover under load with synchronous replication: kill -9 the primary, promote the standby,
and no acknowledged command is lost, none is recorded twice, clients see 503 (never 500)
while it happens, and `stockledger verify` exits 0 on the promoted server.

The service is given both hosts in one URL (``target_session_attrs=read-write``) and finds
the promoted standby without a restart. Clients retry a 503 with the same document id (the
idempotent retry docs/OPERATIONS.md prescribes). The figures (replica lag under load, the
failover gap, commands lost) are printed: run with ``-s`` to read them.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import pytest

from application.settings import Settings
from tests.api.conftest import Api, _api
from tests.e2e.conftest import cli, wait_until
from tests.ops.events import recorded_receipts
from tests.pgserver import PostgresServer

pytestmark = pytest.mark.postgres

# An acknowledged commit is flushed on the standby before the client hears of it.
SYNCHRONOUS = {"synchronous_commit": "on", "synchronous_standby_names": "'*'"}
CLIENTS = 4
# How long the "cluster manager" takes to notice the loss and promote (Patroni: its TTL).
DETECTION_S = 3.0


@dataclass
class Load:
    """What the clients sent and heard, shared by their threads."""

    stop: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    acknowledged: list[str] = field(default_factory=list)
    # (sent, answered) of every acknowledged command, monotonic seconds.
    successes: list[tuple[float, float]] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    codes: Counter[str] = field(default_factory=Counter)

    def client(self, api: Api, number: int) -> None:
        sequence = 0
        while not self.stop.is_set():
            document = f"R-{number}-{sequence}"
            body = {
                "receipt_id": document,
                "location": "main",
                "lines": [{"sku": f"SKU-{number}", "quantity": "1", "unit_cost": "2.50"}],
            }
            sent = time.monotonic()
            response = api.post("/api/receipts", body, role="clerk")
            status = response.status_code
            with self.lock:
                self.statuses[status] += 1
                if status in (200, 201):
                    self.acknowledged.append(document)
                    self.successes.append((sent, time.monotonic()))
                else:
                    self.codes[str(response.json().get("code"))] += 1
            if status in (200, 201):
                sequence += 1  # else the same document id again: a safe retry
            elif status == 503:
                self.stop.wait(0.05)  # client back-off

    def count(self) -> int:
        with self.lock:
            return len(self.acknowledged)


def _replica_lag(primary: PostgresServer) -> tuple[float, int]:
    """(replay_lag in seconds, bytes of WAL not yet replayed) of the standby, from the primary."""
    with psycopg.connect(primary.url(), autocommit=True) as conn:
        row = conn.execute(
            "SELECT COALESCE(EXTRACT(EPOCH FROM replay_lag), 0), "
            "pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn) FROM pg_stat_replication"
        ).fetchone()
    assert row is not None, "the standby is not streaming"
    return float(row[0]), int(row[1])


def _alone(server: PostgresServer) -> None:
    """What the cluster manager does to a promoted server left without a standby (Patroni's
    synchronous_mode, not _strict): stop waiting for one, else every commit waits forever."""
    with psycopg.connect(server.url(), autocommit=True) as conn:
        conn.execute("ALTER SYSTEM SET synchronous_standby_names = ''")
        conn.execute("SELECT pg_reload_conf()")


@dataclass(frozen=True)
class Failover:
    lags: list[tuple[float, int]]  # (replay_lag s, bytes not replayed) sampled under load
    acknowledged_before: int
    killed: float
    promoted: float


def _fail_over(api: Api, load: Load, primary: PostgresServer, standby: PostgresServer) -> Failover:
    """Load, kill -9 the primary, promote the standby, and load until 40 more commands."""
    threads = [
        threading.Thread(target=load.client, args=(api, n), daemon=True) for n in range(CLIENTS)
    ]
    for thread in threads:
        thread.start()
    try:
        wait_until(lambda: load.count() >= 40, 60, "40 acknowledged commands")
        lags = []
        while load.count() < 120:
            lags.append(_replica_lag(primary))
        before = load.count()
        killed = time.monotonic()
        primary.kill()
        load.stop.wait(DETECTION_S)
        standby.promote()
        _alone(standby)
        promoted = time.monotonic()
        wait_until(lambda: load.successes[-1][0] > promoted, 60, "a command after promotion")
        wait_until(lambda: load.count() >= before + 80, 60, f"more commands {load.statuses}")
    finally:
        load.stop.set()
        for thread in threads:
            thread.join(timeout=30)
    return Failover(lags, before, killed, promoted)


def test_a_failover_under_load_loses_no_acknowledged_command(tmp_path: Path) -> None:
    with PostgresServer(SYNCHRONOUS) as primary:
        standby = primary.start_standby()
        try:
            primary.create_database("ledger")  # commits only once the standby has it
            url = (
                f"postgresql://postgres@127.0.0.1:{primary.port},127.0.0.1:{standby.port}"
                "/ledger?target_session_attrs=read-write&connect_timeout=2"
            )
            # A command that cannot finish within 2 s answers 503 (the default 15 s rides
            # through a switch of a few seconds without any error at all).
            settings = Settings(database_url=url, data_dir=tmp_path / "var", write_timeout=2)
            load = Load()
            runs = [_fail_over(api, load, primary, standby) for api in _api(settings)]
            run = runs[0]
            first_after = min(a for sent, a in load.successes if sent > run.killed)
            recorded = recorded_receipts(standby.url("ledger"))
            lost = [d for d in load.acknowledged if d not in recorded]
            twice = [d for d, n in recorded.items() if n > 1]
            print(
                f"\nreplica lag under load: max replay_lag {max(s for s, _ in run.lags):.4f} s, "
                f"max {max(b for _, b in run.lags)} bytes not replayed "
                f"({len(run.lags)} samples); failover gap {first_after - run.killed:.2f} s "
                "(kill to the first acknowledgement of a command sent after it; promotion "
                f"after {run.promoted - run.killed:.2f} s); acknowledged "
                f"{len(load.acknowledged)} ({run.acknowledged_before} before the kill), lost "
                f"{len(lost)}, recorded twice {len(twice)}; statuses {dict(load.statuses)} "
                f"{dict(load.codes)}"
            )
            assert lost == []
            assert twice == []
            assert set(load.statuses) <= {200, 201, 503}, load.statuses
            # The service followed the switch without a restart: commands sent after the
            # promotion were acknowledged and are on the promoted server (checked above).
            # Whether a client also saw a 503 depends on timing: a command in flight during
            # the switch either outlives the 2 s write bound (503) or rides through it.
            after_promotion = [
                d
                for (sent, _), d in zip(load.successes, load.acknowledged, strict=True)
                if sent > run.promoted
            ]
            assert after_promotion and all(d in recorded for d in after_promotion)
            verified = cli(Settings(database_url=url, data_dir=tmp_path / "var"), "verify")
            assert "no discrepancies" in verified.stdout
        finally:
            standby.stop()
