"""generator: how fast the history generator fills a store (events/s), and what it wrote."""

from __future__ import annotations

from application.ledger import Ledger
from bench.common import Report, median, new_database, postgres, settings_for
from bench.generator import HistorySpec, fill


def run(*, quick: bool, runs: int | None) -> Report:
    movements = 2_000 if quick else 100_000
    runs = runs or (1 if quick else 3)
    report = Report("generator", quick, {"movements": movements, "runs": runs})
    rates: list[float] = []
    with postgres() as server:
        for run_index in range(runs):
            settings = settings_for(new_database(server))
            ledger = Ledger(settings)
            spec = HistorySpec(movements, skus=max(10, movements // 100), seed=run_index)
            filled = fill(ledger, spec)
            ledger.close()
            rates.append(filled.events_per_s)
            report.extra.setdefault("fills", []).append(
                {
                    "events": filled.events,
                    "movements": filled.movements,
                    "documents": filled.documents,
                    "seconds": round(filled.seconds, 2),
                    "kinds": filled.kinds,
                }
            )
    report.add("events written", median(rates), "events/s", note=f"median of {runs}")
    report.finish()
    return report
