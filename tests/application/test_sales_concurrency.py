"""Sales racing for the last ingredient on PostgreSQL (SPEC §9): all or nothing per sale.

Each sale needs a plentiful bun and the scarce beef; the beef runs out part way. A refused
sale must leave the buns untouched, so buns and beef always agree with the sales that got
through."""

from __future__ import annotations

import pytest

from application.commands import PostSale, SaleLine
from application.ledger import Ledger
from application.settings import Settings
from domain.documents import Document
from domain.recipe import Ingredient, RecipeSpec
from tests.application.helpers import USER, D, movements, receive, state
from tests.application.test_concurrency import WORKERS, race

pytestmark = pytest.mark.postgres

BEEF_PORTIONS = 3


def test_racing_sales_take_every_ingredient_or_none(pg_settings: Settings) -> None:
    with Ledger(pg_settings) as setup:
        recipe = RecipeSpec("Burger", (Ingredient("BUN", D(1)), Ingredient("BEEF", D("0.2"))))
        setup.put_recipe("burger", recipe, user="chef")
        receive(setup, "r-1", "BUN", "100", "0.50")
        receive(setup, "r-2", "BEEF", str(D("0.2") * BEEF_PORTIONS), "10")

    def sell(ledger: Ledger, n: int) -> str:
        ledger.execute(PostSale(f"s-{n}", "main", [SaleLine("burger", D(1), D(9))]), user=USER)
        return "sold"

    outcomes = race(pg_settings, sell)

    assert outcomes.count("sold") == BEEF_PORTIONS
    assert outcomes.count("short") == WORKERS - BEEF_PORTIONS
    with Ledger(pg_settings) as check:
        assert state(check, "BEEF") == (D(0), D(0), D(0))
        assert state(check, "BUN")[0] == 100 - BEEF_PORTIONS
        assert len(movements(check, "BUN")) == 1 + BEEF_PORTIONS
        sold = [n for n in range(WORKERS) if outcomes[n] == "sold"]
        for n in range(WORKERS):
            posted = check.get(Document, Document.create_id("sale", f"s-{n}"))
            assert (posted is not None) == (n in sold)
