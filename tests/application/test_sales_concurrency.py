"""Sales racing for the last ingredient on PostgreSQL (SPEC §9, §17).

Each sale needs a plentiful bun and the scarce beef; the beef runs out part way. No sale is
refused (SPEC §17; before it the short ones were refused whole): the beef the shelf lacks is
owed, never negative, and buns and beef agree with every sale."""

from __future__ import annotations

import pytest

from application.commands import PostSale, SaleLine
from application.ledger import Ledger
from application.settings import Settings
from domain.documents import Document
from domain.recipe import Ingredient, RecipeSpec
from domain.stock_item import StockItem
from tests.application.helpers import USER, D, movements, receive, state
from tests.application.test_concurrency import WORKERS, race

pytestmark = pytest.mark.postgres

BEEF_PORTIONS = 3


def test_racing_sales_are_all_posted_and_owe_what_the_beef_lacks(pg_settings: Settings) -> None:
    with Ledger(pg_settings) as setup:
        recipe = RecipeSpec("Burger", (Ingredient("BUN", D(1)), Ingredient("BEEF", D("0.2"))))
        receive(setup, "r-1", "BUN", "100", "0.50")
        receive(setup, "r-2", "BEEF", str(D("0.2") * BEEF_PORTIONS), "10")
        setup.put_recipe("burger", recipe, user="chef")  # its SKUs known (SPEC §17)

    def sell(ledger: Ledger, n: int) -> str:
        ledger.execute(PostSale(f"s-{n}", "main", [SaleLine("burger", D(1), D(9))]), user=USER)
        return "sold"

    outcomes = race(pg_settings, sell)

    assert outcomes == ["sold"] * WORKERS
    with Ledger(pg_settings) as check:
        assert state(check, "BEEF") == (D(0), D(0), D(0))
        assert state(check, "BUN")[0] == 100 - WORKERS
        assert len(movements(check, "BUN")) == 1 + WORKERS
        beef = check.get(StockItem, StockItem.create_id("BEEF", "main"))
        assert beef is not None
        assert sum(D(e["quantity"]) for e in beef.owed) == D("0.2") * (WORKERS - BEEF_PORTIONS)
        for n in range(WORKERS):
            assert check.get(Document, Document.create_id("sale", f"s-{n}")) is not None
