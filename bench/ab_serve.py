"""A/B of ``stockledger serve`` against an earlier commit's, under the ``http`` bench's load.

``python -m bench.ab_serve [COMMIT] [ROUNDS] [SECONDS]`` (default: ``BENCH_BASELINE`` or
HEAD, 3 rounds of 10 s) starts three servers over their own databases on one durable
PostgreSQL (``BENCH_DURABLE=1`` is implied): ``serve`` as in this tree, ``serve`` from a
``git archive`` of COMMIT (its ``src`` first on ``PYTHONPATH``), and the naive service. Each
receives the stock of the ``http`` bench; then ``wrk`` (8 connections, bench/wrk/deliveries.lua)
loads them in turn, each round, and the CPU of each process group is read from ``/proc``
around every run (bench/loadgen.py). It prints each round and the medians of rate, p99 and
CPU per delivery (all processes: the server and its children, PostgreSQL, wrk), and the
ratios this / COMMIT and this / naive.
"""

from __future__ import annotations

import os
import statistics
import sys
import uuid
from contextlib import ExitStack
from pathlib import Path

from tests.pgserver import free_port

from bench import bench_commands
from bench.bench_http import (
    cli_key,
    measure,
    receive_stock,
    serving_process,
    stockledger_env,
)
from bench.common import new_database, postgres
from bench.loadgen import Measured, postmaster_pid


def figures(run: Measured) -> tuple[float, float, float]:
    """(deliveries/s, p99 ms, CPU ms per delivery of every process group)."""
    return run.wrk.rate, run.wrk.percentiles.get(99, float("nan")), run.ms_per_request_all()


def main(argv: list[str]) -> None:
    commit = argv[0] if argv else os.environ.get("BENCH_BASELINE", "HEAD")
    rounds = int(argv[1]) if len(argv) > 1 else 3
    seconds = float(argv[2]) if len(argv) > 2 else 10.0
    bench_commands.BASELINE = commit
    os.environ["BENCH_DURABLE"] = "1"
    script = str(Path(sys.executable).parent / "stockledger")
    names = ("this code", commit, "naive")
    found: dict[str, list[tuple[float, float, float]]] = {name: [] for name in names}
    tag = uuid.uuid4().hex[:8]
    with postgres() as server, ExitStack() as stack:
        source = stack.enter_context(bench_commands.baseline_source())
        if source is None:
            raise SystemExit(f"no git archive of {commit}")
        served: dict[str, tuple[str, str, int]] = {}
        for name, path in ((names[0], None), (names[1], source)):
            env = stockledger_env(new_database(server))
            if path is not None:
                env["PYTHONPATH"] = str(path)
            token, port = cli_key(env), free_port()
            command = [script, "serve", "--port", str(port)]
            url, process = stack.enter_context(serving_process(command, env, port))
            served[name] = (url, token, process.pid)
        port = free_port()
        naive = [sys.executable, "-m", "bench.naive_service", "--dsn", new_database(server)]
        command = [*naive, "--port", str(port)]
        url, process = stack.enter_context(serving_process(command, dict(os.environ), port))
        served[names[2]] = (url, served[names[0]][1], process.pid)
        postmaster = postmaster_pid(server.datadir)
        for index, (url, token, pid) in enumerate(served.values()):
            receive_stock(url, token)
            measure(url, token, pid, postmaster, 2, f"{tag}-warm-{index}")
        for number in range(rounds):
            for index, name in enumerate(names):
                url, token, pid = served[name]
                run = measure(url, token, pid, postmaster, seconds, f"{tag}-{number}-{index}")
                row = figures(run)
                found[name].append(row)
                print(f"round {number}: {name}: {row[0]:.1f}/s p99 {row[1]:.1f} ms "
                      f"CPU {row[2]:.3f} ms/delivery, idle {run.idle:.0%}", flush=True)  # fmt: skip
    medians = {
        name: [statistics.median(row[i] for row in rows) for i in range(3)]
        for name, rows in found.items()
    }
    for name, (rate, p99, cpu) in medians.items():
        print(f"{name}: median {rate:.1f} deliveries/s, p99 {p99:.1f} ms, CPU {cpu:.3f} ms")
    this, base, naive_figures = (medians[name] for name in names)
    for label, other in ((commit, base), ("naive", naive_figures)):
        rate, p99, cpu = (this[i] / other[i] for i in range(3))
        print(f"this / {label}: rate {rate:.2f}, p99 {p99:.2f}, CPU per delivery {cpu:.2f}")


if __name__ == "__main__":
    main(sys.argv[1:])
