"""Blue/green rebuilds: under kill -9, under load, after a version bump; verify."""

from __future__ import annotations

import signal
import threading
from decimal import Decimal

import pytest

from application.commands import Line, PostDelivery, PostReceipt, ReceiptLine
from application.ledger import Ledger
from application.settings import Settings
from projections.balances import Balances
from projections.registry import entry
from projections.service import ReadModels
from projections.step import step
from tests.projections.conftest import fill, folded_rows, live_rows, wait_until, worker


def catch_up(models: ReadModels, ledger: Ledger) -> None:
    with models.db.session() as session:
        for projection in models.projections.values():
            while step(session, models.events, projection, 1000):
                pass


def generation(models: ReadModels, name: str) -> int:
    with models.db.session() as session:
        current = entry(session, name)
    assert current is not None
    return current.generation


def assert_equals_fresh_rebuild(models: ReadModels, ledger: Ledger) -> None:
    for name, projection in models.projections.items():
        assert live_rows(models, name) == folded_rows(ledger, projection), name
    assert models.verify().ok


def test_killing_a_worker_during_catch_up_loses_and_repeats_nothing(
    settings: Settings, ledger: Ledger, models: ReadModels
) -> None:
    head = fill(ledger, documents=40, lines=100)
    process = worker(settings, "run", "--batch", "5")
    try:
        wait_until(lambda: min(models.positions().values()) > 0, 60, "worker started")
        process.send_signal(signal.SIGKILL)
        process.wait(10)
        assert min(models.positions().values()) < head, "killed during catch-up"
        process = worker(settings, "run")
        wait_until(lambda: min(models.positions().values()) >= head, 60, "caught up")
    finally:
        process.kill()
        process.wait(10)
    assert_equals_fresh_rebuild(models, ledger)


def test_killing_a_rebuild_leaves_the_live_copy_serving_and_a_rerun_completes(
    settings: Settings, ledger: Ledger, models: ReadModels
) -> None:
    head = fill(ledger, documents=30, lines=100)
    catch_up(models, ledger)
    live_before = live_rows(models, "movements")
    expected_balance = models.stock.balance("F0007", "main")
    assert expected_balance.on_hand == Decimal(30)
    # Throttled so the kill lands mid-rebuild however fast the machine is.
    process = worker(settings, "rebuild", "movements", "--chunk", "100", "--throttle", "0.2")
    try:

        def rebuilding() -> bool:
            # The live copy answers correctly all through the rebuild.
            assert models.stock.balance("F0007", "main") == expected_balance
            page = models.movements.history("F0007", "main", None, None, None, 1000, None)
            assert len(page.items) == 30
            (state,) = [s for s in models.status() if s["name"] == "movements"]
            return state["rebuild"] is not None and state["rebuild"]["position"] > 0

        wait_until(rebuilding, 60, "rebuild under way")
        process.send_signal(signal.SIGKILL)
        process.wait(10)
    finally:
        process.kill()
        process.wait(10)
    assert generation(models, "movements") == 1
    assert live_rows(models, "movements") == live_before
    progress: list[dict[str, object]] = []
    models.rebuild("movements", progress.append)
    assert generation(models, "movements") == 2  # the interrupted copy was dropped, built anew
    assert progress[-1]["position"] == head
    assert all({"position", "head", "events_per_s", "eta_s"} <= set(p) for p in progress)
    with models.db.session() as session:
        assert session.tables("rm_movements_g") == ["rm_movements_g2"]
    assert_equals_fresh_rebuild(models, ledger)


def test_commands_keep_flowing_during_a_rebuild_and_nothing_is_lost_at_the_switch(
    ledger: Ledger, models: ReadModels
) -> None:
    fill(ledger, documents=10, lines=100)
    models.start()
    done = threading.Event()
    posted: list[int] = []

    def post() -> None:
        n = 0
        while not done.is_set() or n < 30:
            result = ledger.execute(
                PostReceipt(
                    f"LIVE{n}", "bar", [ReceiptLine(f"L{n % 7}", Decimal(2), Decimal("0.5"))]
                ),
                user="u",
            )
            if n % 3 == 2:
                ledger.execute(
                    PostDelivery(f"LD{n}", "bar", [Line(f"L{n % 7}", Decimal(1))]), user="u"
                )
            posted.append(result.position)
            models.notify()
            n += 1

    thread = threading.Thread(target=post)
    thread.start()
    try:
        for name in list(models.projections):
            models.rebuild(name)
    finally:
        done.set()
        thread.join(60)
    assert models.wait_for(ledger.head(), timeout=30)
    assert len(posted) >= 30
    assert all(generation(models, n) == 2 for n in models.projections)
    total = models.stock.of_sku("L0").total
    count = len([n for n in range(len(posted)) if n % 7 == 0])
    shipped = len([n for n in range(len(posted)) if n % 7 == 0 and n % 3 == 2])
    assert total["on_hand"] == 2 * count - shipped
    assert_equals_fresh_rebuild(models, ledger)


def test_a_version_bump_rebuilds_in_the_background_and_switches_over(
    settings: Settings, ledger: Ledger, models: ReadModels, monkeypatch: pytest.MonkeyPatch
) -> None:
    fill(ledger, documents=10, lines=100)
    catch_up(models, ledger)
    before = live_rows(models, "balances")
    version = Balances.VERSION
    monkeypatch.setattr(Balances, "VERSION", version + 1)
    bumped = ReadModels(settings, ledger)
    try:
        (state,) = [s for s in bumped.status() if s["name"] == "balances"]
        assert (state["version"], state["state"]) == (version, "rebuilding")
        assert bumped.stock.balance("F0001", "main").on_hand == Decimal(10), "old version serves"
        bumped.start()
        wait_until(
            lambda: (
                [(s["version"], s["state"]) for s in bumped.status() if s["name"] == "balances"]
                == [(version + 1, "live")]
            ),
            60,
            "switched to the next version",
        )
        assert generation(bumped, "balances") == 2
        result = ledger.execute(
            PostReceipt("AFTER", "main", [ReceiptLine("F0001", Decimal(1), Decimal(1))]), user="u"
        )
        assert bumped.wait_for(result.position)
        assert bumped.stock.balance("F0001", "main").on_hand == Decimal(11)
        assert len(live_rows(bumped, "balances")) == len(before)
        assert_equals_fresh_rebuild(bumped, ledger)
    finally:
        bumped.close()


def test_verify_passes_on_a_clean_store_and_names_a_row_altered_behind_its_back(
    ledger: Ledger, models: ReadModels
) -> None:
    fill(ledger, documents=4, lines=20)
    catch_up(models, ledger)
    messages: list[tuple[str, int, int]] = []
    assert models.verify(lambda *a: messages.append(a)).problems == []
    assert {m[0] for m in messages} == {"ledger", *models.projections}
    with models.db.session() as session, session.transaction():
        value = session.dialect.encode(Decimal("99.99"), "num")
        session.execute(
            "UPDATE rm_cogs_g1 SET receipts_value = ? WHERE sku = ? AND location = ?",
            (value, "F0003", "main"),
        )
    report = models.verify()
    assert not report.ok
    assert len(report.problems) == 1
    assert "cogs row" in report.problems[0] and "sku=F0003" in report.problems[0]
    assert "receipts_value is 99.99" in report.problems[0]
