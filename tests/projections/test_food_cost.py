"""The ``food_cost`` read model against a reference computation (SPEC §9): a random history
of receipts, recipe changes and sales in January, a period close, then a supplier price
change and more sales in February — the closed month's food cost never moves."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, event, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from application.commands import PostReceipt, PostSale, ReceiptLine, SaleLine
from application.ledger import Ledger
from application.periods import ClosePeriod, check_close, fold_to, same_totals
from application.settings import Settings
from domain.errors import InsufficientStockError
from domain.recipe import Ingredient, RecipeSpec, UnknownSkuError
from projections.registry import entry
from projections.service import ReadModels
from projections.step import step
from tests.projections.conftest import Clock, folded_rows, live_rows, scratch_store, utc

SKUS = ("BUN", "BEEF", "GIN")
MENU = ("burger", "gin")
ZERO = Decimal(0)


def half_up(amount: Decimal, places: int) -> Decimal:
    return amount.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


@dataclass
class Reference:
    """Food cost computed independently: moving average per SKU, the outbound rule."""

    stock: dict[str, tuple[Decimal, Decimal]] = field(default_factory=dict)
    recipes: dict[str, list[tuple[str, Decimal]]] = field(default_factory=dict)
    rows: dict[tuple[str, str], dict[str, Decimal]] = field(
        default_factory=lambda: defaultdict(
            lambda: {"sold_qty": ZERO, "revenue": ZERO, "cost": ZERO}
        )
    )

    # What sales owe each SKU (SPEC §17), in order: [menu item, quantity].
    owed: dict[str, list[list[Any]]] = field(default_factory=lambda: defaultdict(list))

    def take(self, period: str, sku: str, menu: str, need: Decimal) -> Decimal:
        """Consumes up to ``need`` by the outbound rule, costed to the menu item; returns
        what the shelf lacked."""
        on_hand, value = self.stock.get(sku, (ZERO, ZERO))
        got = min(need, on_hand)
        if got:
            taken = value if got == on_hand else half_up(got * value / on_hand, 2)
            self.stock[sku] = (on_hand - got, value - taken)
            self.rows[(period, menu)]["cost"] += taken
        return need - got

    def receive(self, sku: str, qty: Decimal, cost: Decimal, period: str = "") -> None:
        """A receipt, then what is owed settled in order, costed in the receipt's period."""
        on_hand, value = self.stock.get(sku, (ZERO, ZERO))
        self.stock[sku] = (on_hand + qty, value + half_up(qty * cost, 2))
        queue = self.owed[sku]
        while queue and self.stock[sku][0] > 0:
            menu, need = queue[0]
            left = self.take(period, sku, menu, need)
            if left:
                queue[0][1] = left
            else:
                queue.pop(0)

    def sell(self, period: str, lines: list[tuple[str, Decimal, Decimal]]) -> bool:
        """Applies a sale: never refused for stock (SPEC §17), what is lacking is owed."""
        for menu, qty, _ in lines:
            for sku, per in self.recipes[menu]:
                need = half_up(qty * per, 3)
                left = self.take(period, sku, menu, need)
                if left:
                    self.owed[sku].append([menu, left])
        for menu, qty, price in lines:
            row = self.rows[(period, menu)]
            row["sold_qty"] += qty
            row["revenue"] += half_up(qty * price, 2)
        return True


quantities = st.sampled_from([Decimal(x) for x in ("0.5", "1", "2", "3")])
prices = st.sampled_from([Decimal(x) for x in ("0", "4.50", "9.95", "12")])
recipe_lines = st.lists(
    st.tuples(st.sampled_from(SKUS), st.decimals("0.005", "1.5", places=3)),
    min_size=1,
    max_size=3,
    unique_by=lambda line: line[0],
)
operations = st.one_of(
    st.tuples(
        st.just("receipt"),
        st.sampled_from(SKUS),
        st.sampled_from([Decimal(x) for x in ("2", "5", "7.5")]),
        st.decimals("0.10", "30", places=2),
    ),
    st.tuples(st.just("recipe"), st.sampled_from(MENU), recipe_lines),
    st.tuples(
        st.just("sale"),
        st.lists(st.tuples(st.sampled_from(MENU), quantities, prices), min_size=1, max_size=3),
    ),
)


class History:
    def __init__(self, ledger: Ledger, clock: Clock, reference: Reference) -> None:
        self.ledger, self.clock, self.reference = ledger, clock, reference
        self.count = 0
        self.posted = 0

    def apply(self, op: tuple[Any, ...]) -> None:
        self.count += 1
        self.clock.now += timedelta(minutes=7)
        ledger, ref, number = self.ledger, self.reference, self.count
        if op[0] == "receipt":
            _, sku, qty, cost = op
            ledger.execute(
                PostReceipt(f"R{number}", "kitchen", [ReceiptLine(sku, qty, cost)]), user="t"
            )
            ref.receive(sku, qty, cost, f"{self.clock.now.year:04d}-{self.clock.now.month:02d}")
        elif op[0] == "recipe":
            _, menu, lines = op
            spec = RecipeSpec(menu, tuple(Ingredient(sku, qty) for sku, qty in lines))
            try:
                ledger.put_recipe(menu, spec, user="chef")
            except UnknownSkuError:  # a SKU never received yet (SPEC §17): nothing recorded
                return
            ref.recipes[menu] = list(lines)
        else:
            lines = [line for line in op[1] if line[0] in ref.recipes]
            if not lines:
                return
            period = f"{self.clock.now.year:04d}-{self.clock.now.month:02d}"
            accepted = ref.sell(period, lines)
            sale = PostSale(f"S{number}", "kitchen", [SaleLine(*line) for line in lines])
            try:
                ledger.execute(sale, user="pos")
            except InsufficientStockError:
                assert not accepted, "the ledger refused a sale the reference accepts"
                return
            assert accepted, "the ledger accepted a sale the reference refuses"
            self.posted += 1


def caught_up(models: ReadModels) -> None:
    with models.db.session() as session:
        for projection in models.projections.values():
            while step(session, models.events, projection, 50):
                pass


def report(models: ReadModels, period: str) -> dict[tuple[str, str], dict[str, Decimal]]:
    found = models.food_cost.food_cost(period, period, None, None)
    return {
        (row.period, row.menu_item): {k: row.amounts[k] for k in ("sold_qty", "revenue", "cost")}
        for row in found.rows
        if row.period and row.menu_item
    }


def expected(reference: Reference, period: str) -> dict[tuple[str, str], dict[str, Decimal]]:
    return {key: dict(row) for key, row in reference.rows.items() if key[0] == period}


@hsettings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    january=st.lists(operations, min_size=3, max_size=14),
    february=st.lists(operations, min_size=1, max_size=6),
    new_price=st.decimals("0.10", "90", places=2),
)
def test_food_cost_equals_a_reference_and_a_closed_month_never_moves(
    january: list[tuple[Any, ...]], february: list[tuple[Any, ...]], new_price: Decimal
) -> None:
    clock = Clock(utc(2025, 1, 10, 9, 0))
    with scratch_store(clock) as (ledger, models):
        reference = Reference()
        history = History(ledger, clock, reference)
        for op in january:
            history.apply(op)
        caught_up(models)
        event(f"sales posted in January: {min(history.posted, 2)}+")
        assert report(models, "2025-01") == expected(reference, "2025-01")
        closed_report = report(models, "2025-01")
        clock.now = utc(2025, 2, 1, 8, 0)
        close, _ = ledger.close_period(ClosePeriod("2025-01"), user="finance")
        want = {name: ZERO for name in ("sold_qty", "revenue", "cost")}
        for row in expected(reference, "2025-01").values():
            for name in want:
                want[name] += row[name]
        assert {k: Decimal(str(v)) for k, v in close.totals["food_cost"].items()} == want
        # A supplier price change, then February's sales: prospective only.
        for sku in SKUS:
            history.apply(("receipt", sku, Decimal("5"), new_price))
        for op in february:
            history.apply(op)
        caught_up(models)
        assert report(models, "2025-01") == closed_report
        assert report(models, "2025-02") == expected(reference, "2025-02")
        assert live_rows(models, "food_cost") == folded_rows(
            ledger, models.projections["food_cost"]
        )
        live = live_rows(models, "food_cost")
        models.rebuild("food_cost")
        assert live_rows(models, "food_cost") == live
        _, verified = ledger.closed_period("2025-01")
        assert verified
        assert models.verify().ok


def test_verify_detects_a_tampered_food_cost(tmp_path: Path) -> None:
    settings = Settings(database_url=None, data_dir=tmp_path)
    clock = Clock(utc(2025, 1, 10, 9, 0))
    ledger = Ledger(settings, clock=clock)
    models = ReadModels(settings, ledger)
    try:
        history = History(ledger, clock, Reference())
        history.apply(("receipt", "BEEF", Decimal("2"), Decimal("12")))
        history.apply(("recipe", "burger", [("BEEF", Decimal("0.150"))]))
        history.apply(("sale", [("burger", Decimal("2"), Decimal("9.50"))]))
        assert history.posted == 1
        clock.now = utc(2025, 2, 1, 8, 0)
        close, _ = ledger.close_period(ClosePeriod("2025-01"), user="finance")
        fold = fold_to(models.events, settings.zone, close.position)
        assert check_close(fold, close) == []
        tampered = {**close.totals, "food_cost": {**close.totals["food_cost"], "cost": "0.01"}}
        forged = type(close)(**{**close.__dict__, "totals": tampered})
        assert check_close(fold, forged) == [
            f"period 2025-01: totals recomputed up to position {close.position} differ "
            "from the recorded close"
        ]
        # A close recorded before food cost existed lacks the part: it held no sales.
        computed = fold.totals("2025-01")
        legacy = {part: amounts for part, amounts in computed.items() if part != "food_cost"}
        assert not same_totals(legacy, computed)
        no_sales = {**computed, "food_cost": dict.fromkeys(computed["food_cost"], ZERO)}
        assert same_totals(legacy, no_sales)
        caught_up(models)
        with models.db.session() as session, session.transaction():
            live = entry(session, "food_cost")
            assert live is not None
            name = models.projections["food_cost"].table(live.generation)
            session.execute(f"UPDATE {name} SET cost = ?", ("0.01",))
        problems = models.verify().problems
        assert any(
            p.startswith("food_cost row (period=2025-01") and "cost is 0.01" in p for p in problems
        )
    finally:
        models.close()
        ledger.close()
