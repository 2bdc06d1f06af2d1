"""Racing for the last units on PostgreSQL (SPEC §3): never oversold, never lost.

Every worker has its own Ledger, hence its own connection pool, so the writers really
contend in the database rather than queueing on one client.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest

from application.commands import CloseQuote, CreateQuote, PostDelivery
from application.ledger import Ledger
from application.settings import Settings
from domain.errors import InsufficientStockError
from domain.movements import Kind
from tests.application.helpers import USER, D, line, movements, quote_line, receive, state

pytestmark = pytest.mark.postgres

WORKERS = 10
STOCK = 4


def race(settings: Settings, work: Callable[[Ledger, int], str]) -> list[str]:
    """Runs ``work(ledger, n)`` in WORKERS threads released together; returns outcomes."""
    ledgers = [Ledger(settings) for _ in range(WORKERS)]
    start = threading.Barrier(WORKERS)

    def worker(n: int) -> str:
        start.wait(timeout=30)
        try:
            return work(ledgers[n], n)
        except InsufficientStockError:
            return "short"

    try:
        with ThreadPoolExecutor(WORKERS) as pool:
            return list(pool.map(worker, range(WORKERS)))
    finally:
        for app in ledgers:
            app.close()


def test_racing_quote_closes_and_deliveries_never_oversell_the_last_units(
    pg_settings: Settings,
) -> None:
    with Ledger(pg_settings) as setup:
        receive(setup, "r-1", "A", str(STOCK), "2.50")
        for n in range(WORKERS):
            setup.execute(
                CreateQuote(f"q-{n}", f"customer-{n}", "main", [quote_line("A", "1")]), user=USER
            )

    def close_then_ship(ledger: Ledger, n: int) -> str:
        ledger.execute(CloseQuote(f"q-{n}"), user=USER)
        ledger.execute(
            PostDelivery(f"d-{n}", "main", [line("A", "1")], quote_id=f"q-{n}"), user=USER
        )
        return "shipped"

    outcomes = race(pg_settings, close_then_ship)

    assert outcomes.count("shipped") == STOCK
    assert outcomes.count("short") == WORKERS - STOCK
    with Ledger(pg_settings) as check:
        assert state(check, "A") == (D(0), D(0), D(0))
        recorded = movements(check, "A")
        assert sum(1 for m in recorded if m.kind == Kind.RESERVE) == STOCK
        shipped = [m for m in recorded if m.kind == Kind.SHIP]
        assert sum((m.quantity for m in shipped), D(0)) == STOCK
        assert sum((m.value for m in shipped), D(0)) == D("-10.00")
        assert all(m.on_hand_after >= 0 and m.reserved_after >= 0 for m in recorded)
        statuses = [check.get_quote(f"q-{n}").status for n in range(WORKERS)]
        assert statuses.count("delivered") == STOCK
        assert statuses.count("draft") == WORKERS - STOCK


def test_direct_deliveries_and_quote_closes_racing_share_the_stock_exactly(
    pg_settings: Settings,
) -> None:
    with Ledger(pg_settings) as setup:
        receive(setup, "r-1", "A", "5", "1")
        receive(setup, "r-2", "A", "2", "4")  # 7 units worth 13.00
        for n in range(WORKERS):
            setup.execute(CreateQuote(f"q-{n}", "ACME", "main", [quote_line("A", "1")]), user=USER)

    def one_unit(ledger: Ledger, n: int) -> str:
        if n % 2:
            ledger.execute(PostDelivery(f"direct-{n}", "main", [line("A", "1")]), user=USER)
        else:
            ledger.execute(CloseQuote(f"q-{n}"), user=USER)
            ledger.execute(
                PostDelivery(f"d-{n}", "main", [line("A", "1")], quote_id=f"q-{n}"), user=USER
            )
        return "shipped"

    outcomes = race(pg_settings, one_unit)

    assert outcomes.count("shipped") == 7
    with Ledger(pg_settings) as check:
        recorded = movements(check, "A")
        received = sum((m.quantity for m in recorded if m.kind == Kind.RECEIVE), D(0))
        shipped = sum((m.quantity for m in recorded if m.kind == Kind.SHIP), D(0))
        assert (received, shipped) == (7, 7)
        assert state(check, "A") == (received - shipped, D(0), D(0))
        assert sum((m.value for m in recorded), D(0)) == 0
        assert all(m.on_hand_after >= m.reserved_after >= 0 for m in recorded)
