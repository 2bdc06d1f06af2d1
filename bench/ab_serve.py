"""A/B of ``stockledger serve`` against an earlier commit's, under the ``http`` bench's load.

``python -m bench.ab_serve [COMMIT] [ROUNDS] [SECONDS]`` (default: ``BENCH_BASELINE`` or
9963e35, 3 rounds of 10 s) starts three servers over their own databases on one durable
PostgreSQL (``BENCH_DURABLE=1`` is implied): ``serve`` as in this tree, ``serve`` from a
``git archive`` of COMMIT (its ``src`` first on ``PYTHONPATH``), and the naive service. The
bench's 8 clients load them in turn, each round; it prints each round and the medians of
rate, p50 and p99, and the ratios this / COMMIT and this / naive.
"""

from __future__ import annotations

import os
import statistics
import sys
from contextlib import ExitStack
from pathlib import Path

from tests.pgserver import free_port

from bench import bench_commands
from bench.bench_http import cli_key, serving, stockledger_env
from bench.common import new_database, percentile, postgres
from bench.http_clients import load


def main(argv: list[str]) -> None:
    commit = argv[0] if argv else os.environ.get("BENCH_BASELINE", "9963e35")
    rounds = int(argv[1]) if len(argv) > 1 else 3
    seconds = float(argv[2]) if len(argv) > 2 else 10.0
    bench_commands.BASELINE = commit
    os.environ["BENCH_DURABLE"] = "1"
    script = str(Path(sys.executable).parent / "stockledger")
    names = ("this code", commit, "naive")
    figures: dict[str, list[tuple[float, float, float]]] = {name: [] for name in names}
    with postgres() as server, ExitStack() as stack:
        source = stack.enter_context(bench_commands.baseline_source())
        if source is None:
            raise SystemExit(f"no git archive of {commit}")
        bases: dict[str, tuple[str, str]] = {}
        for name, path in ((names[0], None), (names[1], source)):
            env = stockledger_env(new_database(server))
            if path is not None:
                env["PYTHONPATH"] = str(path)
            port = free_port()
            command = [script, "serve", "--port", str(port)]
            bases[name] = (stack.enter_context(serving(command, env, port)), cli_key(env))
        port = free_port()
        naive = [sys.executable, "-m", "bench.naive_service", "--dsn", new_database(server)]
        url = stack.enter_context(serving([*naive, "--port", str(port)], dict(os.environ), port))
        bases[names[2]] = (url, bases[names[0]][1])
        for number in range(rounds):
            for name in names:
                rate, latencies = load(*bases[name], seconds, 10**6)
                row = (rate, statistics.median(latencies), percentile(latencies, 99))
                figures[name].append(row)
                print(f"round {number}: {name}: {rate:.1f}/s p50 {row[1]:.1f} p99 {row[2]:.1f}")
    medians = {
        name: [statistics.median(row[i] for row in rows) for i in range(3)]
        for name, rows in figures.items()
    }
    for name, (rate, p50, p99) in medians.items():
        print(f"{name}: median {rate:.1f} commands/s, p50 {p50:.1f} ms, p99 {p99:.1f} ms")
    this, base, naive_rate = (medians[name][0] for name in names)
    print(f"this / {commit}: {this / base:.2f}; this / naive: {this / naive_rate:.2f}")


if __name__ == "__main__":
    main(sys.argv[1:])
