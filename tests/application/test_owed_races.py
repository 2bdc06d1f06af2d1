"""Owed consumption and voids under races on PostgreSQL (SPEC §17): 10 threads at once.

A receipt racing sales at an owing position settles each owed quantity exactly once and
never leaves stock negative; two voids racing on one sale line take it back once."""

from __future__ import annotations

from decimal import Decimal

import pytest

from application.commands import PostReceipt, PostSale, ReceiptLine, SaleLine, VoidSale
from application.ledger import Ledger
from application.settings import Settings
from domain.errors import InvalidStateError
from domain.recipe import Ingredient, RecipeSpec
from domain.sale import SaleRecord
from domain.stock_item import StockItem
from tests.application.helpers import USER, D, movements, receive, state
from tests.application.test_concurrency import WORKERS, race

pytestmark = pytest.mark.postgres


def test_a_receipt_racing_sales_settles_each_owed_quantity_exactly_once(
    pg_settings: Settings,
) -> None:
    with Ledger(pg_settings) as setup:
        receive(setup, "r-base", "BEEF", "1", "10")  # a basis, then emptied by a first sale
        setup.put_recipe("burger", RecipeSpec("Burger", (Ingredient("BEEF", D("0.5")),)), user="c")
        for n in range(3):  # 1.5 sold of 1: 0.5 owed by s-pre-2
            setup.execute(
                PostSale(f"s-pre-{n}", "main", [SaleLine("burger", D(1), D(9))]), user=USER
            )

    def act(ledger: Ledger, n: int) -> str:
        if n % 3 == 0:
            line = ReceiptLine("BEEF", D("0.7"), D("12"))
            ledger.execute(PostReceipt(f"r-{n}", "main", [line]), user=USER)
            return "received"
        ledger.execute(PostSale(f"s-{n}", "main", [SaleLine("burger", D(1), D(9))]), user=USER)
        return "sold"

    outcomes = race(pg_settings, act)
    assert outcomes.count("received") == 4 and outcomes.count("sold") == 6
    with Ledger(pg_settings) as check:
        moved = movements(check, "BEEF")
        sold = D("0.5") * (3 + 6)
        received = D(1) + D("0.7") * 4
        item = check.get(StockItem, StockItem.create_id("BEEF", "main"))
        assert item is not None
        owed = sum((D(e["quantity"]) for e in item.owed), D(0))
        on_hand = state(check, "BEEF")[0]
        assert on_hand - owed == received - sold  # what the book holds net of what it owes
        assert on_hand >= 0 and (owed == 0 or on_hand == 0)
        assert all(m.on_hand_after >= 0 and m.value_after >= 0 for m in moved)
        # Each sale's consumption: consumed at posting + settled = 0.5, settled once.
        consumed: dict[str, Decimal] = {}
        for m in moved:
            if m.kind == "CONSUME":
                consumed[m.document_id] = consumed.get(m.document_id, D(0)) + m.quantity
        still = {e["sale_id"]: D(e["quantity"]) for e in item.owed}
        for sale_id in [f"s-pre-{n}" for n in range(3)] + [
            f"s-{n}" for n in range(WORKERS) if n % 3
        ]:
            assert consumed.get(sale_id, D(0)) + still.get(sale_id, D(0)) == D("0.5"), sale_id
        settled = sum((D(s[1]) for sale_id in consumed for s in _settled(check, sale_id)), D(0))
        assert settled == sum(
            (m.quantity for m in moved if m.kind == "CONSUME" and m.owed_after is not None), D(0)
        )


def _settled(ledger: Ledger, sale_id: str) -> list[list[object]]:
    record = ledger.get(SaleRecord, SaleRecord.create_id(sale_id))
    return record.settled if record else []


def test_voids_racing_on_one_sale_line_take_it_back_once(pg_settings: Settings) -> None:
    with Ledger(pg_settings) as setup:
        receive(setup, "r-1", "BEEF", "10", "10")
        setup.put_recipe("burger", RecipeSpec("Burger", (Ingredient("BEEF", D("0.5")),)), user="c")
        setup.execute(PostSale("s-1", "main", [SaleLine("burger", D(2), D(9))]), user=USER)

    def void(ledger: Ledger, n: int) -> str:
        try:
            ledger.execute(VoidSale(f"v-{n}", "s-1", "sent back", [0]), user=USER)
        except InvalidStateError:
            return "refused"
        return "voided"

    outcomes = race(pg_settings, void)
    assert outcomes.count("voided") == 1 and outcomes.count("refused") == WORKERS - 1
    with Ledger(pg_settings) as check:
        assert state(check, "BEEF") == (D(10), D(0), D("100.00"))
        assert [m.kind for m in movements(check, "BEEF")].count("VOID") == 1
