"""lag: projection lag while commands are posted at a steady 300/s.

Projectors run in this process (``ReadModels.start()``, as inside the server). Poster
processes post the command mix at a paced, bounded rate and record when each command
returned and its position. A watcher thread reads the projections' positions every 5 ms;
a command's lag is the time from its return until every projection has read its position.
"""

from __future__ import annotations

import bisect
import threading
import time
import uuid
from typing import Any

from application.ledger import Ledger
from bench.bench_commands import SKUS_PER_CLIENT
from bench.common import Report, database, median, percentile, run_clients, settings_for

RATE = 300.0
POSTERS = 4
TARGET_S = 1.0


def poster(
    client: int, barrier: Any, url: str, tag: str, rate: float, seconds: float
) -> dict[str, Any]:
    from decimal import Decimal

    from application.commands import Line, PostReceipt, PostTransfer, ReceiptLine

    ledger = Ledger(settings_for(url, create_schema=False))
    ledger.head()
    posted: list[tuple[int, float]] = []
    barrier.wait()
    start = time.perf_counter()
    interval = 1 / rate
    n = 0
    while n < rate * seconds:
        due = start + n * interval
        now = time.perf_counter()
        if now < due:
            time.sleep(due - now)
        sku = f"L{client}-{(n // 2) % SKUS_PER_CLIENT}"
        if n % 2 == 0:
            line = ReceiptLine(sku, Decimal(3), Decimal("1.25"))
            result = ledger.execute(PostReceipt(f"R{tag}-{client}-{n}", "main", [line]), user="b")
        else:
            result = ledger.execute(
                PostTransfer(f"T{tag}-{client}-{n}", "main", "bar", [Line(sku, Decimal(1))]),
                user="b",
            )
        posted.append((result.position, time.perf_counter()))
        n += 1
    end = time.perf_counter()
    ledger.close()
    return {"posted": posted, "start": start, "end": end, "count": n}


def run(*, quick: bool, runs: int | None) -> Report:
    from projections.service import ReadModels

    seconds = 2.0 if quick else 60.0
    report = Report("lag", quick, {"rate": RATE, "seconds": seconds, "posters": POSTERS})
    with database() as url:
        settings = settings_for(url)
        ledger = Ledger(settings)
        models = ReadModels(settings, ledger)
        models.start()
        seen: list[tuple[float, int]] = []
        stop = threading.Event()

        def watch() -> None:
            while not stop.is_set():
                positions = models.positions()
                seen.append((time.perf_counter(), min(positions.values(), default=0)))
                stop.wait(0.005)

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        try:
            results = run_clients(
                poster, POSTERS, url, uuid.uuid4().hex[:6], RATE / POSTERS, seconds
            )
            last = max(p for r in results for p, _ in r["posted"])
            models.wait_for(last, timeout=30)
            time.sleep(0.05)
        finally:
            stop.set()
            watcher.join(timeout=5)
            models.stop()
            models.close()
            ledger.close()
    times = [t for t, _ in seen]
    reached = [p for _, p in seen]
    lags: list[float] = []
    for result in results:
        for position, done in result["posted"]:
            index = bisect.bisect_left(times, done)
            while index < len(seen) and reached[index] < position:
                index += 1
            if index < len(seen):
                lags.append(max(times[index] - done, 0.0) * 1000)
    count = sum(r["count"] for r in results)
    wall = max(r["end"] for r in results) - min(r["start"] for r in results)
    p99 = percentile(lags, 99)
    report.add(
        "projection lag p99",
        p99,
        "ms",
        target="< 1,000 ms",
        met=p99 < TARGET_S * 1000,
        note=f"median {median(lags):.1f} ms; {count / wall:.0f} commands/s achieved",
    )
    report.extra["lags_ms"] = lags
    report.extra["achieved_rate"] = count / wall
    report.finish()
    return report
