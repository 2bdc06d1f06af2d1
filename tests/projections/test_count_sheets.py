"""The count_sheets and sale_lines read models: replay equals live, verify passes, and the
list answers by location and state, on both backends."""

from __future__ import annotations

from decimal import Decimal

from application.commands import PostReceipt, PostSale, ReceiptLine, SaleLine
from application.count_sheets import (
    ApproveCountSheet,
    EnterCountLine,
    OpenCountSheet,
    RejectCountSheet,
    SubmitCountSheet,
)
from application.ledger import Ledger
from domain.recipe import Ingredient, RecipeSpec
from projections.service import ReadModels
from tests.projections.conftest import folded_rows, live_rows
from tests.projections.test_food_cost import caught_up


def test_sheets_and_sale_lines_replay_as_they_were_folded_live(
    ledger: Ledger, models: ReadModels
) -> None:
    ledger.execute(
        PostReceipt("R-1", "kitchen", [ReceiptLine("A", Decimal(9), Decimal(2))]), user="r"
    )
    ledger.put_recipe("dish", RecipeSpec("Dish", (Ingredient("A", Decimal(1)),)), user="chef")
    ledger.execute(
        PostSale(
            "S-1",
            "kitchen",
            [
                SaleLine("dish", Decimal(2), Decimal("7.50")),
                SaleLine("special", Decimal(1), Decimal(4), unmapped=True),
            ],
        ),
        user="pos",
    )
    ledger.execute(OpenCountSheet("K-1", "kitchen", "full", stocked=("A",)), user="c")
    ledger.execute(EnterCountLine("K-1", "A", Decimal(6)), user="c")
    ledger.execute(SubmitCountSheet("K-1"), user="c")
    ledger.execute(RejectCountSheet("K-1", "recount"), user="f")
    ledger.execute(SubmitCountSheet("K-1"), user="c")
    ledger.execute(ApproveCountSheet("K-1"), user="f")
    ledger.execute(OpenCountSheet("K-2", "bar", "spot"), user="c")
    caught_up(models)
    for name in ("count_sheets", "sale_lines"):
        assert live_rows(models, name) == folded_rows(ledger, models.projections[name])
    assert models.verify().ok
    sheets, _ = models.count_sheets.sheets("kitchen", "approved")
    (sheet,) = sheets
    assert (sheet.count_id, sheet.counted, sheet.total) == ("K-1", 1, 1)
    assert sheet.approved_position is not None
    assert [s.count_id for s in models.count_sheets.sheets(None, "open")[0]] == ["K-2"]
    sold = live_rows(models, "sale_lines")
    assert sorted((r["menu_item"], r["revenue"], r["unmapped"]) for r in sold.values()) == [
        ("dish", Decimal("15.00"), 0),
        ("special", Decimal("4.00"), 1),
    ]
