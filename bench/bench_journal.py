"""journal: the general-ledger journal of a month over HTTP on PostgreSQL (SPEC §15, issue 31).

A month of ``MOVEMENTS`` movements over 200 SKUs × 10 locations is written with the bench
generator (bench/generator.py: receipts, deliveries, quotes, transfers, consumption, waste,
adjustments), every SKU an item of one of five categories; an account map with location and
category rules is set through the API. Then ``stockledger serve`` answers:

- ``GET /api/journal?period=2025-01`` of the ended, open month (produced from the read
  models each time), and as beancount;
- the same month after ``POST /api/periods/2025-01/close``: the first request produces and
  freezes it, every later one answers the frozen text.

Targets (issue 31): the open month's journal < 2 s; a closed month's from its frozen copy
< 100 ms.

    python -m bench.bench_journal [--quick] [--movements N] [--requests N]
"""

from __future__ import annotations

import time

import httpx

from application.ledger import Ledger
from bench.bench_http import ok, served
from bench.common import Report, command_line, database, settings_for, timed
from bench.generator import HistorySpec, fill, location_names
from domain.item import ItemSpec
from domain.journal import ROLES

PERIOD = "2025-01"
CATEGORIES = ("dry", "dairy", "meat", "wine", "spirits")


def sizes(quick: bool) -> dict[str, int]:
    if quick:
        return {"movements": 20_000, "requests": 5}
    return {"movements": 1_000_000, "requests": 20}


def build(url: str, movements: int) -> int:
    """The month's history and the items' categories; the movements written."""
    ledger = Ledger(settings_for(url))
    try:
        spec = HistorySpec(movements, skus=200, locations=10, days=30)
        filled = fill(ledger, spec)
        for n in range(spec.skus):
            sku = f"{spec.prefix}-{n:06d}"
            category = CATEGORIES[n % len(CATEGORIES)]
            ledger.put_item(sku, ItemSpec(f"item {n}", "each", category=category), user="bench")
        return filled.movements
    finally:
        ledger.close()


def account_map() -> dict[str, object]:
    rules: list[dict[str, str]] = [
        {"role": role, "account": f"{n}000"} for n, role in enumerate(ROLES, start=1)
    ]
    rules += [
        {"role": "inventory", "account": f"1{n:03d}", "location": location}
        for n, location in enumerate(location_names(10), start=1)
    ]
    rules += [
        {"role": "cogs", "account": f"3{n:03d}", "category": category}
        for n, category in enumerate(CATEGORIES, start=1)
    ]
    return {"rules": rules}


def run(*, quick: bool, runs: int | None, **given: int) -> Report:
    size = {**sizes(quick), **given}
    report = Report("journal", quick, dict(size))
    with database() as url:
        began = time.perf_counter()
        moved = build(url, size["movements"])
        report.extra["build_seconds"] = time.perf_counter() - began
        with served(url) as (base, token):
            headers = {"Authorization": f"Bearer {token}"}
            with httpx.Client(base_url=base, headers=headers, timeout=600) as http:
                deadline = time.monotonic() + 3600
                while True:
                    status = http.get("/api/projections").json()
                    if all(int(p["lag"]) == 0 for p in status):
                        break
                    if time.monotonic() > deadline:
                        raise RuntimeError("the read models never caught up")
                    time.sleep(1)
                mapped = http.put("/api/accounts/map", json=account_map())
                if mapped.status_code != 200:
                    raise RuntimeError(mapped.text)
                n = size["requests"]
                query = {"period": PERIOD}
                beancount = {**query, "format": "beancount"}
                open_ms = timed(lambda _: ok(http.get("/api/journal", params=query)), n)
                open_bytes = len(ok(http.get("/api/journal", params=query)).content)
                bean_ms = timed(lambda _: ok(http.get("/api/journal", params=beancount)), n)
                closed = http.post(f"/api/periods/{PERIOD}/close")
                if closed.status_code not in (200, 201):
                    raise RuntimeError(closed.text)
                first_ms = timed(lambda _: ok(http.get("/api/journal", params=query)), 1)
                frozen_ms = timed(lambda _: ok(http.get("/api/journal", params=query)), n)
    label = f"{moved} movements, 200 SKUs × 10 locations"
    report.add_p99(
        f"GET /api/journal (open month, {label}; {open_bytes} bytes)", open_ms, under=2000
    )
    report.add_p99("GET /api/journal?format=beancount (open month)", bean_ms)
    report.add("GET /api/journal (closed: first, produced and frozen)", first_ms[0], "ms")
    report.add_p99("GET /api/journal (closed: the frozen copy)", frozen_ms, under=100)
    report.finish()
    return report


if __name__ == "__main__":
    command_line(run, "python -m bench.bench_journal", __doc__, sizes(quick=True))
