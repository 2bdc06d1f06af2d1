"""Issue 35.3: one canonical form per kind of number in every answer. After a history with
fractional and whole quantities, pack units, a period close and a recipe sale, every GET
answer is walked: each money figure has the currency's places, each quantity is the
shortest plain decimal ("6", "0.5": no trailing zeros, no exponent, never "-0")."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from application.commands import (
    Line,
    PostConsumption,
    PostDelivery,
    PostReceipt,
    PostWaste,
    ReceiptLine,
)
from application.ledger import Ledger
from application.periods import ClosePeriod
from application.settings import Settings
from cli.demo import Demo, DemoClock, start_of
from present.money import MONEY_KEYS, is_quantity
from tests.api.conftest import Api, _api
from tests.api.test_gl_journal import MAP

CANONICAL_QUANTITY = re.compile(r"^-?(0|[1-9][0-9]*)(\.[0-9]*[1-9])?$")
MONEY = re.compile(r"^-?(0|[1-9][0-9]*)\.[0-9]{2}$")

GETS = [
    "/api/stock",
    "/api/stock/FLOUR",
    "/api/stock/FLOUR/main",
    "/api/stock/FLOUR/main/at?time=2025-03-01T00:00:00Z",
    "/api/stock/FLOUR/main/movements",
    "/api/stock/OIL/main/movements",
    "/api/reports/cogs?from=2025-01&to=2025-02",
    "/api/reports/cogs?from=2025-01&to=2025-02&group_by=sku",
    "/api/reports/valuation?period=2025-01",
    "/api/reports/valuation?period=2025-02",
    "/api/periods",
    "/api/periods/2025-01",
    "/api/reports/low-stock",
    "/api/events?after=0&limit=500",
]


def _history(settings: Settings) -> None:
    moments = iter(
        datetime(2025, month, day, 12, tzinfo=UTC)
        for month, day in [(1, 10), (1, 11), (1, 12), (1, 13), (2, 3), (2, 4), (3, 2), (3, 3)]
    )
    with closing(Ledger(settings, clock=lambda: next(moments))) as ledger:
        run = ledger.execute
        run(
            PostReceipt(
                "R-1",
                "main",
                [
                    ReceiptLine("FLOUR", Decimal("6.000"), Decimal("1.20")),
                    ReceiptLine("OIL", Decimal("2.500"), Decimal("4")),
                ],
            ),
            user="h",
        )
        run(PostDelivery("D-1", "main", [Line("FLOUR", Decimal("1.500"))]), user="h")
        run(PostConsumption("C-1", "main", [Line("OIL", Decimal("0.500"))]), user="h")
        run(PostWaste("W-1", "main", [Line("FLOUR", Decimal("0.5"))], "spilt"), user="h")
        run(PostReceipt("R-2", "main", [ReceiptLine("FLOUR", Decimal(72), Decimal(1))]), user="h")
        run(PostConsumption("C-2", "main", [Line("FLOUR", Decimal("2"))]), user="h")
        ledger.close_period(ClosePeriod("2025-01"), user="h")


@pytest.fixture
def history(tmp_path: Path) -> Iterator[Api]:
    settings = Settings(database_url=None, data_dir=tmp_path / "var")
    _history(settings)
    yield from _api(settings)


def _numbers(node: Any, key: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(node, dict):
        for name, value in node.items():
            yield from _numbers(value, name)
    elif isinstance(node, list):
        for item in node:
            yield from _numbers(item, key)
    elif isinstance(node, str) and re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", node):
        yield key, node


def test_every_money_figure_has_the_currency_places_and_every_quantity_is_canonical(
    history: Api,
) -> None:
    head = history.head
    money = quantities = 0
    for path in GETS:
        join = "&" if "?" in path else "?"
        wait = "" if path.startswith("/api/events") else f"{join}min_position={head}"
        answer = history.get(f"{path}{wait}")
        assert answer.status_code == 200, (path, answer.text)
        for key, text in _numbers(answer.json()):
            if key in MONEY_KEYS:
                money += 1
                assert MONEY.fullmatch(text), (path, key, text)
            elif is_quantity(key):
                quantities += 1
                assert CANONICAL_QUANTITY.fullmatch(text), (path, key, text)
    assert money > 50 and quantities > 50


def test_a_csv_report_writes_quantities_canonically_and_money_at_places(history: Api) -> None:
    path = f"/api/reports/valuation?period=2025-01&min_position={history.head}"
    for key, text in _csv_cells(history, path, strict=True):
        if key in MONEY_KEYS:
            assert MONEY.fullmatch(text), (key, text)
        elif is_quantity(key):
            assert CANONICAL_QUANTITY.fullmatch(text), (key, text)


def _csv_cells(api: Api, path: str, *, strict: bool) -> Iterator[tuple[str, str]]:
    """(column, cell) of every row of a report as CSV (``strict``: every row has every
    column)."""
    csv = api.get(path, headers={"Accept": "text/csv"})
    assert csv.status_code == 200
    header, *rows = [line.split(",") for line in csv.text.strip().splitlines()]
    for row in rows:
        yield from zip(header, row, strict=strict)


def _restaurant(settings: Settings) -> None:
    """The demo's history: sales, productions, count sheets (AvT), purchase orders with
    receipts and supplier invoices (GRNI), recipes and the GL journal."""
    clock = DemoClock(start_of(30))
    with closing(Ledger(settings, clock=clock)) as ledger:
        Demo(ledger, clock, skus=12, seed=3).run(30, lambda day: None)


@pytest.fixture
def restaurant(settings: Settings) -> Iterator[Api]:
    _restaurant(settings)
    yield from _api(settings)


def _money_checked(api: Api, path: str, head: int | None) -> set[str]:
    """The money keys of one GET answer, each checked (``head``: wait for the read models;
    None for an answer that reads the ledger)."""
    join = "&" if "?" in path else "?"
    answer = api.get(path if head is None else f"{path}{join}min_position={head}")
    assert answer.status_code == 200, (path, answer.text)
    seen = set()
    for key, text in _numbers(answer.json()):
        if key in MONEY_KEYS:
            seen.add(key)
            assert MONEY.fullmatch(text), (path, key, text)
    return seen


def test_avt_grni_sales_plate_cost_and_journal_money_has_the_currency_places(
    restaurant: Api,
) -> None:
    head = restaurant.head
    sales: set[str] = set()
    after = 0
    while after < head and len(sales) < 5:
        page = restaurant.get(f"/api/events?after={after}&limit=1000").json()
        sales |= set(re.findall(r"POS-[0-9]+", str(page["items"])))
        after = page["next"]
    assert sales
    seen: set[str] = set()
    seen |= _money_checked(restaurant, "/api/reports/avt?location=kitchen", head)
    seen |= _money_checked(restaurant, "/api/reports/grni", None)
    seen |= _money_checked(restaurant, "/api/purchase-orders", None)
    for sale in sorted(sales)[:5]:
        seen |= _money_checked(restaurant, f"/api/sales/{sale}", None)
    recipes = restaurant.get("/api/recipes").json()
    items = [r["menu_item"] for r in recipes["items"]]
    assert items
    for item in items:
        seen |= _money_checked(restaurant, f"/api/recipes/{item}/cost?location=kitchen", None)
    month = f"{start_of(30):%Y-%m}"
    assert restaurant.put("/api/accounts/map", json=MAP).status_code == 200
    answer = restaurant.get(f"/api/journal?period={month}&min_position={head}")
    assert answer.status_code == 200, answer.text
    journal = answer.json()
    amounts = [
        x[side] for e in journal["entries"] for x in e["lines"] for side in ("debit", "credit")
    ]
    assert amounts and all(MONEY.fullmatch(a) for a in amounts if a is not None)
    expected = {"revenue", "voided_revenue", "cost", "received_value", "billed_value"}
    expected |= {"open_value", "theoretical_value", "actual_value", "unmapped_revenue"}
    assert expected <= seen, expected - seen
    avt = f"/api/reports/avt?location=kitchen&min_position={head}"
    for key, cell in _csv_cells(restaurant, avt, strict=False):
        if key in MONEY_KEYS and cell:
            assert MONEY.fullmatch(cell), (key, cell)
