"""console: web console page timings on a large store (default 1,000,000 movements).

The generator writes the history into PostgreSQL, ReadModels rebuilds the projections, then
the real app (``create_app``) answers each page in this process through ASGI (Starlette's
TestClient, signed in through the console's own form as an admin). Each page is asked for
``REQUESTS`` times per run over random positions; the median of each run's median is
reported with the p99 over all calls. Baseline, same run: the API endpoint that answers
the same query as JSON, so the ratio is the cost of the page (rendering, the extra look-ups
a page makes) over the bare query. ``BENCH_CONSOLE_MOVEMENTS`` sets the size;
``BENCH_CONSOLE_URL`` measures a store an earlier fill of that size left (no new fill).
"""

from __future__ import annotations

import os
import random
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from datetime import timedelta
from typing import Any

from application.ledger import Ledger
from application.settings import Settings
from bench.common import Report, median, new_database, percentile, postgres, settings_for
from bench.generator import HistorySpec, fill, location_names

TARGET_MS = 200.0
REQUESTS = 10
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def _timed(get: Callable[[str], Any], paths: Callable[[], str], count: int) -> list[float]:
    out = []
    for _ in range(count):
        path = paths()
        began = time.perf_counter()
        answer = get(path)
        out.append((time.perf_counter() - began) * 1000)
        assert answer.status_code == 200, (path, answer.status_code, answer.text[-500:])
    return out


@contextmanager
def _store(spec: HistorySpec, report: Report) -> Iterator[tuple[Settings, str]]:
    """A filled store (projections rebuilt) and an admin key: a new one, or, with
    ``BENCH_CONSOLE_URL``, the database a previous fill of the same size left there."""
    from projections.service import ReadModels

    reused = os.environ.get("BENCH_CONSOLE_URL")
    with nullcontext(None) if reused else postgres() as server:
        url = new_database(server) if server is not None else str(reused)
        settings = settings_for(url, run_projectors=False)
        ledger = Ledger(settings)
        if not reused:
            filled = fill(ledger, spec)
            models = ReadModels(settings, ledger)
            for name in models.projections:
                models.rebuild(name)
            models.close()
            report.extra["fill"] = {"events": filled.events, "seconds": round(filled.seconds, 1)}
        _, token = ledger.issue_key("bench", "admin", issued_by="bench")
        ledger.close()
        yield settings, token


def run(*, quick: bool, runs: int | None) -> Report:
    from fastapi.testclient import TestClient

    from api.main import create_app

    movements = int(os.environ.get("BENCH_CONSOLE_MOVEMENTS", 1_000_000))
    movements, skus, locations = (2_000, 20, 2) if quick else (movements, 1_000, 10)
    repeats = runs or 3
    count = 3 if quick else REQUESTS
    spec = HistorySpec(movements, skus=skus, locations=locations)
    report = Report("console", quick, {"movements": movements, "positions": spec.positions})
    with _store(spec, report) as (settings, token):
        rng = random.Random(7)
        names = [f"{spec.prefix}-{i:06d}" for i in range(skus)]
        places = location_names(locations)
        month = (spec.start + timedelta(days=spec.days) / 2).strftime("%Y-%m")
        day = (spec.start + timedelta(days=spec.days // 2)).date().isoformat()

        def pos() -> str:
            return f"{rng.choice(names)}/{rng.choice(places)}"

        def sku_at(location: str) -> str:
            return f"location={location}&sku={rng.choice(names)}"

        pages: dict[str, tuple[Callable[[], str], Callable[[], str] | None]] = {
            "stock": (lambda: "/stock", lambda: "/api/stock?limit=50"),
            "stock at a location": (
                lambda: f"/stock?location={rng.choice(places)}&q=SKU-0001",
                lambda: f"/api/stock?location={rng.choice(places)}&sku_prefix=SKU-0001&limit=50",
            ),
            "item": (lambda: f"/items/{pos()}", lambda: f"/api/stock/{pos()}/movements?limit=50"),
            "journal": (lambda: "/journal", None),
            "journal of a day": (lambda: f"/journal?day={day}&type=delivery", None),
            "cogs month": (
                lambda: f"/cogs?from={month}&to={month}",
                lambda: f"/api/reports/cogs?from={month}&to={month}&group_by=period,location",
            ),
            "cogs month by sku": (
                lambda: f"/cogs?from={month}&to={month}&location={rng.choice(places)}&by_sku=true",
                lambda: f"/api/reports/cogs?from={month}&to={month}&location={rng.choice(places)}",
            ),
            "cogs drill-down": (
                lambda: (
                    f"/cogs/movements?period={month}&{sku_at(rng.choice(places))}"
                    "&column=shipped_value"
                ),
                lambda: (
                    f"/api/stock/{pos()}/movements?from={month}-01T00:00:00%2B00:00"
                    "&kind=SHIP&limit=200"
                ),
            ),
            "valuation month": (
                lambda: f"/valuation?period={month}",
                lambda: f"/api/reports/valuation?period={month}",
            ),
            "projections": (lambda: "/projections", lambda: "/api/projections"),
            "periods": (lambda: "/periods", lambda: "/api/periods"),
        }
        with TestClient(create_app(settings)) as client:
            sign_in = client.get("/")
            client.post(
                "/sign-in",
                data={"csrf": CSRF.findall(sign_in.text)[0], "key": token},
                follow_redirects=False,
            )
            headers = {"Authorization": f"Bearer {token}"}

            def page(path: str) -> Any:
                return client.get(path, follow_redirects=False)

            def api(path: str) -> Any:
                return client.get(path, headers=headers)

            for name, (path, baseline) in pages.items():
                page_runs = [_timed(page, path, count) for _ in range(repeats)]
                api_runs = (
                    [_timed(api, baseline, count) for _ in range(repeats)] if baseline else []
                )
                value = median([median(r) for r in page_runs])
                everything = [ms for r in page_runs for ms in r]
                p99 = percentile(everything, 99)
                report.add(
                    f"{name} median",
                    value,
                    "ms",
                    baseline=median([median(r) for r in api_runs]) if api_runs else None,
                    target=f"< {TARGET_MS:g} ms (p99)",
                    met=p99 < TARGET_MS,
                    note=f"p99 {p99:.1f} ms over {len(everything)} requests",
                )
    report.finish()
    return report
