"""queries: read-model query latency at 1,000,000 movements over 10,000 positions.

The generator writes the history, ReadModels rebuilds the three projections, then each
query runs against random positions (and random times within the history) in this
process, timing each call. Reported: p99 (and median) per query kind.
"""

from __future__ import annotations

import cProfile
import os
import random
import time
from datetime import timedelta
from typing import Any

from application.ledger import Ledger
from bench import common
from bench.common import Report, database, median, percentile, settings_for, timed
from bench.generator import HistorySpec, fill, location_names

TARGETS_MS = {"balance": 5.0, "stock_at": 10.0, "movements_page": 10.0, "cogs_month": 200.0}


def profile_reports(models: Any, month: str) -> None:
    """BENCH_PROFILE=1: cProfile of the two reports, kept in bench/results/."""
    for name, call in (
        (
            "cogs",
            lambda: models.cogs.cogs(month, month, None, None, ("period", "location", "sku")),
        ),
        ("valuation", lambda: models.cogs.valuation(month, None, None)),
    ):
        profile = cProfile.Profile()
        for _ in range(5):
            profile.runcall(call)
        common.RESULTS.mkdir(parents=True, exist_ok=True)
        profile.dump_stats(common.RESULTS / f"profile-queries-{name}.pstats")


def run(*, quick: bool, runs: int | None) -> Report:
    movements, skus, locations = (2_000, 20, 2) if quick else (1_000_000, 1_000, 10)
    samples = runs or (20 if quick else 1_000)
    reports = 5 if quick else 30
    spec = HistorySpec(movements, skus=skus, locations=locations)
    report = Report("queries", quick, {"movements": movements, "positions": spec.positions})
    from projections.service import ReadModels

    with database() as url:
        settings = settings_for(url)
        ledger = Ledger(settings)
        filled = fill(ledger, spec)
        models = ReadModels(settings, ledger)
        began = time.perf_counter()
        for name in ("balances", "movements", "cogs"):
            models.rebuild(name)
        report.extra["fill"] = {"events": filled.events, "seconds": round(filled.seconds, 1)}
        report.extra["rebuild_seconds"] = round(time.perf_counter() - began, 1)
        rng = random.Random(5)
        names = [f"{spec.prefix}-{i:06d}" for i in range(skus)]
        places = location_names(locations)
        span = timedelta(days=spec.days)

        def position() -> tuple[str, str]:
            return rng.choice(names), rng.choice(places)

        def moment() -> Any:
            return spec.start + span * rng.random()

        month = (spec.start + span / 2).strftime("%Y-%m")
        if os.environ.get("BENCH_PROFILE"):
            profile_reports(models, month)
        figures = {
            "balance": timed(lambda _: models.stock.balance(*position()), samples),
            "stock_at": timed(lambda _: models.movements.stock_at(*position(), moment()), samples),
            "movements_page": timed(
                lambda _: models.movements.history(*position(), None, None, None, 50, None), samples
            ),
            "cogs_month": timed(
                lambda _: models.cogs.cogs(month, month, None, None, ("period", "location", "sku")),
                reports,
            ),
            "valuation_month": timed(lambda _: models.cogs.valuation(month, None, None), reports),
        }
        models.close()
        ledger.close()
    for name, values in figures.items():
        target = TARGETS_MS.get(name)
        p99 = percentile(values, 99)
        report.add(
            f"{name} p99",
            p99,
            "ms",
            target=f"< {target:g} ms" if target else "",
            met=p99 < target if target else None,
            note=f"median {median(values):.2f} ms over {len(values)} calls",
        )
    report.extra["latencies_ms"] = figures
    report.finish()
    return report
