"""http: the command mix over HTTP against ``stockledger serve`` vs a naive service.

Both servers run as subprocesses on 127.0.0.1 (one uvicorn process each) over their own
database on the same PostgreSQL. Client processes send the cycle of ``bench commands``
(receipt, quote create, close, delivery against it, transfer) with httpx, bounded in count
and time. Baseline: bench/naive_service.py, a running-balance service doing one guarded
UPDATE per stock change, measured in the same run with the same clients.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from tests.pgserver import free_port

from bench.bench_commands import SKUS_PER_CLIENT
from bench.common import (
    Report,
    median,
    new_database,
    percentile,
    postgres,
    run_clients,
    throughput,
)

CLIENTS = 4
TARGET_RATIO = 0.5
TARGET_P99_MS = 50.0


def cycle(http: httpx.Client, tag: str, sku: str, timed: list[float]) -> int:
    requests: list[tuple[str, dict[str, Any] | None]] = [
        (
            "/api/receipts",
            {
                "receipt_id": f"R{tag}",
                "location": "main",
                "lines": [{"sku": sku, "quantity": "10", "unit_cost": "2.50"}],
            },
        ),
        (
            "/api/quotes",
            {
                "quote_id": f"Q{tag}",
                "customer": "ACME",
                "location": "main",
                "lines": [{"sku": sku, "quantity": "2", "unit_price": "4.00"}],
            },
        ),
        (f"/api/quotes/Q{tag}/close", None),
        (
            "/api/deliveries",
            {
                "delivery_id": f"D{tag}",
                "location": "main",
                "quote_id": f"Q{tag}",
                "lines": [{"sku": sku, "quantity": "2"}],
            },
        ),
        (
            "/api/transfers",
            {
                "transfer_id": f"T{tag}",
                "from_location": "main",
                "to_location": "kitchen",
                "lines": [{"sku": sku, "quantity": "1"}],
            },
        ),
    ]
    for path, body in requests:
        began = time.perf_counter()
        response = http.post(path, json=body)
        timed.append((time.perf_counter() - began) * 1000)
        if response.status_code not in (200, 201):
            raise RuntimeError(f"{path}: {response.status_code} {response.text[:300]}")
    return len(requests)


def client(
    index: int, barrier: Any, base: str, token: str, tag: str, seconds: float, limit: int
) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=base, headers=headers, timeout=30) as http:
        cycle(http, f"{tag}-{index}-warm", f"H{index}-0", [])
        latencies: list[float] = []
        count = 0
        barrier.wait()
        start = time.perf_counter()
        n = 0
        while count < limit and time.perf_counter() < start + seconds:
            sku = f"H{index}-{n % SKUS_PER_CLIENT}"
            count += cycle(http, f"{tag}-{index}-{n}", sku, latencies)
            n += 1
        end = time.perf_counter()
    return {"count": count, "start": start, "end": end, "latencies": latencies}


@contextmanager
def serving(command: list[str], env: dict[str, str], port: int) -> Iterator[str]:
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 60
            while not _healthy(base):
                if process.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    raise RuntimeError(f"server did not start: {log.read().decode()[-2000:]}")
                time.sleep(0.1)
            yield base
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _healthy(base: str) -> bool:
    try:
        return httpx.get(f"{base}/health", timeout=1).status_code == 200
    except httpx.TransportError:
        return False


def stockledger_env(url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("STOCKLEDGER_")}
    env["STOCKLEDGER_DATABASE_URL"] = url
    env["STOCKLEDGER_DATA_DIR"] = tempfile.mkdtemp(prefix="stockledger-bench-")
    return env


def clerk_key(env: dict[str, str]) -> str:
    script = str(Path(sys.executable).parent / "stockledger")
    done = subprocess.run(
        [script, "keys", "create", "--user", "bench", "--role", "clerk"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return done.stdout.strip().splitlines()[-1]


def load(base: str, token: str, seconds: float, limit: int) -> tuple[float, list[float]]:
    tag = uuid.uuid4().hex[:8]
    return throughput(run_clients(client, CLIENTS, base, token, tag, seconds, limit))


def run(*, quick: bool, runs: int | None) -> Report:
    seconds = 0.5 if quick else 10.0
    limit = 100 if quick else 50_000
    runs = runs or (1 if quick else 3)
    report = Report("http", quick, {"clients": CLIENTS, "seconds": seconds, "runs": runs})
    product_rates: list[float] = []
    naive_rates: list[float] = []
    product_lat: list[float] = []
    naive_lat: list[float] = []
    with postgres() as server:
        env = stockledger_env(new_database(server))
        token = clerk_key(env)
        serve = [str(Path(sys.executable).parent / "stockledger"), "serve"]
        naive = [sys.executable, "-m", "bench.naive_service", "--dsn", new_database(server)]
        port, naive_port = free_port(), free_port()
        with (
            serving([*serve, "--port", str(port)], env, port) as base,
            serving([*naive, "--port", str(naive_port)], dict(os.environ), naive_port) as nbase,
        ):
            for _ in range(runs):
                rate, lat = load(base, token, seconds, limit)
                product_rates.append(rate)
                product_lat.extend(lat)
                rate, lat = load(nbase, token, seconds, limit)
                naive_rates.append(rate)
                naive_lat.extend(lat)
    product, naive_rate = median(product_rates), median(naive_rates)
    report.add(
        f"{CLIENTS} clients: stockledger serve",
        product,
        "commands/s",
        baseline=naive_rate,
        target="ratio ≥ 0.5",
        met=product / naive_rate >= TARGET_RATIO,
        note=f"median of {runs}; baseline = naive running-balance service",
    )
    p99 = percentile(product_lat, 99)
    report.add(
        "stockledger serve latency p99",
        p99,
        "ms",
        baseline=percentile(naive_lat, 99),
        target="< 50 ms",
        met=p99 < TARGET_P99_MS,
        note=f"median {median(product_lat):.1f} ms vs naive {median(naive_lat):.1f} ms",
    )
    report.extra["rates"] = {"stockledger": product_rates, "naive": naive_rates}
    report.finish()
    return report
