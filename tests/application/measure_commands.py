"""Commands/s of a simple single-process command loop, on SQLite and on PostgreSQL.

Not a test (no ``test_`` prefix) and nothing is asserted: it prints figures for the
issue's closing note. Run from the repository root:

    .venv/bin/python -m tests.application.measure_commands [--commands 1000]

It posts N one-line receipts and then N one-line consumptions of one position, each as
its own command, and reports commands/s for each phase. PostgreSQL is the throwaway server
from tests/pgserver.py (fsync off), so its figures are an upper bound for a real disk.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from application.commands import Line, PostConsumption, PostReceipt, ReceiptLine
from application.ledger import Ledger
from application.settings import Settings
from tests.pgserver import PostgresServer


def loop(settings: Settings, commands: int) -> tuple[float, float]:
    with Ledger(settings) as ledger:
        started = time.perf_counter()
        for n in range(commands):
            line = ReceiptLine("SKU-1", Decimal(1), Decimal("3.333333"))
            ledger.execute(PostReceipt(f"r-{n}", "main", [line]), user="bench")
        receipts = commands / (time.perf_counter() - started)
        started = time.perf_counter()
        for n in range(commands):
            ledger.execute(
                PostConsumption(f"c-{n}", "main", [Line("SKU-1", Decimal(1))]), user="bench"
            )
        consumptions = commands / (time.perf_counter() - started)
    return receipts, consumptions


def report(backend: str, figures: tuple[float, float]) -> None:
    receipts, consumptions = figures
    print(f"{backend:<10} receipts {receipts:8.0f}/s   consumptions {consumptions:8.0f}/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commands", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        report("sqlite", loop(Settings(database_url=None, data_dir=Path(tmp)), args.commands))
    with PostgresServer() as server:
        server.create_database("measure")
        url = server.url("measure")
        report("postgres", loop(Settings(database_url=url, data_dir=Path(".")), args.commands))


if __name__ == "__main__":
    main()
