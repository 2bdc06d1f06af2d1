"""The Python clients of the ``http`` load before ``wrk``: 8 closed-loop httpx processes.

``bench.ab_serve`` and ``bench.probe_lag`` still load ``serve`` with them (the command mix of
``bench commands``: receipt, quote create, close, delivery against it, transfer). They take a
third of the two cores themselves, so ``bench http`` measures with ``wrk`` (bench/loadgen.py).
"""

from __future__ import annotations

import os
import time
import uuid
from typing import Any

import httpx

from bench.bench_commands import SKUS_PER_CLIENT
from bench.common import run_clients, throughput

CLIENTS = int(os.environ.get("BENCH_CLIENTS", "8"))


def cycle(http: httpx.Client, tag: str, sku: str, timed: list[float]) -> int:
    requests: list[tuple[str, dict[str, Any] | None]] = [
        (
            "/api/receipts",
            {
                "receipt_id": f"R{tag}",
                "location": "main",
                "lines": [{"sku": sku, "quantity": "10", "unit_cost": "2.50"}],
            },
        ),
        (
            "/api/quotes",
            {
                "quote_id": f"Q{tag}",
                "customer": "ACME",
                "location": "main",
                "lines": [{"sku": sku, "quantity": "2", "unit_price": "4.00"}],
            },
        ),
        (f"/api/quotes/Q{tag}/close", None),
        (
            "/api/deliveries",
            {
                "delivery_id": f"D{tag}",
                "location": "main",
                "quote_id": f"Q{tag}",
                "lines": [{"sku": sku, "quantity": "2"}],
            },
        ),
        (
            "/api/transfers",
            {
                "transfer_id": f"T{tag}",
                "from_location": "main",
                "to_location": "kitchen",
                "lines": [{"sku": sku, "quantity": "1"}],
            },
        ),
    ]
    for path, body in requests:
        began = time.perf_counter()
        response = http.post(path, json=body)
        timed.append((time.perf_counter() - began) * 1000)
        if response.status_code not in (200, 201):
            raise RuntimeError(f"{path}: {response.status_code} {response.text[:300]}")
    return len(requests)


def client(
    index: int, barrier: Any, base: str, token: str, tag: str, seconds: float, limit: int
) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=base, headers=headers, timeout=30) as http:
        cycle(http, f"{tag}-{index}-warm", f"H{index}-0", [])
        latencies: list[float] = []
        count = 0
        barrier.wait()
        start = time.perf_counter()
        n = 0
        while count < limit and time.perf_counter() < start + seconds:
            sku = f"H{index}-{n % SKUS_PER_CLIENT}"
            count += cycle(http, f"{tag}-{index}-{n}", sku, latencies)
            n += 1
        end = time.perf_counter()
    return {"count": count, "start": start, "end": end, "latencies": latencies}


def load(base: str, token: str, seconds: float, limit: int) -> tuple[float, list[float]]:
    tag = uuid.uuid4().hex[:8]
    return throughput(run_clients(client, CLIENTS, base, token, tag, seconds, limit))
