"""sales: POS sales per second through HTTP on PostgreSQL (SPEC §9).

``stockledger serve`` runs as a subprocess over its own PostgreSQL database. Each client
process is one outlet (its own location, so outlets do not contend on a position) and
posts small sales — one line of a menu item whose recipe has three ingredients, so three
CONSUME movements per sale. Baseline, measured in the same run on the same server: the
same three movements posted as a plain consumption (the client computing the quantities
itself, as a restaurant had to before recipes), so the ratio is the cost of the recipe.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

import httpx

from bench.bench_http import served
from bench.common import Report, database, median, percentile, run_clients, throughput

CLIENTS = 4
RECIPE = {
    "name": "Burger",
    "lines": [
        {"sku": "BUN", "quantity": "1"},
        {"sku": "BEEF", "quantity": "0.15"},
        {"sku": "CHEDDAR", "quantity": "0.02"},
    ],
}


def sale(tag: str, outlet: str) -> tuple[str, dict[str, Any]]:
    lines = [{"menu_item": "burger", "quantity": "1", "unit_price": "12.50"}]
    return "/api/sales", {"sale_id": f"S{tag}", "location": outlet, "lines": lines}


def consumption(tag: str, outlet: str) -> tuple[str, dict[str, Any]]:
    lines = [{"sku": line["sku"], "quantity": line["quantity"]} for line in RECIPE["lines"]]
    return "/api/consumptions", {"consumption_id": f"C{tag}", "location": outlet, "lines": lines}


KINDS = {"sale": sale, "consumption": consumption}


def client(
    index: int, barrier: Any, base: str, token: str, kind: str, seconds: float, limit: int
) -> dict[str, Any]:
    outlet = f"outlet-{index}"
    tag = f"{uuid.uuid4().hex[:8]}-{index}"
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=base, headers=headers, timeout=30) as http:
        stock = [
            {"sku": line["sku"], "quantity": "1000000", "unit_cost": "2.50"}
            for line in RECIPE["lines"]
        ]
        body = {"receipt_id": f"R{tag}", "location": outlet, "lines": stock}
        http.post("/api/receipts", json=body).raise_for_status()
        latencies: list[float] = []
        count = 0
        barrier.wait()
        start = time.perf_counter()
        while count < limit and time.perf_counter() < start + seconds:
            path, body = KINDS[kind](f"{tag}-{count}", outlet)
            began = time.perf_counter()
            response = http.post(path, json=body)
            latencies.append((time.perf_counter() - began) * 1000)
            if response.status_code != 201:
                raise RuntimeError(f"{path}: {response.status_code} {response.text[:300]}")
            count += 1
        end = time.perf_counter()
    return {"count": count, "start": start, "end": end, "latencies": latencies}


def run(*, quick: bool, runs: int | None) -> Report:
    seconds = 0.5 if quick else 10.0
    limit = 50 if quick else 50_000
    runs = runs or (1 if quick else 3)
    report = Report("sales", quick, {"clients": CLIENTS, "seconds": seconds, "runs": runs})
    rates: dict[str, list[float]] = {kind: [] for kind in KINDS}
    latencies: dict[str, list[float]] = {kind: [] for kind in KINDS}
    with database() as url, served(url) as (base, token):
        headers = {"Authorization": f"Bearer {token}"}
        # a recipe names SKUs the ledger knows (SPEC §17 unknown_sku): one setup receipt
        known = [
            {"sku": line["sku"], "quantity": "1", "unit_cost": "2.50"} for line in RECIPE["lines"]
        ]
        setup = {"receipt_id": "R-SETUP", "location": "setup", "lines": known}
        httpx.post(f"{base}/api/receipts", json=setup, headers=headers).raise_for_status()
        httpx.put(f"{base}/api/recipes/burger", json=RECIPE, headers=headers).raise_for_status()
        for _ in range(runs):
            for kind in KINDS:
                found = run_clients(client, CLIENTS, base, token, kind, seconds, limit)
                rate, timed = throughput(found)
                rates[kind].append(rate)
                latencies[kind].extend(timed)
    sales, baseline = median(rates["sale"]), median(rates["consumption"])
    report.add(
        f"{CLIENTS} outlets: POST /api/sales (1 line, 3 ingredients)",
        sales,
        "sales/s",
        baseline=baseline,
        note=f"median of {runs}; baseline = the same 3 CONSUMEs as a plain consumption",
    )
    report.add(
        "sale latency p99",
        percentile(latencies["sale"], 99),
        "ms",
        baseline=percentile(latencies["consumption"], 99),
        note=f"median {median(latencies['sale']):.1f} ms",
    )
    report.extra["rates"] = rates
    report.finish()
    return report
