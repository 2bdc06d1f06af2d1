"""http: 1-unit deliveries over HTTP from ``wrk``, ``stockledger serve`` vs a naive service.

Both servers run as subprocesses on 127.0.0.1, each over its own database on the same
PostgreSQL (``BENCH_DURABLE=1`` for a figure): ``stockledger serve`` as shipped (one API
process beside its projector process) and bench/naive_service.py, a running-balance service
doing one guarded UPDATE per stock change. Each first receives stock of 200 SKUs at ``main``
over HTTP; then the C load generator ``wrk`` (8 connections, 2 threads,
bench/wrk/deliveries.lua) posts 1-unit deliveries with a unique id per request, the two
servers taking turns, median of 3 runs. A run with any non-2xx answer or socket error stops
the bench. Around every run the CPU of each process group is read from ``/proc``
(bench/loadgen.py): ``serve`` and its children, the postmaster and every backend, wrk, and
the machine's idle time; CPU per delivery = group CPU seconds / deliveries answered.
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

import httpx
from tests.pgserver import PostgresServer, free_port
from tests.processes import stop

from bench.common import Report, median, new_database, postgres
from bench.loadgen import Measured, drive, postmaster_pid

CONNECTIONS = int(os.environ.get("BENCH_CLIENTS", "8"))
SKUS = 200
STOCK = "1000000"  # units of each SKU received before the load, far more than it delivers
TARGET_RATIO = 0.5
TARGET_CPU_RATIO = 2.0
TARGET_P99_RATIO = 2.0
NAMES = ("stockledger serve", "naive")
STOCKLEDGER = str(Path(sys.executable).parent / "stockledger")


@contextmanager
def serving_process(
    command: list[str], env: dict[str, str], port: int
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """Starts ``command`` (a server on ``port``), waits for /health; yields (URL, process)."""
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
            yield base, process
        finally:
            stop(process, timeout=15)


@contextmanager
def serving(command: list[str], env: dict[str, str], port: int) -> Iterator[str]:
    with serving_process(command, env, port) as (base, _):
        yield base


@contextmanager
def served(url: str) -> Iterator[tuple[str, str]]:
    """``stockledger serve`` over the database at ``url``: its base URL and a new admin key."""
    env = stockledger_env(url)
    token = cli_key(env, "admin")
    port = free_port()
    with serving([STOCKLEDGER, "serve", "--port", str(port)], env, port) as base:
        yield base, token


def ok(answer: httpx.Response) -> httpx.Response:
    """The answer, if it is a 200; a benchmark stops on any other."""
    if answer.status_code != 200:
        raise RuntimeError(f"{answer.status_code} {answer.text[:300]}")
    return answer


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
    done = subprocess.run(
        [STOCKLEDGER, "keys", "create", "--user", "bench", "--role", role],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return done.stdout.strip().splitlines()[-1]


def receive_stock(base: str, token: str) -> None:
    """STOCK units of W0 … W199 at main, in receipts of 50 lines."""
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=base, headers=headers, timeout=60) as http:
        for first in range(0, SKUS, 50):
            lines = [
                {"sku": f"W{n}", "quantity": STOCK, "unit_cost": "2.50"}
                for n in range(first, min(SKUS, first + 50))
            ]
            body = {"receipt_id": f"R-stock-{first}", "location": "main", "lines": lines}
            answer = http.post("/api/receipts", json=body)
            if answer.status_code != 201:
                raise RuntimeError(f"stock receipt: {answer.status_code} {answer.text[:300]}")


def servers(server: PostgresServer, stack: ExitStack) -> dict[str, tuple[str, str, int]]:
    """(URL, key, root pid) of each server, stock received."""
    env = stockledger_env(new_database(server))
    token = cli_key(env)
    port = free_port()
    command = [STOCKLEDGER, "serve", "--port", str(port)]
    base, process = stack.enter_context(serving_process(command, env, port))
    found = {NAMES[0]: (base, token, process.pid)}
    port = free_port()
    naive = [sys.executable, "-m", "bench.naive_service", "--dsn", new_database(server)]
    base, process = stack.enter_context(
        serving_process([*naive, "--port", str(port)], dict(os.environ), port)
    )
    found[NAMES[1]] = (base, token, process.pid)  # it checks no key
    for base, token, _ in found.values():
        receive_stock(base, token)
    return found


def measure(url: str, token: str, pid: int, postmaster: int, seconds: float, tag: str) -> Measured:
    groups = {"api": pid, "postgres": postmaster}
    return drive(f"{url}/api/deliveries", seconds, groups, token=token, tag=tag,
                 connections=CONNECTIONS, env={"WRK_SKUS": str(SKUS)})  # fmt: skip


def _rows(report: Report, runs: dict[str, list[Measured]]) -> None:
    ours, naive = runs[NAMES[0]], runs[NAMES[1]]

    def med(measured: list[Measured], figure: str) -> float:
        if figure == "rate":
            return median([m.wrk.rate for m in measured])
        if figure in ("p50", "p99"):
            pct = int(figure[1:])
            return median([m.wrk.percentiles.get(pct, float("nan")) for m in measured])
        if figure == "all":
            return median([m.ms_per_request_all() for m in measured])
        return median([m.ms_per_request(figure) for m in measured])

    n = f"median of {len(ours)}; baseline = naive running-balance service, same runs"
    rate, base = med(ours, "rate"), med(naive, "rate")
    report.add(f"wrk {CONNECTIONS} connections: {NAMES[0]}", rate, "deliveries/s",
               baseline=base, target=f"ratio ≥ {TARGET_RATIO:g}",
               met=rate / base >= TARGET_RATIO, note=n)  # fmt: skip
    p99, base = med(ours, "p99"), med(naive, "p99")
    p50 = f"p50 {med(ours, 'p50'):.1f} ms vs naive {med(naive, 'p50'):.1f} ms"
    report.add(f"{NAMES[0]}: latency p99", p99, "ms", baseline=base,
               target=f"ratio ≤ {TARGET_P99_RATIO:g}", met=p99 / base <= TARGET_P99_RATIO,
               note=f"{p50}; median of each run's p99")  # fmt: skip
    cpu, base = med(ours, "all"), med(naive, "all")
    report.add(f"{NAMES[0]}: CPU per delivery, all processes", cpu, "ms", baseline=base,
               target=f"ratio ≤ {TARGET_CPU_RATIO:g}", met=cpu / base <= TARGET_CPU_RATIO,
               note="API + projector + PostgreSQL + wrk")  # fmt: skip
    for group, what in (("api", "API and its children"), ("postgres", "PostgreSQL"),
                        ("wrk", "wrk")):  # fmt: skip
        report.add(f"{NAMES[0]}: CPU per delivery, {what}", med(ours, group), "ms",
                   baseline=med(naive, group))  # fmt: skip
    for name in NAMES:
        idle = median([m.idle * 100 for m in runs[name]])
        report.add(f"{name}: machine idle during its runs", idle, "%",
                   note="other work on the machine shows here")  # fmt: skip


def run(*, quick: bool, runs: int | None) -> Report:
    seconds = 1.0 if quick else 10.0
    runs = runs or (1 if quick else 3)
    params = {"connections": CONNECTIONS, "threads": 2, "seconds": seconds, "runs": runs,
              "skus": SKUS, "durable": bool(os.environ.get("BENCH_DURABLE"))}  # fmt: skip
    report = Report("http", quick, params)
    measured: dict[str, list[Measured]] = {name: [] for name in NAMES}
    tag = uuid.uuid4().hex[:8]
    with postgres() as server, ExitStack() as stack:
        found = servers(server, stack)
        postmaster = postmaster_pid(server.datadir)
        if not quick:  # warm both (pools, caches) before the first measured run
            for name, (url, token, pid) in found.items():
                measure(url, token, pid, postmaster, 2, f"{tag}-warm-{NAMES.index(name)}")
        for number in range(runs):
            for index, (name, (url, token, pid)) in enumerate(found.items()):
                one = measure(url, token, pid, postmaster, seconds, f"{tag}-{number}-{index}")
                measured[name].append(one)
    _rows(report, measured)
    report.extra["runs"] = {
        name: [{"rate": m.wrk.rate, "requests": m.wrk.requests, "latency_ms": m.wrk.percentiles,
                "cpu_s": m.cpu, "idle": m.idle, "wall_s": m.wall} for m in items]
        for name, items in measured.items()
    }  # fmt: skip
    report.finish()
    return report
