"""Rebuilding every projection in one read of the ledger, with COGS rows written out as
their periods settle: the same rows as the live runners build, in flat memory."""

from __future__ import annotations

import time
from datetime import timedelta
from decimal import Decimal

import pytest

from application.commands import Line, PostDelivery, PostReceipt, PostTransfer, ReceiptLine
from application.ledger import Ledger
from application.settings import Settings
from projections.rebuild import Rebuild
from projections.service import ReadModels
from tests.projections.conftest import Clock, live_rows, store, utc
from tests.projections.test_rebuild import catch_up, generation


def year_of_trade(settings: Settings) -> tuple[Ledger, Clock]:
    """Eight months of receipts, sales and transfers at two locations, one post a day."""
    clock = Clock(utc(2026, 1, 3, 9))
    ledger = Ledger(settings, clock=clock)
    skus = [f"S{n}" for n in range(5)]
    for day in range(240):
        clock.now = utc(2026, 1, 3, 9) + timedelta(days=day)
        sku = skus[day % 5]
        if day % 3 == 0:
            lines = [ReceiptLine(s, Decimal("4.5"), Decimal("2.1")) for s in skus]
            ledger.execute(PostReceipt(f"R{day}", "main", lines), user="u")
        elif day % 3 == 1:
            ledger.execute(PostDelivery(f"D{day}", "main", [Line(sku, Decimal(1))]), user="u")
        else:
            ledger.execute(
                PostTransfer(f"T{day}", "main", "bar", [Line(sku, Decimal("0.5"))]), user="u"
            )
    return ledger, clock


def test_rebuilding_all_in_one_pass_gives_the_rows_the_live_runners_built(
    settings: Settings,
) -> None:
    ledger, _ = year_of_trade(settings)
    models = ReadModels(settings, ledger)
    try:
        catch_up(models, ledger)
        live = {name: live_rows(models, name) for name in models.projections}
        assert len({row["period"] for row in live["cogs"].values()}) == 8
        progress: list[dict[str, object]] = []
        models.rebuild("all", progress.append, wait=True)
        for name in models.projections:
            assert generation(models, name) == 2, name
            assert live_rows(models, name) == live[name], name
        assert {p["name"] for p in progress} == set(models.projections)
        assert models.verify().ok
    finally:
        models.close()
        ledger.close()


def test_a_rebuild_refuses_a_ledger_whose_times_run_back_past_a_settled_period(
    settings: Settings,
) -> None:
    clock = Clock(utc(2026, 5, 10))
    with store(settings, clock) as (ledger, models):
        receipt = [ReceiptLine("S0", Decimal(1), Decimal(1))]
        ledger.execute(PostReceipt("MAY", "main", receipt), user="u")
        clock.now = utc(2026, 1, 10)  # four months back: only a forged clock could do this
        ledger.execute(PostReceipt("JAN", "main", receipt), user="u")
        clock.now = utc(2026, 6, 10)  # a new month: January's row (May follows it) settles
        ledger.execute(PostReceipt("JUN", "main", receipt), user="u")
        clock.now = utc(2026, 1, 11)
        ledger.execute(PostReceipt("JAN-2", "main", receipt), user="u")
        catch_up(models, ledger)
        before = live_rows(models, "cogs")
        one_event_a_chunk = Rebuild(models.db, models.events, [models.projections["cogs"]], chunk=1)
        with pytest.raises(RuntimeError, match="out of order"):
            one_event_a_chunk.run()
        assert generation(models, "cogs") == 1
        assert live_rows(models, "cogs") == before


def test_a_rebuild_settles_each_read_model_by_the_times_of_its_own_events(
    settings: Settings,
) -> None:
    """A later time on an event COGS never folds (a location declared in May) must not
    make January's COGS rows look settled while January's movements are still to come."""
    clock = Clock(utc(2026, 5, 10))
    with store(settings, clock) as (ledger, models):
        ledger.put_location("bar", "The bar", None, user="u")
        clock.now = utc(2026, 1, 10)
        receipt = [ReceiptLine("S0", Decimal(2), Decimal(1))]
        ledger.execute(PostReceipt("JAN", "main", receipt), user="u")
        ledger.execute(PostDelivery("JAN-D", "main", [Line("S0", Decimal(1))]), user="u")
        catch_up(models, ledger)
        before = live_rows(models, "cogs")
        chosen = list(models.projections.values())
        Rebuild(models.db, models.events, chosen, chunk=1).run()
        assert generation(models, "cogs") == 2
        assert live_rows(models, "cogs") == before
        assert models.verify().ok


def test_rebuild_progress_keeps_its_time_to_the_second(settings: Settings) -> None:
    """Status tells a running rebuild from a dead one by how recent its progress is; a
    single-precision column would round epoch seconds to minutes."""
    with store(settings) as (_, models):
        now = time.time()
        with models.db.session() as session, session.transaction():
            session.execute(
                "INSERT INTO rm_rebuilds (name, version, generation, position, head, "
                "events_per_s, eta_s, updated_at) VALUES ('cogs', 1, 2, 5, 9, 1.5, 2.5, ?)",
                (now,),
            )
        with models.db.session() as session:
            ((stored,),) = session.execute("SELECT updated_at FROM rm_rebuilds")
        assert abs(float(stored) - now) < 0.01
        (cogs,) = [s for s in models.status() if s["name"] == "cogs"]
        assert cogs["state"] == "rebuilding"
        expected = {"position": 5, "head": 9, "events_per_s": 1.5, "version": 1}
        assert cogs["rebuild"] == expected
