"""document_size: seconds to post one receipt of N lines on PostgreSQL, through the Ledger.

For each N a fresh database takes a receipt of N new SKUs (each line creates a position:
the worst case), then a second receipt of the same N SKUs (positions exist and are cached).
It runs on the suite's throwaway server (fsync off) and on a durable one (fsync,
synchronous_commit and full_page_writes on), and names the largest N under 2 s.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import tests.pgserver as pgserver
from tests.pgserver import PostgresServer

from application.commands import PostReceipt, ReceiptLine
from application.ledger import Ledger
from bench.common import Report, median, new_database, postgres, settings_for

TARGET_SECONDS = 2.0
SIZES = (250, 500, 1000, 1500, 2000)
QUICK_SIZES = (10, 20)
DURABLE = {"fsync": "on", "synchronous_commit": "on", "full_page_writes": "on"}


class DurableServer(PostgresServer):
    """The test server with PostgreSQL's durable defaults back on."""

    def _create_and_start(self) -> None:
        saved = dict(pgserver.TEST_SETTINGS)
        pgserver.TEST_SETTINGS.update(DURABLE)
        try:
            super()._create_and_start()
        finally:
            pgserver.TEST_SETTINGS.clear()
            pgserver.TEST_SETTINGS.update(saved)


@contextmanager
def durable() -> Iterator[PostgresServer]:
    with DurableServer() as server:
        yield server


def post_seconds(server: PostgresServer, lines: int, runs: int) -> tuple[float, float]:
    """Median seconds of (a receipt of ``lines`` new SKUs, the same SKUs again)."""
    first: list[float] = []
    again: list[float] = []
    for _ in range(runs):
        settings = settings_for(new_database(server, "docsize"), write_timeout=120)
        body = [ReceiptLine(f"SKU-{i:05d}", Decimal(2), Decimal("1.25")) for i in range(lines)]
        with Ledger(settings) as ledger:
            for doc_id, timings in (("R-1", first), ("R-2", again)):
                started = time.perf_counter()
                ledger.execute(PostReceipt(doc_id, "main", body), user="bench")
                timings.append(time.perf_counter() - started)
    return median(first), median(again)


def run(*, quick: bool = False, runs: int | None = None) -> Report:
    sizes = QUICK_SIZES if quick else SIZES
    runs = runs or 1
    report = Report("document_size", quick, params={"sizes": sizes, "runs": runs})
    servers: list[tuple[str, Any]] = [("throwaway", postgres)]
    if not quick:
        servers.append(("durable", durable))
    for label, start in servers:
        largest = 0
        with start() as server:
            for lines in sizes:
                new, existing = post_seconds(server, lines, runs)
                ok = new < TARGET_SECONDS
                largest = lines if ok else largest
                report.add(f"{label}: {lines} lines, new SKUs", new, "s", met=ok, target="< 2 s")
                report.add(f"{label}: {lines} lines, same SKUs again", existing, "s")
        report.extra[f"{label}_largest_lines_under_2s"] = largest
    report.finish()
    return report
