"""http: the command mix over HTTP against ``stockledger serve`` vs a naive service.

The servers run as subprocesses on 127.0.0.1, each over its own database on the same
PostgreSQL: ``stockledger serve`` as shipped (one API process beside its projector process),
``stockledger serve --workers 2``, and the baseline. Client processes (8; BENCH_CLIENTS)
send the cycle of ``bench commands`` (receipt, quote create, close, delivery against it,
transfer) with httpx, bounded in count and time. Baseline: bench/naive_service.py, a
running-balance service doing one guarded UPDATE per stock change, measured in the same
run with the same clients, the three loads taking turns.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
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

CLIENTS = int(os.environ.get("BENCH_CLIENTS", "8"))
TARGET_RATIO = 0.5
TARGET_RATIO_WORKERS = 1.0
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


def cli_key(env: dict[str, str], role: str = "clerk") -> str:
    """A new key of ``role`` (user bench) on the store ``env`` names, by the real CLI."""
    script = str(Path(sys.executable).parent / "stockledger")
    done = subprocess.run(
        [script, "keys", "create", "--user", "bench", "--role", role],
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


def _row(
    report: Report,
    name: str,
    rates: list[float],
    latencies: list[float],
    naive: tuple[list[float], list[float]],
    ratio: float,
) -> None:
    product, base = median(rates), median(naive[0])
    report.add(
        f"{CLIENTS} clients: {name}",
        product,
        "commands/s",
        baseline=base,
        target=f"ratio ≥ {ratio:g}",
        met=product / base >= ratio,
        note=f"median of {len(rates)}; baseline = naive running-balance service",
    )
    p99 = percentile(latencies, 99)
    report.add(
        f"{name}: latency p99",
        p99,
        "ms",
        baseline=percentile(naive[1], 99),
        target="< 50 ms",
        met=p99 < TARGET_P99_MS,
        note=f"median {median(latencies):.1f} ms vs naive {median(naive[1]):.1f} ms",
    )


def run(*, quick: bool, runs: int | None) -> Report:
    seconds = 0.5 if quick else 10.0
    limit = 100 if quick else 50_000
    runs = runs or (1 if quick else 3)
    report = Report("http", quick, {"clients": CLIENTS, "seconds": seconds, "runs": runs})
    names = ("stockledger serve", "stockledger serve --workers 2", "naive")
    rates: dict[str, list[float]] = {name: [] for name in names}
    latencies: dict[str, list[float]] = {name: [] for name in names}
    script = str(Path(sys.executable).parent / "stockledger")
    with postgres() as server, ExitStack() as servers:
        bases: dict[str, tuple[str, str]] = {}
        for name, extra in ((names[0], []), (names[1], ["--workers", "2"])):
            env = stockledger_env(new_database(server))
            token = cli_key(env)
            port = free_port()
            command = [script, "serve", "--port", str(port), *extra]
            bases[name] = (servers.enter_context(serving(command, env, port)), token)
        port = free_port()
        naive = [sys.executable, "-m", "bench.naive_service", "--dsn", new_database(server)]
        command = [*naive, "--port", str(port)]
        naive_base = servers.enter_context(serving(command, dict(os.environ), port))
        bases[names[2]] = (naive_base, bases[names[0]][1])  # it checks no key
        for _ in range(runs):
            for name in names:
                rate, lat = load(*bases[name], seconds, limit)
                rates[name].append(rate)
                latencies[name].extend(lat)
    baseline = (rates[names[2]], latencies[names[2]])
    _row(report, names[0], rates[names[0]], latencies[names[0]], baseline, TARGET_RATIO)
    _row(report, names[1], rates[names[1]], latencies[names[1]], baseline, TARGET_RATIO_WORKERS)
    report.extra["rates"] = rates
    report.finish()
    return report
