"""A/B of ``rebuild all`` against reading + decoding the same events, and an earlier commit.

``python -m bench.ab_rebuild [COMMIT] [ROUNDS]`` (default: ``BENCH_BASELINE`` or HEAD, 3
rounds) measures one store: ``BENCH_REBUILD_URL``, or a store of ``BENCH_SIZES`` events
(default 100,000) filled on a durable PostgreSQL. Each round runs, each in a fresh process
and one after the other: the ceiling (page through the recorder, 1,000 per query, and
decode every event: ``bench.bench_rebuild.read_and_decode``), ``rebuild all`` as this tree
runs it in one process, the same spread over processes (``Rebuild(open_events=…)``,
``projections.rebuild_split``), and COMMIT's ``rebuild all`` (a ``git archive`` of its
``src`` first on ``PYTHONPATH``). It prints each run (seconds, events/s, CPU seconds of the
process and its helpers) and the medians, each rebuild's as a ratio to the ceiling's.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench import bench_commands
from bench.common import new_database, postgres, settings_for

REPO = Path(__file__).resolve().parents[1]
MODES = ("decode", "rebuild", "split")


def one(url: str, mode: str) -> dict[str, float]:
    """One measured run in this process: read + decode, or a rebuild of every projection."""
    from application.ledger import Ledger
    from bench.bench_rebuild import read_and_decode
    from projections.rebuild import Rebuild
    from projections.service import ReadModels

    settings = settings_for(url)
    ledger = Ledger(settings)
    models = None if mode == "decode" else ReadModels(settings, ledger)
    began = time.perf_counter()
    cpu = time.process_time()
    if models is None:
        read_and_decode(ledger)
    elif mode == "split":
        from projections.rebuild_split import OpenLedger

        chosen = list(models.projections.values())
        Rebuild(models.db, models.events, chosen, open_events=OpenLedger(settings)).run()
    else:
        models.rebuild("all")
    seconds = time.perf_counter() - began
    helpers = resource.getrusage(resource.RUSAGE_CHILDREN)
    events = ledger.recorder.max_notification_id() or 0
    if models is not None:
        models.close()
    ledger.close()
    return {
        "seconds": seconds,
        "events": events,
        "cpu_s": time.process_time() - cpu + helpers.ru_utime + helpers.ru_stime,
    }


def run(url: str, mode: str, source: Path | None) -> dict[str, float]:
    env = dict(os.environ)
    if source is not None:
        env["PYTHONPATH"] = str(source)
    done = subprocess.run(
        [sys.executable, "-m", "bench.ab_rebuild", "--one", url, mode],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def main(argv: list[str]) -> None:
    commit = argv[0] if argv else os.environ.get("BENCH_BASELINE", "HEAD")
    rounds = int(argv[1]) if len(argv) > 1 else 3
    bench_commands.BASELINE = commit
    os.environ["BENCH_DURABLE"] = "1"
    size = int(os.environ.get("BENCH_SIZES", "100000").split(",")[0])
    names = (*MODES, commit)
    figures: dict[str, list[dict[str, float]]] = {name: [] for name in names}
    with postgres() as server, bench_commands.baseline_source() as source:
        if source is None:
            raise SystemExit(f"no git archive of {commit}")
        url = os.environ.get("BENCH_REBUILD_URL") or fill(new_database(server), size)
        for number in range(rounds):
            for name in names:
                found = run(url, "rebuild", source) if name == commit else run(url, name, None)
                figures[name].append(found)
                rate = found["events"] / found["seconds"]
                print(
                    f"round {number}: {name}: {found['seconds']:.2f} s, {rate:,.0f} events/s, "
                    f"CPU {found['cpu_s']:.2f} s",
                    flush=True,
                )
    rates = {
        name: statistics.median(r["events"] / r["seconds"] for r in rows)
        for name, rows in figures.items()
    }
    for name, rate in rates.items():
        cpu = statistics.median(r["cpu_s"] for r in figures[name])
        ratio = rate / rates["decode"]
        print(f"{name}: median {rate:,.0f} events/s, CPU {cpu:.2f} s, / read+decode {ratio:.2f}")


def fill(url: str, size: int) -> str:
    from application.ledger import Ledger
    from bench.generator import HistorySpec
    from bench.generator import fill as fill_history

    ledger = Ledger(settings_for(url))
    filled = fill_history(ledger, HistorySpec(int(size * 0.46), skus=1_000))
    ledger.close()
    print(f"filled {filled.events:,} events ({filled.movements:,} movements)", flush=True)
    return url


if __name__ == "__main__":
    if sys.argv[1:2] == ["--one"]:
        print(json.dumps(one(sys.argv[2], sys.argv[3])))
    else:
        main(sys.argv[1:])
