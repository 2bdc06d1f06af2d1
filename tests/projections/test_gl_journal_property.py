"""The general-ledger journal over random histories (SPEC §15), on SQLite: every journal
balances and its inventory ties to the valuation's closing − opening per location, to the
cent; every beancount export passes the reference checker; a closed period's exports are
byte-identical after the map changes."""

from __future__ import annotations

import contextlib
import json
import tempfile
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, example, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from application import purchasing
from application.accounts import set_map
from application.commands import (
    InvoiceLine,
    Line,
    PostConsumption,
    PostCost,
    PostProduction,
    PostReceipt,
    PostSale,
    PostSupplierInvoice,
    ReceiptLine,
    SaleLine,
    VoidSale,
)
from application.errors import ApplicationError
from application.ledger import Ledger
from application.periods import ClosePeriod
from application.settings import Settings
from domain.errors import DomainError
from domain.item import ItemSpec
from domain.journal import ROLES
from domain.recipe import Ingredient, Produces, RecipeSpec
from domain.rollforward import period_of
from domain.supplier import SupplierSpec
from present.gl_journal import inventory_net, journal_text, to_beancount, to_csv
from projections.service import ReadModels
from projections.step import step
from tests.beancheck import bean_errors
from tests.projections.commands import SKUS, Driver, costs, locations, operations, quantities
from tests.projections.conftest import Clock

late = st.tuples(
    st.just("late"),
    locations,
    st.sampled_from(SKUS),
    quantities,
    costs,
    st.decimals(min_value=Decimal(-30), max_value=Decimal(30), places=2),
    st.sampled_from(["value", "quantity"]),
)
# A sale of the dish (SPEC §9), a void of the last sale (§17), a production of C (§16), a
# supplier invoice (§14) billing a share of the last late-cost receipt at a price ± its cost.
kitchen = st.one_of(
    st.tuples(st.just("sell"), locations, st.integers(1, 4)),
    st.tuples(st.just("void")),
    st.tuples(st.just("prep"), locations, st.integers(1, 3)),
    st.tuples(
        st.just("invoice"),
        st.sampled_from([Decimal("0.5"), Decimal(1)]),
        st.decimals(min_value=Decimal(-1), max_value=Decimal(1), places=2),
    ),
)
category = st.tuples(st.just("category"), st.sampled_from(SKUS), st.sampled_from(["wine", "dry"]))
steps = st.tuples(st.one_of(operations, late, category, kitchen), st.integers(0, 20))

ONE = Decimal(1)
MAP: list[dict[str, Any]] = [
    *({"role": role, "account": f"{n}000"} for n, role in enumerate(ROLES, start=1)),
    {"role": "inventory", "account": "1100", "location": "bar"},
    {"role": "inventory", "account": "1200", "category": "wine"},
    {"role": "waste", "account": "4400", "location": "main", "category": "dry"},
]


class JournalDriver(Driver):
    """The replay tests' operations, plus late costs (SPEC §10), item categories, sales,
    voids and productions."""

    def __init__(self, ledger: Ledger) -> None:
        super().__init__(ledger)
        self.sales: list[str] = []
        self.receipts: list[tuple[str, str, Decimal, Decimal]] = []  # id, sku, qty, cost
        self.invoiced = Decimal(0)  # what every invoice charged: Σ round(quantity × price)
        purchasing.put_supplier(ledger, "GREEN", SupplierSpec("Green Farm"), "admin")
        for sku in SKUS:
            ledger.put_item(sku, ItemSpec(f"item {sku}", "each"), user="admin")
        dish = (Ingredient("A", Decimal("0.5")), Ingredient("B", Decimal(1)))
        ledger.put_recipe("dish", RecipeSpec("dish", dish), user="chef")
        prep = RecipeSpec("C from A", (Ingredient("A", Decimal(1)),), Produces(Decimal(2)))
        ledger.put_recipe("C", prep, user="chef")

    def apply(self, op: tuple[Any, ...]) -> None:
        with contextlib.suppress(DomainError, ApplicationError):
            if op[0] == "sell":
                sale = self.next_id("S")
                line = SaleLine("dish", Decimal(op[2]), Decimal("9.50"))
                self.ledger.execute(PostSale(sale, op[1], [line]), user="pos")
                self.sales.append(sale)
            elif op[0] == "void" and self.sales:
                void = VoidSale(self.next_id("V"), self.sales.pop(), "sent back")
                self.ledger.execute(void, user="pos")
            elif op[0] == "prep":
                made = PostProduction(self.next_id("M"), op[1], "C", batches=Decimal(op[2]))
                self.ledger.execute(made, user="chef")
            elif op[0] == "late":
                receipt = self.next_id("LR")
                line = ReceiptLine(op[2], op[3], op[4])
                self.ledger.execute(PostReceipt(receipt, op[1], [line]), user="tester")
                self.receipts.append((receipt, op[2], op[3], op[4]))
                used = Line(op[2], op[3] / 2)  # so part of the cost goes to COGS (variance)
                self.ledger.execute(PostConsumption(self.next_id("LC"), op[1], [used]), user="u")
                if op[5]:
                    cost = PostCost(self.next_id("K"), receipt, op[5], "freight", op[6])
                    self.ledger.execute(cost, user="tester")
            elif op[0] == "invoice" and self.receipts:
                receipt, sku, quantity, cost = self.receipts.pop()
                price = max(cost + op[2], Decimal(0))
                billed = InvoiceLine(receipt, sku, quantity * op[1], price)
                invoice = PostSupplierInvoice(self.next_id("I"), "GREEN", [billed])
                self.ledger.execute(invoice, user="finance")
                amount = billed.quantity * billed.unit_price
                self.invoiced += amount.quantize(Decimal("0.01"), ROUND_HALF_UP)
            elif op[0] == "category":
                spec = ItemSpec(f"item {op[1]}", "each", category=op[2])
                self.ledger.put_item(op[1], spec, user="admin")
            else:
                super().apply(op)


def _months(first: str, last: str) -> list[str]:
    out, (year, month) = [], (int(first[:4]), int(first[5:]))
    while f"{year:04d}-{month:02d}" <= last:
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def _check(ops: list[tuple[tuple[Any, ...], int]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        clock = Clock(datetime(2026, 1, 3, tzinfo=UTC))
        settings = Settings(database_url=None, data_dir=Path(tmp) / "var")
        ledger = Ledger(settings, clock=clock)
        models = ReadModels(settings, ledger)
        try:
            _run(ledger, models, clock, ops)
        finally:
            models.close()
            ledger.close()


def _run(ledger: Ledger, models: ReadModels, clock: Clock, ops: list[Any]) -> None:
    driver = JournalDriver(ledger)
    for op, days in ops:
        clock.now += timedelta(days=days)
        driver.apply(op)
    clock.now += timedelta(days=31)
    with models.db.session() as session:
        for projection in models.projections.values():
            while step(session, models.events, projection, 50):
                pass
    set_map(ledger, MAP, ["main", "bar"], "admin")
    zone = models.zone
    months = _months("2026-01", period_of(clock(), zone))
    texts = {}
    payables = Decimal(0)
    for period in months:
        text = journal_text(ledger, models, period, 2)
        texts[period] = text
        body = json.loads(text)
        assert body["totals"]["debit"] == body["totals"]["credit"]
        for entry in body["entries"]:
            debit = sum(Decimal(x["debit"]) for x in entry["lines"])
            assert debit == sum(Decimal(x["credit"]) for x in entry["lines"])
        valued: dict[str, Decimal] = {}
        for row in models.cogs.valuation(period, None, None).rows:
            change = row.amounts["closing_value"] - row.amounts["opening_value"]
            valued[str(row.location)] = valued.get(str(row.location), Decimal(0)) + change
        posted = inventory_net(text)
        for location in set(valued) | set(posted):
            assert posted.get(location, Decimal(0)) == valued.get(location, Decimal(0)), period
        clearing = [x for e in body["entries"] for x in e["lines"] if x["location"] is None]
        for account in {x["account"] for x in clearing}:  # the clearing nets to nothing
            mine = [x for x in clearing if x["account"] == account]
            assert sum(Decimal(x["debit"]) - Decimal(x["credit"]) for x in mine) == 0
        assert bean_errors(to_beancount(text)) == []
        for x in (x for e in body["entries"] for x in e["lines"]):
            if x["kind"] == "SUPPLIER_INVOICE" and x["role"] == "payables":
                payables += Decimal(x["credit"]) - Decimal(x["debit"])
    assert payables == driver.invoiced  # every invoice's invoiced value, in some period
    first = months[0]
    ledger.close_period(ClosePeriod(first), user="finance")
    frozen = journal_text(ledger, models, first, 2)
    assert frozen == texts[first]
    set_map(ledger, [{**r, "account": "9" + r["account"]} for r in MAP], ["main", "bar"], "admin")
    assert journal_text(ledger, models, first, 2) == frozen
    assert to_csv(journal_text(ledger, models, first, 2)) == to_csv(frozen)


def test_every_journal_balances_ties_to_the_valuation_and_passes_the_checker() -> None:
    @hsettings(
        max_examples=12,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(ops=st.lists(steps, min_size=1, max_size=14))
    @example(
        ops=[
            (("category", "A", "wine"), 0),
            (("late", "bar", "A", Decimal(2), Decimal("1.10"), Decimal("7.77"), "value"), 0),
            (("receipt", "main", [("A", Decimal(10), Decimal("3.30"))]), 1),
            (("transfer", "main", "bar", "A", Decimal("4.5")), 30),
            (("late", "bar", "A", Decimal(2), Decimal("1.10"), Decimal("-0.77"), "value"), 2),
            (("consume", "bar", "A", Decimal("5.5")), 3),
            (("adjust", "main", "A", -1, Decimal(0)), 30),
            (("waste", "main", "A", Decimal(1)), 1),
            (
                (
                    "receipt",
                    "bar",
                    [("A", Decimal(9), Decimal("2.10")), ("B", Decimal(9), Decimal(1))],
                ),
                0,
            ),
            (("sell", "bar", 3), 1),
            (("sell", "bar", 2), 1),
            (("void",), 1),
            (("prep", "bar", 2), 1),
            (("invoice", Decimal("0.5"), Decimal("0.40")), 1),
            (("invoice", Decimal(1), Decimal(-1)), 1),
        ]
    )
    def check(ops: list[tuple[tuple[Any, ...], int]]) -> None:
        _check(ops)

    check()
