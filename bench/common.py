"""What every benchmark shares: the throwaway PostgreSQL server, statistics, the report.

A report prints a rich table and writes one JSON file per run under bench/results/.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import multiprocessing
import os
import platform
import resource
import statistics
import tempfile
import time
import traceback
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table
from tests.pgserver import PostgresServer

from application.settings import Settings

CLIENT_TIMEOUT = 900
RESULTS = Path(__file__).resolve().parent / "results"
console = Console(width=150)


# BENCH_DURABLE=1: a server that keeps its promises (the suite's trades them for speed).
DURABLE = {"fsync": "on", "synchronous_commit": "on", "full_page_writes": "on"}

# A running server to reuse instead of starting one (the smoke test hands in the suite's).
shared_server: PostgresServer | None = None


@contextmanager
def postgres() -> Iterator[PostgresServer]:
    """The same throwaway server the test suite starts (tests/pgserver.py)."""
    if shared_server is not None:
        yield shared_server
        return
    with PostgresServer(DURABLE if os.environ.get("BENCH_DURABLE") else None) as server:
        yield server


def new_database(server: PostgresServer, prefix: str = "bench") -> str:
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    server.create_database(name)
    return server.url(name)


@contextmanager
def database(prefix: str = "bench") -> Iterator[str]:
    """The URL of a new database on the throwaway server, for a benchmark of one store."""
    with postgres() as server:
        yield new_database(server, prefix)


def settings_for(url: str, **overrides: Any) -> Settings:
    data_dir = Path(tempfile.mkdtemp(prefix="stockledger-bench-"))
    return Settings(database_url=url, data_dir=data_dir, **overrides)


def run_clients(
    target: Callable[..., dict[str, Any]], clients: int, *args: Any
) -> list[dict[str, Any]]:
    """Runs ``target(client, barrier, *args)`` in ``clients`` fresh processes (spawn) and
    returns what each one returned. The target sets itself up, waits on the barrier so all
    clients start together, runs its bounded loop and returns a dict of figures."""
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(clients)
    queue = context.Queue()
    processes = [
        context.Process(target=_client_main, args=(queue, target, client, barrier, *args))
        for client in range(clients)
    ]
    for process in processes:
        process.start()
    results = [queue.get(timeout=CLIENT_TIMEOUT) for _ in processes]
    for process in processes:
        process.join(timeout=30)
    failures = [r["error"] for r in results if "error" in r]
    if failures:
        raise RuntimeError(f"{len(failures)} client(s) failed; first: {failures[0]}")
    return results


def _client_main(
    queue: Any, target: Callable[..., dict[str, Any]], client: int, barrier: Any, *args: Any
) -> None:
    try:
        if os.environ.get("BENCH_PROFILE"):
            queue.put(_profiled(target, client, barrier, *args))
        else:
            queue.put(target(client, barrier, *args))
    except BaseException as error:
        queue.put({"error": f"{type(error).__name__}: {error}\n{traceback.format_exc()}"})
        raise


def _profiled(
    target: Callable[..., dict[str, Any]], client: int, barrier: Any, *args: Any
) -> dict[str, Any]:
    """BENCH_PROFILE=1: run the client under cProfile and keep its stats in bench/results/."""
    profile = cProfile.Profile()
    result = profile.runcall(target, client, barrier, *args)
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"profile-{target.__name__}-{client}-{os.getpid()}.pstats"
    profile.dump_stats(path)
    return result


def throughput(results: list[dict[str, Any]]) -> tuple[float, list[float]]:
    """(operations per second over the whole run, every latency in ms) from client results
    that report ``count``, ``start``, ``end`` (perf_counter, system-wide) and ``latencies``."""
    count = sum(r["count"] for r in results)
    wall = max(r["end"] for r in results) - min(r["start"] for r in results)
    latencies = [lat for r in results for lat in r["latencies"]]
    return count / wall, latencies


def timed(call: Callable[[int], object], count: int) -> list[float]:
    """Milliseconds each of ``call(0)`` … ``call(count - 1)`` took, one after another."""
    out = []
    for number in range(count):
        began = time.perf_counter()
        call(number)
        out.append((time.perf_counter() - began) * 1000)
    return out


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def percentile(values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile (pct in 0..100)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, round(pct / 100 * len(ordered) + 0.4999))
    return ordered[min(rank, len(ordered)) - 1]


def peak_rss_mb() -> float:
    """Peak resident set size of this process (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@dataclass
class Row:
    metric: str
    value: float
    unit: str
    baseline: float | None = None
    target: str = ""
    met: bool | None = None
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.baseline in (None, 0):
            return None
        assert self.baseline is not None
        return self.value / self.baseline


@dataclass
class Report:
    """The figures of one benchmark run."""

    name: str
    quick: bool
    params: dict[str, Any] = field(default_factory=dict)
    rows: list[Row] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    started: float = field(default_factory=time.time)

    def add(self, metric: str, value: float, unit: str, **kw: Any) -> Row:
        row = Row(metric, value, unit, **kw)
        self.rows.append(row)
        return row

    def add_p99(self, metric: str, latencies: Sequence[float], under: float | None = None) -> Row:
        """The p99 of ``latencies`` (ms), their median beside it; met when below ``under``."""
        p99, note = percentile(latencies, 99), f"median {median(latencies):.1f} ms"
        if under is None:
            return self.add(metric, p99, "ms p99", note=note)
        return self.add(metric, p99, "ms p99", target=f"< {under:g}", met=p99 < under, note=note)

    def finish(self) -> Path:
        self.print()
        return self.write()

    def print(self) -> None:
        table = Table(title=f"bench {self.name}{' (quick)' if self.quick else ''}")
        for column in ("metric", "value", "unit", "baseline", "ratio", "target", "met", "note"):
            table.add_column(column, justify="right" if column != "metric" else "left")
        for row in self.rows:
            table.add_row(
                row.metric,
                _fmt(row.value),
                row.unit,
                _fmt(row.baseline),
                _fmt(row.ratio, 2),
                row.target,
                {True: "yes", False: "NO", None: ""}[row.met],
                row.note,
            )
        console.print(table)

    def write(self) -> Path:
        RESULTS.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        path = RESULTS / f"{self.name}-{'quick-' if self.quick else ''}{stamp}.json"
        body = {
            "name": self.name,
            "quick": self.quick,
            "started": datetime.fromtimestamp(self.started, UTC).isoformat(),
            "seconds": round(time.time() - self.started, 1),
            "machine": machine(),
            "params": self.params,
            "rows": [{**asdict(row), "ratio": row.ratio} for row in self.rows],
            "extra": self.extra,
        }
        path.write_text(json.dumps(body, indent=2, default=str))
        console.print(f"result written to {path}")
        return path


def command_line(
    run: Callable[..., Report], prog: str, doc: str | None, sizes: dict[str, int]
) -> None:
    """A benchmark's own command line: ``--quick`` and ``--NAME N`` for each of its sizes."""
    parser = argparse.ArgumentParser(prog=prog, description=doc)
    parser.add_argument("--quick", action="store_true")
    for name in sizes:
        parser.add_argument(f"--{name}", type=int, default=None)
    args = parser.parse_args()
    chosen = {k: v for k, v in vars(args).items() if k != "quick" and v is not None}
    run(quick=args.quick, runs=None, **chosen)


def machine() -> dict[str, Any]:
    mem_kib = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_kib = int(line.split()[1])
    except OSError:
        pass
    return {
        "cpus": os.cpu_count(),
        "memory_gib": round(mem_kib / 1024 / 1024, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "load_avg": os.getloadavg(),
    }


def _fmt(value: float | None, digits: int = 1) -> str:
    if value is None:
        return ""
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.{digits if abs(value) >= 1 else 3}f}"
