"""Productions on the read side (SPEC §16), on SQLite and PostgreSQL: value conserved to the
cent, the valuation's production columns and closing = opening + Σ columns, production not
in COGS, replay = live = a fresh rebuild, verify clean."""

from __future__ import annotations

import tempfile
from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from application.commands import PostProduction, PostReceipt, PostSale, ReceiptLine, SaleLine
from application.ledger import Ledger
from application.settings import Settings
from domain.errors import InsufficientStockError
from domain.recipe import Ingredient, Produces, RecipeSpec
from domain.rollforward import AMOUNTS, FLOWS
from projections.service import ReadModels
from tests.projections.conftest import folded_rows, live_rows
from tests.projections.test_rebuild import catch_up

D = Decimal
SAUCE = RecipeSpec(
    "Sauce",
    (
        Ingredient("TOMATO", D("2.5"), None, D("90")),
        Ingredient("ONION", D("0.4"), None, D("85")),
        Ingredient("OIL", D("0.05")),
    ),
    Produces(D("3")),
)


def stock(ledger: Ledger, costs: tuple[str, str, str], tag: str) -> None:
    lines = [
        ReceiptLine(sku, D("40"), D(cost))
        for sku, cost in zip(("TOMATO", "ONION", "OIL"), costs, strict=True)
    ]
    ledger.execute(PostReceipt(f"R-{tag}", "kitchen", lines), user="t")


money = st.decimals(min_value=D("0.01"), max_value=D("30"), places=4).map(str)
batches = st.decimals(min_value=D("0.1"), max_value=D("4"), places=1)
actual = st.one_of(st.none(), st.decimals(min_value=D("0.5"), max_value=D("12"), places=3))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    costs=st.tuples(money, money, money),
    runs=st.lists(st.tuples(batches, actual), min_size=1, max_size=4),
)
def test_a_production_conserves_value_to_the_cent(
    costs: tuple[str, str, str], runs: list[tuple[Decimal, Decimal | None]]
) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        ledger = Ledger(Settings(database_url=None, data_dir=Path(scratch)))
        stock(ledger, costs, "0")
        ledger.put_recipe("SAUCE", SAUCE, user="chef")
        for number, (count, output) in enumerate(runs):
            try:
                result = ledger.execute(
                    PostProduction(f"P-{number}", "kitchen", "SAUCE", count, None, output),
                    user="t",
                )
            except InsufficientStockError:
                continue
            outs = [m for m in result.movements if m.kind == "PRODUCTION_OUT"]
            (made,) = [m for m in result.movements if m.kind == "PRODUCTION_IN"]
            assert made.value == -sum(m.value for m in outs)
            assert made.value == made.value.quantize(D("0.01"))
            assert made.quantity == (output or (count * 3).quantize(D("0.001")))
        ledger.close()


def test_valuation_shows_production_apart_and_replay_equals_live_and_rebuild(
    ledger: Ledger, models: ReadModels
) -> None:
    stock(ledger, ("2.35", "1.10", "7.77"), "0")
    ledger.put_recipe("SAUCE", SAUCE, user="chef")
    ledger.put_recipe("PASTA", RecipeSpec("Pasta", (Ingredient("SAUCE", D("0.25")),)), user="c")
    # a pasta sold before any sauce: owed, settled by the production's PRODUCTION_IN
    ledger.execute(PostSale("S-1", "kitchen", [SaleLine("PASTA", D(2), D(9))]), user="t")
    made = ledger.execute(PostProduction("P-1", "kitchen", "SAUCE", D(2), None, D("5.8")), user="t")
    ledger.execute(PostProduction("P-2", "kitchen", "SAUCE", None, D(3)), user="t")
    ledger.execute(PostSale("S-2", "kitchen", [SaleLine("PASTA", D(3), D(9))]), user="t")
    catch_up(models, ledger)
    for name, projection in models.projections.items():
        assert live_rows(models, name) == folded_rows(ledger, projection), name
    assert models.verify().ok

    report = models.cogs.valuation(None, "kitchen", None)
    rows = {row.sku: row.amounts for row in report.rows}
    sauce, tomato = rows["SAUCE"], rows["TOMATO"]
    taken = sum(m.value for m in made.movements if m.kind == "PRODUCTION_OUT")
    assert sauce["production_in_qty"] == D("5.8") + D(3)
    assert tomato["production_out_qty"] < 0 and tomato["production_out_value"] < 0
    assert sauce["production_in_value"] > -taken > 0
    assert tomato["consumed_qty"] == 0  # production is not consumption
    for row in rows.values():
        flows = sum(row[f"{flow}_value"] for flow in FLOWS)
        assert row["opening_value"] + flows == row["closing_value"]
        assert row["opening_qty"] + sum(row[f"{f}_qty"] for f in FLOWS) == row["closing_qty"]
    assert {"production_in_value", "production_out_value"} <= set(AMOUNTS)
    # production is not COGS: the ingredients have none, the sauce sold has
    cogs = {
        row.sku: row.amounts for row in models.cogs.cogs(None, None, "kitchen", None, ["sku"]).rows
    }
    assert "TOMATO" not in cogs and "ONION" not in cogs and "OIL" not in cogs
    assert cogs["SAUCE"]["net_cogs"] > 0
