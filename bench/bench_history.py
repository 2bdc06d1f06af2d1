"""history: command latency on a position with 100,000 earlier events vs a fresh one.

The deep position is filled by the generator (real events, snapshots every 500 as the
application takes them) and left about half-way between two snapshots, the average case.
Every timed command runs on a new Ledger (empty aggregate cache, pool already connected),
in a separate process, so the cost of loading the aggregate — latest snapshot plus the
events after it — is inside the measured latency. Baseline: the same receipt on a position
with a single earlier receipt, timed the same way and interleaved with the deep samples.
"""

from __future__ import annotations

import time
from decimal import Decimal
from typing import Any

from application.commands import PostReceipt, ReceiptLine
from application.ledger import Ledger
from bench.common import Report, database, median, percentile, run_clients, settings_for
from bench.generator import fill_position

TARGET_RATIO = 1.5
DEEP, FRESH, LOCATION = "DEEP-1", "FRESH-1", "main"
# Positions just after and just before a snapshot: the replay cost is the tail of events
# after the latest snapshot, whatever the depth, so these bound the deep position's cost.
TAIL_MIN, TAIL_MAX = "TAIL-MIN", "TAIL-MAX"


def timed_receipt(ledger: Ledger, sku: str, doc_id: str) -> float:
    began = time.perf_counter()
    ledger.execute(
        PostReceipt(doc_id, LOCATION, [ReceiptLine(sku, Decimal(1), Decimal("3.00"))]), user="bench"
    )
    return (time.perf_counter() - began) * 1000


def sampler(client: int, barrier: Any, url: str, samples: int) -> dict[str, Any]:
    barrier.wait()
    skus = (DEEP, FRESH, TAIL_MIN, TAIL_MAX)
    cold: dict[str, list[float]] = {sku: [] for sku in skus}
    warm: dict[str, list[float]] = {sku: [] for sku in skus}
    settings = settings_for(url, create_schema=False)
    for index in range(samples):
        for sku in skus:
            ledger = Ledger(settings)
            ledger.head()  # connect the pool outside the timed command
            cold[sku].append(timed_receipt(ledger, sku, f"cold-{sku}-{index}"))
            warm[sku].append(timed_receipt(ledger, sku, f"warm-{sku}-{index}"))
            ledger.close()
    return {"cold": cold, "warm": warm}


def run(*, quick: bool, runs: int | None) -> Report:
    depth = 500 if quick else 100_000
    samples = runs or (3 if quick else 40)
    (interval,) = Ledger.snapshotting_intervals.values()
    # Created is version 1; leave the position half-way to its next snapshot.
    earlier = depth + interval // 2 - 1
    report = Report("history", quick, {"earlier_events": earlier, "samples": samples})
    with database() as url:
        ledger = Ledger(settings_for(url))
        filled = fill_position(ledger, DEEP, LOCATION, earlier)
        timed_receipt(ledger, FRESH, "fresh-first")
        # Versions: Created is 1; the sampler adds 2 events per sample to each position.
        fill_position(ledger, TAIL_MIN, LOCATION, interval)
        fill_position(ledger, TAIL_MAX, LOCATION, 2 * interval - 1 - 2 * samples)
        ledger.close()
        report.extra["fill"] = {"events": filled.events, "seconds": round(filled.seconds, 1)}
        (result,) = run_clients(sampler, 1, url, samples)
    for mode in ("cold", "warm"):
        deep, fresh = result[mode][DEEP], result[mode][FRESH]
        ratio_ok = median(deep) / median(fresh) <= TARGET_RATIO
        report.add(
            f"{mode} Ledger: receipt on {earlier:,}-event position",
            median(deep),
            "ms",
            baseline=median(fresh),
            target="ratio ≤ 1.5" if mode == "cold" else "",
            met=ratio_ok if mode == "cold" else None,
            note=f"p99 {percentile(deep, 99):.1f} vs {percentile(fresh, 99):.1f} ms",
        )
        report.extra[mode] = result[mode]
    cold = result["cold"]
    for sku, label in ((TAIL_MIN, "just after"), (TAIL_MAX, "just before")):
        report.add(
            f"cold Ledger: receipt {label} a snapshot",
            median(cold[sku]),
            "ms",
            baseline=median(cold[FRESH]),
            note="bounds of the replay cost (events after the latest snapshot)",
        )
    report.finish()
    return report
