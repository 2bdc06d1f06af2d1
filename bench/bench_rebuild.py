"""rebuild: full rebuild of every projection vs reading and decoding the same events.

For each store size the generator writes a history, then a fresh process rebuilds every
read model (``rebuild("all")``) through ``projections.service.ReadModels``, reporting its
time and peak RSS. Baseline, same store, fresh process: page through the recorder (1,000
per query) and decode every event with the application's mapper, no projection work. The
rate is stored events / wall time for every projection. ``BENCH_REBUILD_URL`` measures a
store an earlier fill left (no fill, no catch-up, which would drop its read models).
"""

from __future__ import annotations

import os
import time
from typing import Any

from application.ledger import Ledger
from bench.common import (
    Report,
    median,
    new_database,
    peak_rss_mb,
    postgres,
    run_clients,
    settings_for,
)
from bench.generator import HistorySpec, fill

TARGET_RATE = 50_000.0
TARGET_RSS_MB = 500.0
PAGE = 1_000


def read_and_decode(ledger: Ledger) -> int:
    count = 0
    start = 1
    while True:
        page = ledger.recorder.select_notifications(start, PAGE)
        if not page:
            return count
        for notification in page:
            ledger.mapper.to_domain_event(notification)
        count += len(page)
        start = page[-1].id + 1


def rebuild_all(settings: Any, ledger: Ledger) -> None:
    from projections.service import ReadModels  # the read side, imported only when used

    models = ReadModels(settings, ledger)
    try:
        models.rebuild("all")  # every projection in one read of the ledger
    finally:
        models.close()


def catch_up_from_zero(settings: Any, ledger: Ledger) -> float:
    """Drops every read model, then times the live runners (threads, batches of 1,000)
    catching up from position 0 to the head; returns when the timing began."""
    import psycopg

    from projections.service import ReadModels

    with psycopg.connect(settings.database_url, autocommit=True) as conn:
        tables = conn.execute("SELECT tablename FROM pg_tables WHERE tablename LIKE 'rm_%'")
        for (table,) in tables.fetchall():
            conn.execute(f"DROP TABLE {table}")
    models = ReadModels(settings, ledger)
    head = ledger.recorder.max_notification_id() or 0
    began = time.perf_counter()
    models.start()
    try:
        while min(models.positions().values()) < head:
            time.sleep(0.05)  # polling the positions, bounded by the catch-up itself
    finally:
        models.stop()
        models.close()
    return began


def worker(client: int, barrier: Any, url: str, mode: str) -> dict[str, Any]:
    settings = settings_for(url)
    ledger = Ledger(settings)
    ledger.head()
    barrier.wait()
    rss_before = peak_rss_mb()
    began = time.perf_counter()
    if mode == "decode":
        read_and_decode(ledger)
    elif mode == "catchup":
        began = catch_up_from_zero(settings, ledger)
    else:
        rebuild_all(settings, ledger)
    seconds = time.perf_counter() - began
    events = ledger.recorder.max_notification_id() or 0
    ledger.close()
    return {"seconds": seconds, "events": events, "rss_mb": peak_rss_mb(), "rss_start": rss_before}


def run(*, quick: bool, runs: int | None) -> Report:
    sizes = (1_000, 4_000) if quick else (100_000, 1_000_000)
    if os.environ.get("BENCH_SIZES"):  # e.g. BENCH_SIZES=100000 to re-run one size
        sizes = tuple(int(size) for size in os.environ["BENCH_SIZES"].split(","))
    skus = 20 if quick else 1_000  # same positions at every size: only the event count grows
    runs = runs or (1 if quick else 3)
    report = Report("rebuild", quick, {"events": sizes, "runs": runs})
    reused = os.environ.get("BENCH_REBUILD_URL")
    if reused:  # a store an earlier fill left (e.g. the console bench's): no fill, no catch-up
        measure(report, reused, runs, catch_up=False)
        report.finish()
        return report
    with postgres() as server:
        for size in sizes:
            url = new_database(server)
            ledger = Ledger(settings_for(url))
            # About 0.46 movements per stored event in the generator's mix.
            filled = fill(ledger, HistorySpec(int(size * 0.46), skus=skus))
            ledger.close()
            report.extra[f"fill_{size}"] = {
                "events": filled.events,
                "movements": filled.movements,
                "seconds": round(filled.seconds, 1),
            }
            measure(report, url, runs, catch_up=True)
    report.finish()
    return report


def measure(report: Report, url: str, runs: int, *, catch_up: bool) -> None:
    """Read + decode, catch-up (dropping the read models) and rebuild of one store, each
    ``runs`` times in a fresh process."""
    decoded = [run_clients(worker, 1, url, "decode")[0] for _ in range(runs)]
    caught = [run_clients(worker, 1, url, "catchup")[0] for _ in range(runs)] if catch_up else []
    built = [run_clients(worker, 1, url, "rebuild")[0] for _ in range(runs)]
    events = built[0]["events"]
    rate = median([events / r["seconds"] for r in built])
    base = median([events / r["seconds"] for r in decoded])
    report.add(
        f"{events:,} events: rebuild of every projection",
        rate,
        "events/s",
        baseline=base,
        target="≥ 50,000/s",
        met=rate >= TARGET_RATE,
        note=f"median of {runs}; baseline = read + decode",
    )
    if caught:
        report.add(
            f"{events:,} events: catch-up of every projection from 0",
            median([events / r["seconds"] for r in caught]),
            "events/s",
            baseline=base,
            note=f"median of {runs}; live runners, 1,000 per transaction, in parallel",
        )
    rss = max(r["rss_mb"] for r in built)
    report.add(
        f"{events:,} events: peak RSS of the rebuild process",
        rss,
        "MB",
        baseline=max(r["rss_mb"] for r in decoded),
        target="< 500 MB",
        met=rss < TARGET_RSS_MB,
        note="baseline = read + decode process",
    )
    report.extra[f"runs_{events}"] = {"rebuild": built, "decode": decoded, "catchup": caught}
