"""commands: the mixed command load through application.ledger.Ledger.

A client is a thread; a layout is P processes × T threads, each process with one Ledger
(so its threads' commands are group-committed together). A cycle is five commands on the
client's own SKUs: receipt, quote create, quote close, delivery against the quote,
transfer main → kitchen.

Full runs use a durable PostgreSQL (fsync, synchronous_commit and full_page_writes on).
Each repetition measures, on the same server one after the other:

* this code;
* the baseline code (``BENCH_BASELINE``, a git commit, default c2c9e78: main before group
  commit), the same clients run from a ``git archive`` of it in a subprocess;
* the psycopg ceiling (bench/ceiling.py: the ledger's statements from 8 threads).

The rows give the median of each, the ratio to the baseline code and to the ceiling, and
the group-commit batch sizes (saves per transaction) of this code.
``python -m bench.bench_commands URL PROCESSES THREADS SECONDS TAG`` runs one measurement
and prints it as JSON (how the baseline is run).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from decimal import Decimal
from io import BytesIO
from pathlib import Path
from typing import Any

from tests.pgserver import PostgresServer

from application.commands import (
    CloseQuote,
    CreateQuote,
    Line,
    PostDelivery,
    PostReceipt,
    PostTransfer,
    PricedLine,
    ReceiptLine,
)
from application.ledger import Ledger
from bench.ceiling import ceiling
from bench.common import (
    Report,
    median,
    new_database,
    percentile,
    postgres,
    run_clients,
    settings_for,
    throughput,
)

TARGET = 2_000.0
SKUS_PER_CLIENT = 20
REPO = Path(__file__).resolve().parent.parent
BASELINE = os.environ.get("BENCH_BASELINE", "c2c9e78")


def one_cycle(ledger: Ledger, tag: str, sku: str, timed: list[float]) -> int:
    """Receipt, quote create + close, delivery against it, transfer: five commands."""
    steps = (
        lambda: ledger.execute(
            PostReceipt(f"R{tag}", "main", [ReceiptLine(sku, Decimal(10), Decimal("2.50"))]),
            user="bench",
        ),
        lambda: ledger.execute(
            CreateQuote(f"Q{tag}", "ACME", "main", [PricedLine(sku, Decimal(2), Decimal("4.00"))]),
            user="bench",
        ),
        lambda: ledger.execute(CloseQuote(f"Q{tag}"), user="bench"),
        lambda: ledger.execute(
            PostDelivery(f"D{tag}", "main", [Line(sku, Decimal(2))], quote_id=f"Q{tag}"),
            user="bench",
        ),
        lambda: ledger.execute(
            PostTransfer(f"T{tag}", "main", "kitchen", [Line(sku, Decimal(1))]), user="bench"
        ),
    )
    for step in steps:
        began = time.perf_counter()
        step()
        timed.append((time.perf_counter() - began) * 1000)
    return len(steps)


def ledger_client(
    client: int, barrier: Any, url: str, run: str, seconds: float, limit: int, threads: int = 1
) -> dict[str, Any]:
    """One process: ``threads`` clients sharing one Ledger, each on its own SKUs."""
    ledger = Ledger(settings_for(url, create_schema=False))
    ready = threading.Barrier(threads + 1)
    go = threading.Event()
    bounds = [0.0, 0.0]  # start, deadline
    counts: list[int] = []
    latencies: list[float] = []

    def clerk(number: int) -> None:
        name = f"{client}.{number}"
        one_cycle(ledger, f"{run}-{name}-warm", f"C{name}-0", [])
        ready.wait()
        go.wait()
        timed: list[float] = []
        count = cycle = 0
        while count < limit and time.perf_counter() < bounds[1]:
            sku = f"C{name}-{cycle % SKUS_PER_CLIENT}"
            count += one_cycle(ledger, f"{run}-{name}-{cycle}", sku, timed)
            cycle += 1
        counts.append(count)
        latencies.extend(timed)

    workers = [threading.Thread(target=clerk, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    ready.wait()
    recorder: Any = ledger.recorder
    batches: Counter[int] | None = getattr(recorder, "batch_sizes", None)
    if batches is not None:
        batches.clear()
        recorder.lost = 0
    barrier.wait()
    bounds[0] = time.perf_counter()
    bounds[1] = bounds[0] + seconds
    go.set()
    for worker in workers:
        worker.join()
    end = time.perf_counter()
    ledger.close()
    return {
        "count": sum(counts),
        "start": bounds[0],
        "end": end,
        "latencies": latencies,
        "batches": dict(batches or {}),
        "lost": getattr(recorder, "lost", 0),
    }


def measure(url: str, processes: int, threads: int, seconds: float, tag: str) -> dict[str, Any]:
    """Commands/s, latencies and batch sizes of one layout, with this process's code."""
    results = run_clients(ledger_client, processes, url, tag, seconds, 10**9, threads)
    rate, latencies = throughput(results)
    batches: Counter[int] = Counter()
    for result in results:
        batches.update({int(k): v for k, v in result["batches"].items()})
    return {
        "rate": rate,
        "latencies": latencies,
        "batches": dict(batches),
        "lost": sum(r["lost"] for r in results),
    }


@contextmanager
def baseline_source() -> Iterator[Path | None]:
    """``src`` of the baseline commit, exported to a temporary directory (None: no git)."""
    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", BASELINE, "src"], capture_output=True, check=False
    )
    if archive.returncode != 0:
        yield None
        return
    with tempfile.TemporaryDirectory(prefix="stockledger-baseline-") as directory:
        with tarfile.open(fileobj=BytesIO(archive.stdout)) as tar:
            tar.extractall(directory, filter="data")
        yield Path(directory) / "src"


def measure_baseline(
    source: Path, url: str, processes: int, threads: int, seconds: float, tag: str
) -> dict[str, Any]:
    """``measure`` run by the baseline code (its ``src`` first on the path)."""
    command = [sys.executable, "-m", "bench.bench_commands", url]
    done = subprocess.run(
        [*command, str(processes), str(threads), str(seconds), tag],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(source)},
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"baseline run failed:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])
    return result


def server_for(quick: bool) -> AbstractContextManager[PostgresServer]:
    if quick:
        return postgres()
    from bench.bench_document_size import durable

    return durable()


def batch_note(batches: Counter[int]) -> str:
    saves = sum(size * n for size, n in batches.items())
    if not saves:
        return "no batches"
    ordered = sorted(size for size, n in batches.items() for _ in range(n))
    mean = saves / sum(batches.values())
    return (
        f"batch sizes: mean {mean:.1f} saves/transaction, median {median(ordered):.0f}, "
        f"p90 {percentile(ordered, 90):.0f}, max {max(ordered)}"
    )


def run(*, quick: bool, runs: int | None) -> Report:
    layouts = ((1, 1), (1, 4)) if quick else ((1, 1), (1, 16), (2, 8))
    seconds = 0.5 if quick else 10.0
    runs = runs or (1 if quick else 3)
    params = {"layouts": layouts, "seconds": seconds, "runs": runs, "durable": not quick}
    report = Report("commands", quick, {**params, "baseline": None if quick else BASELINE})
    with server_for(quick) as server, baseline_source() as source:
        use_baseline = source is not None and not quick
        for processes, threads in layouts:
            url = new_database(server)
            Ledger(settings_for(url)).close()  # schema once; clients start with CREATE_TABLE=n
            figures: dict[str, list[float]] = {"app": [], "base": [], "ceiling": []}
            latencies: list[float] = []
            batches: Counter[int] = Counter()
            lost = 0
            for _ in range(runs):
                tag = uuid.uuid4().hex[:8]
                mine = measure(url, processes, threads, seconds, tag)
                figures["app"].append(mine["rate"])
                latencies.extend(mine["latencies"])
                batches.update(mine["batches"])
                lost += mine["lost"]
                if use_baseline:
                    assert source is not None
                    base = measure_baseline(source, url, processes, threads, seconds, f"b{tag}")
                    figures["base"].append(base["rate"])
                figures["ceiling"].append(ceiling(url, seconds))
            clients = processes * threads
            layout = f"{clients} client(s) ({processes} process × {threads} thread)"
            app = median(figures["app"])
            note = f"p50 {median(latencies):.1f} ms, p99 {percentile(latencies, 99):.1f} ms"
            report.add(
                f"{layout}: Ledger commands vs {BASELINE if use_baseline else 'no baseline'}",
                app,
                "commands/s",
                baseline=median(figures["base"]) if use_baseline else None,
                target="≥ 2,000/s" if clients == 16 else "",
                met=app >= TARGET if clients == 16 else None,
                note=f"{note}; {batch_note(batches)}; {lost} saves lost a race",
            )
            report.add(
                f"{layout}: Ledger commands vs the psycopg ceiling (8 threads)",
                app,
                "commands/s",
                baseline=median(figures["ceiling"]),
            )
            report.extra[f"clients_{processes}x{threads}"] = {
                **figures,
                "batches": dict(batches),
                "lost": lost,
            }
    report.finish()
    return report


def _main(argv: list[str]) -> None:
    url, processes, threads, seconds, tag = argv
    result = measure(url, int(processes), int(threads), float(seconds), tag)
    print(json.dumps(result))


if __name__ == "__main__":
    _main(sys.argv[1:])
