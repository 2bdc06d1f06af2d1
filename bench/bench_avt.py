"""avt: the AvT report and a count sheet over HTTP on PostgreSQL (SPEC §13, issue 29).

A busy kitchen is built through the real Ledger commands on its own PostgreSQL database:
``SKUS`` ingredients received every day, menu items of five ingredients each sold by the
POS (``SALES`` sales of ten lines a day, so fifty CONSUME movements each), a full count
(a sheet of every SKU, entered line by line, approved) before the first day and after the
last — about 60,000 movements at the location at full size — and a spot sheet of
``SHEET`` lines from the location's storage areas. Then ``stockledger serve`` answers:

- ``GET /api/reports/avt?location=kitchen`` (between the two full counts), p99;
- ``GET /api/count-sheets/{id}`` of the ``SHEET``-line sheet, p99;
- ``PUT /api/count-sheets/{id}/lines/{sku}`` (an entry saved), p99.

Targets (issue 29): AvT p99 < 1 s; sheet load < 300 ms; entry save p99 < 50 ms. The store's
other million movements of the issue's setting are not built here (the report's queries read
the location's rows by index).

    python -m bench.bench_avt [--quick]
"""

from __future__ import annotations

import argparse
import sys
import time
from decimal import Decimal
from pathlib import Path

import httpx
from tests.pgserver import free_port

from application.commands import PostReceipt, PostSale, ReceiptLine, SaleLine
from application.count_sheets import (
    ApproveCountSheet,
    EnterCountLine,
    OpenCountSheet,
    SubmitCountSheet,
    set_areas,
)
from application.ledger import Ledger
from bench.bench_http import cli_key, serving, stockledger_env
from bench.common import Report, median, new_database, percentile, postgres, settings_for
from domain.recipe import Ingredient, RecipeSpec
from domain.storage_areas import Area

LOCATION = "kitchen"


def sizes(quick: bool) -> dict[str, int]:
    if quick:
        return {"skus": 40, "days": 3, "sales": 4, "sheet": 30, "requests": 5}
    return {"skus": 500, "days": 30, "sales": 30, "sheet": 300, "requests": 60}


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


def timed(call: object, count: int) -> list[float]:
    out = []
    for number in range(count):
        began = time.perf_counter()
        answer = call(number)  # type: ignore[operator]
        out.append((time.perf_counter() - began) * 1000)
        if answer.status_code != 200:
            raise RuntimeError(f"{answer.status_code} {answer.text[:300]}")
    return out


def run(*, quick: bool, runs: int | None, **given: int) -> Report:
    """``given`` overrides a size (skus, days, sales, sheet, requests)."""
    size = {**sizes(quick), **given}
    report = Report("avt", quick, dict(size))
    with postgres() as server:
        url = new_database(server)
        began = time.perf_counter()
        moved = build(url, size)
        report.extra["build_seconds"] = time.perf_counter() - began
        env = stockledger_env(url)
        token = cli_key(env, "admin")
        serve = [str(Path(sys.executable).parent / "stockledger"), "serve"]
        port = free_port()
        with serving([*serve, "--port", str(port)], env, port) as base:
            headers = {"Authorization": f"Bearer {token}"}
            with httpx.Client(base_url=base, headers=headers, timeout=60) as http:
                deadline = time.monotonic() + 600
                query = {"location": LOCATION}
                while http.get("/api/reports/avt", params=query).status_code != 200:
                    if time.monotonic() > deadline:
                        raise RuntimeError("the read models never caught up")
                    time.sleep(0.5)
                n = size["requests"]
                avt = timed(lambda _: http.get("/api/reports/avt", params=query), n)
                load = timed(lambda _: http.get("/api/count-sheets/P-1"), n)
                save = timed(
                    lambda i: http.put(
                        f"/api/count-sheets/P-1/lines/S-{i % size['sheet']:04d}",
                        json={"quantity": str(i)},
                    ),
                    n,
                )
    report.add(
        f"GET /api/reports/avt ({size['skus']} SKUs × {size['days']} days, {moved} movements)",
        percentile(avt, 99),
        "ms p99",
        target="< 1000",
        met=percentile(avt, 99) < 1000,
        note=f"median {median(avt):.1f} ms",
    )
    report.add(
        f"GET /api/count-sheets/{{id}} ({size['sheet']} lines)",
        percentile(load, 99),
        "ms p99",
        target="< 300",
        met=percentile(load, 99) < 300,
        note=f"median {median(load):.1f} ms",
    )
    report.add(
        "PUT /api/count-sheets/{id}/lines/{sku}",
        percentile(save, 99),
        "ms p99",
        target="< 50",
        met=percentile(save, 99) < 50,
        note=f"median {median(save):.1f} ms",
    )
    report.finish()
    return report


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bench.bench_avt", description=__doc__)
    parser.add_argument("--quick", action="store_true")
    for name in ("skus", "days", "sales", "sheet", "requests"):
        parser.add_argument(f"--{name}", type=int, default=None)
    args = parser.parse_args()
    chosen = {k: v for k, v in vars(args).items() if k != "quick" and v is not None}
    run(quick=args.quick, runs=None, **chosen)
