"""Random histories of sales, receipts, counts, voids and productions (SPEC §16, §17) keep
§3's invariants at every movement, conserve value (a production's PRODUCTION_IN is exactly
minus its PRODUCTION_OUTs), owe only while nothing is available, take back exactly what a
voided line consumed; the read models kept live equal a fold of the ledger and a rebuild,
and ``verify`` is clean."""

from __future__ import annotations

import contextlib
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from application.commands import (
    CountLine,
    PostCount,
    PostProduction,
    PostReceipt,
    PostSale,
    ReceiptLine,
    SaleLine,
    VoidSale,
)
from application.ledger import Ledger
from domain.errors import DomainError, InsufficientStockError
from domain.recipe import Ingredient, Produces, RecipeSpec
from domain.stock_item import Movement, StockItem
from projections.service import ReadModels
from projections.step import step
from tests.projections.conftest import folded_rows, live_rows

D = Decimal
BOUGHT = ("FLOUR", "MOZZ", "KEG")
SKUS = (*BOUGHT, "SAUCE")  # SAUCE is made by a production, never bought
PLACES = ("kitchen", "bar")
SAUCE = RecipeSpec(
    "Sauce", (Ingredient("MOZZ", D("0.3")), Ingredient("FLOUR", D("0.1"))), Produces(D("2"))
)
RECIPES = {
    "pizza": RecipeSpec("Pizza", (Ingredient("FLOUR", D("0.2")), Ingredient("MOZZ", D("0.15")))),
    "beer": RecipeSpec("Beer", (Ingredient("KEG", D("0.5")),)),
    "pasta": RecipeSpec("Pasta", (Ingredient("SAUCE", D("0.5")), Ingredient("FLOUR", D("0.1")))),
}

qty = st.sampled_from([D(x) for x in ("0.5", "1", "2", "3")])
operations = st.one_of(
    st.tuples(
        st.just("sale"),
        st.lists(
            st.tuples(st.sampled_from(sorted(RECIPES)), qty, st.sampled_from(PLACES)),
            min_size=1,
            max_size=3,
        ),
    ),
    st.tuples(
        st.just("receipt"),
        st.sampled_from(BOUGHT),
        st.sampled_from(PLACES),
        st.sampled_from([D(x) for x in ("0.3", "1", "2.5")]),
        st.decimals("0.10", "20", places=2),
    ),
    st.tuples(
        st.just("count"),
        st.sampled_from(SKUS),
        st.sampled_from(PLACES),
        st.sampled_from([D(x) for x in ("0", "0.4", "1")]),
    ),
    st.tuples(st.just("void"), st.integers(0, 20), st.booleans()),
    st.tuples(
        st.just("production"),
        st.sampled_from(PLACES),
        st.sampled_from([D(x) for x in ("0.5", "1", "2")]),
        st.sampled_from([None, D("1.7")]),
    ),
)


class History:
    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self.number = 0
        self.sales: list[tuple[str, int]] = []
        self.productions = 0

    def apply(self, op: tuple[Any, ...]) -> None:
        self.number += 1
        n, ledger = self.number, self.ledger
        if op[0] == "sale":
            lines = [SaleLine(m, q, D(9), where) for m, q, where in op[1]]
            ledger.execute(PostSale(f"S{n}", "kitchen", lines), user="pos")
            self.sales.append((f"S{n}", len(lines)))
        elif op[0] == "receipt":
            _, sku, where, quantity, cost = op
            ledger.execute(
                PostReceipt(f"R{n}", where, [ReceiptLine(sku, quantity, cost)]), user="c"
            )
        elif op[0] == "count":
            _, sku, where, counted = op
            line = CountLine(sku, counted, D(5))
            ledger.execute(PostCount(f"K{n}", where, [line], note="shelf"), user="admin")
        elif op[0] == "production":
            self.produce(f"P{n}", *op[1:])
        elif self.sales:
            _, pick, whole = op
            sale_id, count = self.sales[pick % len(self.sales)]
            lines = None if whole else [pick % count]
            with contextlib.suppress(DomainError):  # voided before: refused, nothing recorded
                ledger.execute(VoidSale(f"V{n}", sale_id, "sent back", lines), user="clerk")

    def produce(self, doc: str, where: str, batches: Decimal, actual: Decimal | None) -> None:
        made = PostProduction(doc, where, "SAUCE", batches=batches, actual_quantity=actual)
        try:
            result = self.ledger.execute(made, user="chef")
        except InsufficientStockError:  # short of an ingredient: refused, nothing recorded
            return
        outs = [m for m in result.movements if m.kind == "PRODUCTION_OUT"]
        (inbound,) = [m for m in result.movements if m.kind == "PRODUCTION_IN"]
        assert {m.sku for m in outs} == {"MOZZ", "FLOUR"} and inbound.sku == "SAUCE"
        assert inbound.value == -sum((m.value for m in outs), D(0))
        self.productions += 1


def check_positions(ledger: Ledger) -> None:
    for sku in SKUS:
        for where in PLACES:
            item_id = StockItem.create_id(sku, where)
            item = ledger.get(StockItem, item_id)
            if item is None:
                continue
            moved = [e for e in ledger.events.get(item_id) if isinstance(e, Movement)]
            on_hand = value = D(0)
            for m in moved:
                on_hand += m.on_hand_delta
                value += m.value
                assert (m.on_hand_after, m.value_after) == (on_hand, value)
                assert m.on_hand_after >= 0 and m.value_after >= 0
                assert m.on_hand_after != 0 or m.value_after == 0
            owed = sum((D(e["quantity"]) for e in item.owed), D(0))
            assert owed == 0 or item.available == 0
            assert (moved[-1].owed_after or D(0)) == owed


def check_sales(ledger: Ledger, history: History) -> None:
    """Per sale and movement line: consumed (at posting and by settlements) + still owed is
    what the recipe needed; a voided line's VOID takes back exactly what it consumed."""
    from application.sale_view import sale_state

    for sale_id, _ in history.sales:
        sale = sale_state(ledger, sale_id)
        by_line: dict[int, dict[str, Decimal]] = {}
        cancelled = {m.line for m in sale.movements if m.kind == "OWED_CANCELLED"}
        for m in sale.movements:
            if m.document_type != "sale":
                continue
            row = by_line.setdefault(m.line, {"need": D(0), "got": D(0)})
            at_posting = m.recorded_at.isoformat() == sale.posted_at
            if m.kind == "OWED" or (m.kind == "CONSUME" and at_posting):
                row["need"] += m.quantity
            if m.kind == "CONSUME":
                row["got"] += m.quantity
        open_owed = {o["line"]: o["quantity"] for o in sale.owed}
        for line, row in by_line.items():
            if line not in cancelled:
                assert row["got"] + open_owed.get(line, D(0)) == row["need"], (sale_id, line)
        voids = [m for m in sale.movements if m.kind == "VOID"]
        assert sum((m.value for m in voids), D(0)) == sum((v["cost"] for v in sale.voids), D(0))


def test_random_sales_receipts_counts_voids_and_productions_keep_the_invariants(
    ledger: Ledger, models: ReadModels
) -> None:
    for sku in SKUS:
        for where in PLACES:
            if sku not in BOUGHT:
                continue
            ledger.execute(
                PostReceipt(f"B-{sku}-{where}", where, [ReceiptLine(sku, D(1), D(4))]), user="c"
            )
    ledger.put_recipe("SAUCE", SAUCE, user="chef")
    for menu, spec in RECIPES.items():
        ledger.put_recipe(menu, spec, user="chef")
    history = History(ledger)

    @hsettings(
        max_examples=15,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(ops=st.lists(operations, min_size=1, max_size=12), batch=st.integers(1, 9))
    def check(ops: list[tuple[Any, ...]], batch: int) -> None:
        for op in ops:
            history.apply(op)
        check_positions(ledger)
        check_sales(ledger, history)
        with models.db.session() as session:
            for projection in models.projections.values():
                while step(session, models.events, projection, batch):
                    pass
        for name in ("balances", "movements", "cogs", "food_cost"):
            projection = models.projections[name]
            live = live_rows(models, name)
            assert live == folded_rows(ledger, projection)

    check()
    for name in ("balances", "cogs", "food_cost"):
        live = live_rows(models, name)
        models.rebuild(name)
        assert live_rows(models, name) == live
    report = models.verify()
    assert report.ok, report
    kinds = {row["kind"] for row in live_rows(models, "movements").values()}
    assert {"OWED", "CONSUME", "RECEIVE", "PRODUCTION_OUT", "PRODUCTION_IN"} <= kinds
    assert history.productions > 0
