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

import argparse
import sys
import time
from pathlib import Path

import httpx
from tests.pgserver import free_port

from application.ledger import Ledger
from bench.bench_http import cli_key, serving, stockledger_env
from bench.common import Report, median, new_database, percentile, postgres, settings_for
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


def timed(http: httpx.Client, params: dict[str, str], count: int) -> tuple[list[float], int]:
    out, size = [], 0
    for _ in range(count):
        began = time.perf_counter()
        answer = http.get("/api/journal", params=params)
        out.append((time.perf_counter() - began) * 1000)
        if answer.status_code != 200:
            raise RuntimeError(f"{answer.status_code} {answer.text[:300]}")
        size = len(answer.content)
    return out, size


def run(*, quick: bool, runs: int | None, **given: int) -> Report:
    size = {**sizes(quick), **given}
    report = Report("journal", quick, dict(size))
    with postgres() as server:
        url = new_database(server)
        began = time.perf_counter()
        moved = build(url, size["movements"])
        report.extra["build_seconds"] = time.perf_counter() - began
        env = stockledger_env(url)
        token = cli_key(env, "admin")
        serve = [str(Path(sys.executable).parent / "stockledger"), "serve"]
        port = free_port()
        with serving([*serve, "--port", str(port)], env, port) as base:
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
                open_ms, open_bytes = timed(http, query, n)
                bean_ms, _ = timed(http, {**query, "format": "beancount"}, n)
                closed = http.post(f"/api/periods/{PERIOD}/close")
                if closed.status_code not in (200, 201):
                    raise RuntimeError(closed.text)
                first_ms, _ = timed(http, query, 1)
                frozen_ms, _ = timed(http, query, n)
    label = f"{moved} movements, 200 SKUs × 10 locations"
    report.add(
        f"GET /api/journal (open month, {label}; {open_bytes} bytes)",
        percentile(open_ms, 99),
        "ms p99",
        target="< 2000",
        met=percentile(open_ms, 99) < 2000,
        note=f"median {median(open_ms):.1f} ms",
    )
    report.add(
        "GET /api/journal?format=beancount (open month)",
        percentile(bean_ms, 99),
        "ms p99",
        note=f"median {median(bean_ms):.1f} ms",
    )
    report.add("GET /api/journal (closed: first, produced and frozen)", first_ms[0], "ms")
    report.add(
        "GET /api/journal (closed: the frozen copy)",
        percentile(frozen_ms, 99),
        "ms p99",
        target="< 100",
        met=percentile(frozen_ms, 99) < 100,
        note=f"median {median(frozen_ms):.1f} ms",
    )
    report.finish()
    return report


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bench.bench_journal", description=__doc__)
    parser.add_argument("--quick", action="store_true")
    for name in ("movements", "requests"):
        parser.add_argument(f"--{name}", type=int, default=None)
    args = parser.parse_args()
    chosen = {k: v for k, v in vars(args).items() if k != "quick" and v is not None}
    run(quick=args.quick, runs=None, **chosen)
