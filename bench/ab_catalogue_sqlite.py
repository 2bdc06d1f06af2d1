"""A/B of the catalogue cache on the embedded SQLite store, same process, same store.

``python -m bench.ab_catalogue_sqlite`` registers five items in bags and a recipe using
all five, then posts 6 rounds of 150 sales and of 150 one-line receipts in bags, each
round once with the cache and once without (``Ledger.catalogue`` set to None: every line
reads its item and recipe from the store, as before the cache). Prints the median
milliseconds a command and the ratio.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from application.commands import Command, PostReceipt, PostSale, ReceiptLine, SaleLine
from application.ledger import Ledger
from application.settings import Settings
from domain.item import ItemSpec, PackUnit
from domain.recipe import Ingredient, RecipeSpec

ROUNDS, COMMANDS = 6, 150


def compare(ledger: Ledger, what: str, command: Callable[[int], Command]) -> None:
    cache = ledger.catalogue
    timings: dict[str, list[float]] = {"without": [], "with": []}
    number = 0
    for _ in range(ROUNDS):
        for name in timings:
            ledger.catalogue = cache if name == "with" else None
            began = time.perf_counter()
            for _ in range(COMMANDS):
                number += 1
                ledger.execute(command(number), user="bench")
            timings[name].append((time.perf_counter() - began) / COMMANDS * 1000)
    ledger.catalogue = cache
    old, new = (statistics.median(timings[name]) for name in timings)
    print(f"{what}: without the cache {old:.2f} ms, with {new:.2f} ms, ratio {new / old:.2f}")


def main() -> None:
    settings = Settings(database_url=None, data_dir=Path(tempfile.mkdtemp()))
    with Ledger(settings) as ledger:
        skus = [f"I{n}" for n in range(5)]
        bags = (PackUnit("bag", Decimal(25)),)
        for sku in skus:
            ledger.put_item(sku, ItemSpec(sku, "kg", units=bags), user="admin")
            line = ReceiptLine(sku, Decimal(100_000), Decimal("2.00"))
            ledger.execute(PostReceipt(f"R-{sku}", "kitchen", [line]), user="bench")
        lines = tuple(Ingredient(sku, Decimal("0.1")) for sku in skus)
        ledger.put_recipe("dish", RecipeSpec("Dish", lines), user="chef")
        sold = [SaleLine("dish", Decimal(1), Decimal("9.50"))]
        compare(ledger, "sale of a 5-ingredient dish", lambda n: PostSale(f"S{n}", "kitchen", sold))
        bag = [ReceiptLine("I1", Decimal(1), Decimal("50.00"), "bag")]
        compare(ledger, "one-line receipt in bags", lambda n: PostReceipt(f"B{n}", "kitchen", bag))


if __name__ == "__main__":
    main()
