"""Late costs in the read models (SPEC §10): the variance in COGS, the revaluation in the
roll-forward, closed periods unchanged, replay equal to live, verify passing."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal as D

from api.schemas.reports import report_body
from application.commands import Line, PostCost, PostDelivery, PostReceipt, ReceiptLine
from application.ledger import Ledger
from application.periods import ClosePeriod
from application.settings import Settings
from domain.rollforward import AMOUNTS, FLOWS
from projections.service import ReadModels
from tests.projections.conftest import Clock, folded_rows, live_rows

KEYS = ("period", "location", "sku")


def test_a_late_cost_moves_the_open_period_and_never_a_closed_one(settings: Settings) -> None:
    clock = Clock(datetime(2025, 1, 10, 9, tzinfo=UTC))
    ledger = Ledger(settings, clock=clock)
    models = ReadModels(settings, ledger)
    try:
        ledger.execute(PostReceipt("r-1", "main", [ReceiptLine("A", D(10), D(5))]), user="al")
        ledger.execute(PostDelivery("d-1", "main", [Line("A", D(4))]), user="al")
        clock.now = datetime(2025, 2, 3, 9, tzinfo=UTC)
        closed, _ = ledger.close_period(ClosePeriod("2025-01"), user="fiona")
        models.start()
        assert models.wait_for(ledger.head(), timeout=30)
        january = report_body(models.cogs.valuation("2025-01", None, None), KEYS)
        del january["position"]

        ledger.execute(PostCost("c-1", "r-1", D(20), "freight", "value"), user="fiona")
        assert models.wait_for(ledger.head(), timeout=30)

        after = report_body(models.cogs.valuation("2025-01", None, None), KEYS)
        assert after["position"] > 0
        del after["position"]
        assert after == january
        shown, verified = ledger.closed_period("2025-01")
        assert verified is True and shown.totals == closed.totals
        cogs = report_body(models.cogs.cogs("2025-01", "2025-02", None, None, KEYS), KEYS)
        assert [(r["period"], r["variance_value"], r["net_cogs"]) for r in cogs["rows"]] == [
            ("2025-01", D(0), D("20.00")),
            ("2025-02", D("8.00"), D("8.00")),
        ]
        (row,) = report_body(models.cogs.valuation("2025-02", None, None), KEYS)["rows"]
        assert (row["opening_value"], row["revaluation_qty"], row["revaluation_value"]) == (
            D("30.00"),
            D(0),
            D("12.00"),
        )
        flows = sum((row[f"{flow}_value"] for flow in FLOWS), D(0))
        assert row["closing_value"] == row["opening_value"] + flows == D("42.00")

        clock.now = datetime(2025, 3, 2, 9, tzinfo=UTC)
        february, _ = ledger.close_period(ClosePeriod("2025-02"), user="fiona")
        assert D(str(february.totals["cogs"]["variance_value"])) == D("8.00")
        assert D(str(february.totals["valuation"]["revaluation_value"])) == D("12.00")
        assert set(february.totals["valuation"]) == set(AMOUNTS)
        assert ledger.closed_period("2025-02")[1] is True
        cogs_model = models.projections["cogs"]
        assert folded_rows(ledger, cogs_model) == live_rows(models, "cogs")
        assert models.verify().ok
    finally:
        models.close()
        ledger.close()
