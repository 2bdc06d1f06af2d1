"""tenants: what a tenant costs a server process, on PostgreSQL.

One app (``create_app``) over a home store and TENANTS tenants, each in a database of its
own made by ``tenants create``'s code, driven in this process through the ASGI app. Reported:

- connections per store the process holds after a few commands and queries
  (``pg_stat_activity`` by database), with the default pools and with pools of 1 and the
  projectors in workers (``STOCKLEDGER_RUN_PROJECTORS=false``);
- the median latency of a balance query with a tenant's key, against the same query with a
  key of the home store in the same run (baseline): the cost of picking the store;
- the first request of a tenant created while the app serves (reading the registry and
  opening the tenant's store, projectors included).
"""

from __future__ import annotations

import contextlib
import io
import time
from typing import Any

import psycopg
from fastapi.testclient import TestClient

from api.main import create_app
from bench.common import Report, median, new_database, postgres, settings_for
from cli.db import migrate_store
from tenancy.provision import create_tenant

RECEIPT = {
    "receipt_id": "R-1",
    "location": "main",
    "lines": [{"sku": "AB-1", "quantity": "5", "unit_cost": "2"}],
}
POOLS_OF_ONE = {
    "pool_size": 1,
    "pool_max_overflow": 0,
    "read_pool_size": 1,
    "run_projectors": False,
}


def _tenant(settings: Any, name: str) -> str:
    with contextlib.redirect_stdout(io.StringIO()):  # migrate's progress lines
        return create_tenant(settings, name, None, migrate_store).token


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _connections(server: Any, home_db: str) -> list[int]:
    with psycopg.connect(server.url(), autocommit=True) as conn:
        rows = conn.execute(
            "SELECT datname::text, count(*) FROM pg_stat_activity WHERE datname LIKE %s GROUP BY 1",
            (f"{home_db}%",),
        ).fetchall()
    return [int(count) for _, count in rows]


def _latencies(client: TestClient, token: str, samples: int) -> list[float]:
    out = []
    for _ in range(samples):
        began = time.perf_counter()
        answer = client.get("/api/stock/AB-1/main", headers=_bearer(token))
        out.append((time.perf_counter() - began) * 1000)
        assert answer.status_code == 200, answer.text
    return out


def run(*, quick: bool, runs: int | None) -> Report:
    tenants = 2 if quick else 8
    samples = 50 if quick else 300
    rounds = runs or 3
    report = Report("tenants", quick, {"tenants": tenants, "samples": samples, "runs": rounds})
    with postgres() as server:
        for label, overrides in (("default pools", {}), ("pools of 1, workers", POOLS_OF_ONE)):
            url = new_database(server, "benchtenants")
            home_db = url.rsplit("/", 1)[1]
            settings = settings_for(url, **overrides)
            tokens = [_tenant(settings, f"t{i}") for i in range(tenants)]
            app = create_app(settings)
            home = app.state.ledger.issue_key("home", "admin", issued_by="bench")[1]
            with TestClient(app) as client:
                for token in [home, *tokens]:
                    client.post("/api/receipts", json=RECEIPT, headers=_bearer(token))
                    _latencies(client, token, 5)
                counts = _connections(server, home_db)
                report.add(
                    f"connections per store ({label})",
                    median(counts),
                    "connections",
                    note=f"min {min(counts)}, max {max(counts)} over {len(counts)} stores",
                )
                if overrides:
                    continue
                home_ms, tenant_ms, first_ms = [], [], []
                for n in range(rounds):
                    home_ms.append(median(_latencies(client, home, samples)))
                    tenant_ms.append(median(_latencies(client, tokens[-1], samples)))
                    late = _tenant(settings, f"late{n}")
                    began = time.perf_counter()
                    answer = client.get("/api/stock/AB-1/main", headers=_bearer(late))
                    first_ms.append((time.perf_counter() - began) * 1000)
                    assert answer.status_code == 200, answer.text
                report.add(
                    "balance query, tenant key (median)",
                    median(tenant_ms),
                    "ms",
                    baseline=median(home_ms),
                    note="baseline: the same query with a home key, same run",
                )
                report.add(
                    "first request of a tenant created while serving",
                    median(first_ms),
                    "ms",
                    note="registry read + opening its store and projectors",
                )
    report.finish()
    return report
