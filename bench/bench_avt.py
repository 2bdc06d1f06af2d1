"""avt: the AvT report and a count sheet over HTTP on PostgreSQL (SPEC §13, issue 29).

A busy kitchen is built through the real Ledger commands on its own PostgreSQL database:
``SKUS`` ingredients received every day, menu items of five ingredients each sold by the
POS (``SALES`` sales of ten lines a day, so fifty CONSUME movements each), a full count
(a sheet of every SKU, entered line by line, approved) before the first day and after the
last — about 60,000 movements at the location at full size — and a spot sheet of
``SHEET`` lines from the location's storage areas; before it, ``STORE`` movements of other
locations (bench/generator.py: a million at full size, the issue's setting). Then
``stockledger serve`` answers:

- ``GET /api/reports/avt?location=kitchen`` (between the two full counts), p99;
- ``GET /api/count-sheets/{id}`` of the ``SHEET``-line sheet, p99;
- ``PUT /api/count-sheets/{id}/lines/{sku}`` (an entry saved), p99.

Targets (issue 29): AvT p99 < 1 s; sheet load < 300 ms; entry save p99 < 50 ms.

    python -m bench.bench_avt [--quick]
"""

from __future__ import annotations

import time
from decimal import Decimal

import httpx

from application.commands import PostReceipt, PostSale, ReceiptLine, SaleLine
from application.count_sheets import (
    ApproveCountSheet,
    EnterCountLine,
    OpenCountSheet,
    SubmitCountSheet,
    set_areas,
)
from application.ledger import Ledger
from bench.bench_http import ok, served
from bench.common import Report, command_line, database, settings_for, timed
from bench.generator import HistorySpec, fill
from domain.recipe import Ingredient, RecipeSpec
from domain.storage_areas import Area

LOCATION = "kitchen"


def sizes(quick: bool) -> dict[str, int]:
    if quick:
        return {"skus": 40, "days": 3, "sales": 4, "sheet": 30, "requests": 5, "store": 0}
    return {"skus": 500, "days": 30, "sales": 30, "sheet": 300, "requests": 60, "store": 1_000_000}


def full_count(ledger: Ledger, count_id: str, skus: list[str]) -> None:
    ledger.execute(OpenCountSheet(count_id, LOCATION, "full", stocked=tuple(skus)), user="c")
    for number, sku in enumerate(skus):
        counted = Decimal(10_000 - number % 7)
        ledger.execute(EnterCountLine(count_id, sku, counted), user="c")
    ledger.execute(SubmitCountSheet(count_id), user="c")
    ledger.execute(ApproveCountSheet(count_id, "zero"), user="f")


def build(url: str, size: dict[str, int]) -> int:
    """The kitchen's history; the number of movements it recorded."""
    ledger = Ledger(settings_for(url))
    moved = 0
    try:
        if size["store"]:  # the rest of the store: other locations' movements, before it
            fill(ledger, HistorySpec(size["store"], skus=200, locations=10, days=30))
        skus = [f"S-{n:04d}" for n in range(size["skus"])]
        stock = [ReceiptLine(sku, Decimal(10_000), Decimal("2.50")) for sku in skus]
        moved += len(ledger.execute(PostReceipt("R-0", LOCATION, stock), user="r").movements)
        menu = [f"m-{n:03d}" for n in range(len(skus) // 5)]
        for n, item in enumerate(menu):
            parts = tuple(Ingredient(sku, Decimal("0.1")) for sku in skus[n * 5 : n * 5 + 5])
            ledger.put_recipe(item, RecipeSpec(item, parts), user="chef")
        set_areas(ledger, LOCATION, [Area("walk-in", tuple(skus[: size["sheet"]]))], "admin")
        full_count(ledger, "F-0", skus)
        for day in range(size["days"]):
            daily = [ReceiptLine(sku, Decimal(5), Decimal("2.60")) for sku in skus]
            received = ledger.execute(PostReceipt(f"R-{day + 1}", LOCATION, daily), user="r")
            moved += len(received.movements)
            for sale in range(size["sales"]):
                picked = [menu[(day * 31 + sale * 10 + k) % len(menu)] for k in range(10)]
                lines = [SaleLine(m, Decimal(1), Decimal("12.00")) for m in dict.fromkeys(picked)]
                done = ledger.execute(PostSale(f"S-{day}-{sale}", LOCATION, lines), user="pos")
                moved += len(done.movements)
        full_count(ledger, "F-1", skus)
        ledger.execute(OpenCountSheet("P-1", LOCATION, "spot"), user="c")
        return moved
    finally:
        ledger.close()


def run(*, quick: bool, runs: int | None, **given: int) -> Report:
    """``given`` overrides a size (skus, days, sales, sheet, requests, store)."""
    size = {**sizes(quick), **given}
    report = Report("avt", quick, dict(size))
    with database() as url:
        began = time.perf_counter()
        moved = build(url, size)
        report.extra["build_seconds"] = time.perf_counter() - began
        with served(url) as (base, token):
            headers = {"Authorization": f"Bearer {token}"}
            with httpx.Client(base_url=base, headers=headers, timeout=60) as http:
                deadline = time.monotonic() + 600
                query = {"location": LOCATION}
                while http.get("/api/reports/avt", params=query).status_code != 200:
                    if time.monotonic() > deadline:
                        raise RuntimeError("the read models never caught up")
                    time.sleep(0.5)
                n = size["requests"]
                avt = timed(lambda _: ok(http.get("/api/reports/avt", params=query)), n)
                load = timed(lambda _: ok(http.get("/api/count-sheets/P-1")), n)
                save = timed(
                    lambda i: ok(
                        http.put(
                            f"/api/count-sheets/P-1/lines/S-{i % size['sheet']:04d}",
                            json={"quantity": str(i)},
                        )
                    ),
                    n,
                )
    movements = f"{size['skus']} SKUs × {size['days']} days, {moved} movements"
    if size["store"]:
        movements += f", {size['store']:,} more in the store"
    report.add_p99(f"GET /api/reports/avt ({movements})", avt, under=1000)
    report.add_p99(f"GET /api/count-sheets/{{id}} ({size['sheet']} lines)", load, under=300)
    report.add_p99("PUT /api/count-sheets/{id}/lines/{sku}", save, under=50)
    report.finish()
    return report


if __name__ == "__main__":
    command_line(run, "python -m bench.bench_avt", __doc__, sizes(quick=True))
