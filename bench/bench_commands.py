"""commands: the mixed command load through application.ledger.Ledger at 1 / 4 / 16 clients.

Each client is its own process with its own Ledger (threads sharing one application are
slower, see EVENTSOURCING_NOTES). A cycle is five commands on the client's own SKUs:
receipt, quote create, quote close, delivery against the quote, transfer main → kitchen.
Baseline, same concurrency and duration: one raw INSERT per transaction on PostgreSQL.
"""

from __future__ import annotations

import time
import uuid
from decimal import Decimal
from typing import Any

import psycopg

from application.commands import (
    CloseQuote,
    CreateQuote,
    Line,
    PostDelivery,
    PostReceipt,
    PostTransfer,
    PricedLine,
    ReceiptLine,
)
from application.ledger import Ledger
from bench.common import (
    Report,
    median,
    new_database,
    percentile,
    postgres,
    run_clients,
    settings_for,
    throughput,
)

TARGET = 1_000.0
SKUS_PER_CLIENT = 20
RAW_TABLE = (
    "CREATE TABLE IF NOT EXISTS bench_raw "
    "(id bigserial PRIMARY KEY, client int, n int, payload jsonb)"
)


def one_cycle(ledger: Ledger, tag: str, sku: str, timed: list[float]) -> int:
    """Receipt, quote create + close, delivery against it, transfer: five commands."""
    steps = (
        lambda: ledger.execute(
            PostReceipt(f"R{tag}", "main", [ReceiptLine(sku, Decimal(10), Decimal("2.50"))]),
            user="bench",
        ),
        lambda: ledger.execute(
            CreateQuote(f"Q{tag}", "ACME", "main", [PricedLine(sku, Decimal(2), Decimal("4.00"))]),
            user="bench",
        ),
        lambda: ledger.execute(CloseQuote(f"Q{tag}"), user="bench"),
        lambda: ledger.execute(
            PostDelivery(f"D{tag}", "main", [Line(sku, Decimal(2))], quote_id=f"Q{tag}"),
            user="bench",
        ),
        lambda: ledger.execute(
            PostTransfer(f"T{tag}", "main", "kitchen", [Line(sku, Decimal(1))]), user="bench"
        ),
    )
    for step in steps:
        began = time.perf_counter()
        step()
        timed.append((time.perf_counter() - began) * 1000)
    return len(steps)


def ledger_client(
    client: int, barrier: Any, url: str, run: str, seconds: float, limit: int
) -> dict[str, Any]:
    ledger = Ledger(settings_for(url, create_schema=False))
    warm: list[float] = []
    one_cycle(ledger, f"{run}-{client}-warm", f"C{client}-0", warm)
    latencies: list[float] = []
    count = 0
    barrier.wait()
    start = time.perf_counter()
    deadline = start + seconds
    cycle = 0
    while count < limit and time.perf_counter() < deadline:
        sku = f"C{client}-{cycle % SKUS_PER_CLIENT}"
        count += one_cycle(ledger, f"{run}-{client}-{cycle}", sku, latencies)
        cycle += 1
    end = time.perf_counter()
    ledger.close()
    return {"count": count, "start": start, "end": end, "latencies": latencies}


def raw_client(
    client: int, barrier: Any, url: str, run: str, seconds: float, limit: int
) -> dict[str, Any]:
    latencies: list[float] = []
    count = 0
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SELECT 1")
        barrier.wait()
        start = time.perf_counter()
        deadline = start + seconds
        while count < limit and time.perf_counter() < deadline:
            began = time.perf_counter()
            conn.execute(
                "INSERT INTO bench_raw (client, n, payload) VALUES (%s, %s, %s)",
                (client, count, f'{{"run": "{run}", "sku": "C{client}", "quantity": "2"}}'),
            )
            latencies.append((time.perf_counter() - began) * 1000)
            count += 1
        end = time.perf_counter()
    return {"count": count, "start": start, "end": end, "latencies": latencies}


def run(*, quick: bool, runs: int | None) -> Report:
    levels = (1, 4) if quick else (1, 4, 16)
    seconds = 0.5 if quick else 10.0
    limit = 200 if quick else 100_000
    runs = runs or (1 if quick else 3)
    report = Report("commands", quick, {"clients": levels, "seconds": seconds, "runs": runs})
    with postgres() as server:
        url = new_database(server)
        Ledger(settings_for(url)).close()  # schema once; clients start with CREATE_TABLE=n
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(RAW_TABLE)
        for clients in levels:
            app_rates: list[float] = []
            raw_rates: list[float] = []
            app_lat: list[float] = []
            for _ in range(runs):
                tag = uuid.uuid4().hex[:8]
                rate, lat = throughput(
                    run_clients(ledger_client, clients, url, tag, seconds, limit)
                )
                app_rates.append(rate)
                app_lat.extend(lat)
                raw, _ = throughput(run_clients(raw_client, clients, url, tag, seconds, limit))
                raw_rates.append(raw)
            app, raw = median(app_rates), median(raw_rates)
            met = app >= TARGET if clients >= 4 else None
            report.add(
                f"{clients} client(s): Ledger commands",
                app,
                "commands/s",
                baseline=raw,
                target="≥ 1,000/s" if clients >= 4 else "",
                met=met,
                note=f"p50 {median(app_lat):.1f} ms, p99 {percentile(app_lat, 99):.1f} ms",
            )
            report.extra[f"clients_{clients}"] = {"ledger": app_rates, "raw_insert": raw_rates}
    report.finish()
    return report
