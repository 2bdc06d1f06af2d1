"""Runners: exactly once, never skipping an event, waking promptly, one active per projection."""

from __future__ import annotations

import signal
import threading
import time
from dataclasses import replace
from decimal import Decimal

import psycopg
import pytest

from application.commands import Line, PostDelivery, PostReceipt, ReceiptLine
from application.ledger import Ledger
from application.settings import Settings
from domain.movements import Source
from domain.stock_item import StockItem
from projections import runner as runner_module
from projections.runner import Runner
from projections.service import ReadModels
from projections.step import Known, step
from tests.projections.conftest import fill, folded_rows, live_rows, wait_until, worker


def test_a_batch_writes_its_rows_and_its_position_together_and_never_twice(
    ledger: Ledger, models: ReadModels
) -> None:
    fill(ledger, documents=4, lines=30)
    with models.db.session() as session:
        cogs = models.projections["cogs"]
        assert step(session, models.events, cogs, 50) == 50
        assert models.positions()["cogs"] == 50
        # A second runner that read the same position before the first one committed must
        # not apply the same events again: step re-checks the position under the lock.
        while step(session, models.events, cogs, 50):
            pass
    assert models.positions()["cogs"] == ledger.head()
    assert live_rows(models, "cogs") == folded_rows(ledger, cogs)


def test_the_in_process_runner_follows_new_commands_promptly(
    ledger: Ledger, models: ReadModels
) -> None:
    models.start()
    result = ledger.execute(
        PostReceipt("R1", "main", [ReceiptLine("A", Decimal("2.5"), Decimal("4"))]), user="u"
    )
    models.notify()
    started = time.monotonic()
    assert models.wait_for(result.position, timeout=5)
    assert time.monotonic() - started < 2
    balance = models.stock.balance("A", "main")
    assert balance.on_hand == Decimal("2.5")
    assert balance.value == Decimal("10.00")
    assert balance.position >= result.position
    assert [s["state"] for s in models.status()] == ["live"] * len(models.projections)


def test_wait_for_gives_up_after_its_timeout_when_no_runner_is_running(
    ledger: Ledger, models: ReadModels
) -> None:
    result = ledger.execute(
        PostReceipt("R1", "main", [ReceiptLine("A", Decimal(1), Decimal(1))]), user="u"
    )
    started = time.monotonic()
    assert not models.wait_for(result.position, timeout=0.3)
    assert 0.25 < time.monotonic() - started < 3
    assert not models.wait_for(result.position + 1000, timeout=0.3), (
        "beyond the head: waited for (it may be written meanwhile), never answered stale"
    )
    status = {s["name"]: s for s in models.status()}
    assert status["balances"]["lag"] == result.position
    assert status["balances"]["head"] == result.position


def _encoded_receipt(ledger: Ledger, sku: str) -> tuple[object, ...]:
    item = StockItem(sku, "main")
    item.receive(Decimal(7), Decimal(3), Source("receipt", "HELD", 0, "u"), ledger.clock(), 2)
    stored = [ledger.mapper.to_stored_event(e) for e in item.collect_events()]
    return tuple(stored)


def test_a_reader_never_advances_past_an_event_a_still_open_writer_will_commit(
    pg_settings: Settings,
) -> None:
    ledger = Ledger(pg_settings)
    models = ReadModels(pg_settings, ledger)
    closers = []
    try:
        first = ledger.execute(
            PostReceipt("R1", "main", [ReceiptLine("A", Decimal(1), Decimal(1))]), user="u"
        )
        models.start()
        assert models.wait_for(first.position, timeout=5)
        writer = psycopg.connect(pg_settings.database_url or "", autocommit=True)
        closers.append(writer.close)
        writer.execute("BEGIN")
        writer.execute("LOCK TABLE ledger_events IN EXCLUSIVE MODE")
        held = []
        for stored in _encoded_receipt(ledger, "HELD"):
            row = writer.execute(
                "INSERT INTO ledger_events (originator_id, originator_version, topic, state) "
                "VALUES (%s, %s, %s, %s) RETURNING notification_id",
                (stored.originator_id, stored.originator_version, stored.topic, stored.state),  # type: ignore[attr-defined]
            ).fetchone()
            assert row is not None
            held.append(int(row[0]))
        # While the writer is open its events are invisible: a reader reads nothing new and
        # stays where it is (for a while of the runners' own polling, too).
        with models.db.session() as session:
            for projection in models.projections.values():
                assert step(session, models.events, projection, 1000) == 0
        deadline = time.monotonic() + 1.5
        while time.monotonic() < deadline:
            assert models.positions() == {n: first.position for n in models.projections}
        assert models.events.head() == first.position
        assert models.stock.balance("HELD", "main").on_hand == 0
        writer.execute("COMMIT")
        writer.close()
        assert models.wait_for(held[-1], timeout=5)
        assert models.stock.balance("HELD", "main").on_hand == Decimal(7)
        assert len(live_rows(models, "movements")) == 2
        assert models.verify().ok
    finally:
        for close in closers:
            close()
        models.close()
        ledger.close()


def test_postgres_runners_wake_on_notify_without_the_hint(pg_settings: Settings) -> None:
    ledger = Ledger(pg_settings)
    models = ReadModels(pg_settings, ledger)
    try:
        models.start()
        wait_until(lambda: all(r.active for r in models._runners), 10, "runners active")
        result = ledger.execute(
            PostReceipt("R1", "main", [ReceiptLine("A", Decimal(1), Decimal(1))]), user="u"
        )
        started = time.monotonic()
        wait_until(lambda: min(models.positions().values()) >= result.position, 5)
        assert time.monotonic() - started < 0.9, "woken by NOTIFY, not the 1 s polling fallback"
    finally:
        models.close()
        ledger.close()


def test_a_standby_takes_over_within_seconds_when_the_active_worker_dies(
    pg_settings: Settings,
) -> None:
    ledger = Ledger(pg_settings)
    models = ReadModels(pg_settings, ledger)
    process = worker(pg_settings, "run")
    try:
        first = ledger.execute(
            PostReceipt("R1", "main", [ReceiptLine("A", Decimal(1), Decimal(1))]), user="u"
        )
        wait_until(lambda: min(models.positions().values()) >= first.position, 30, "worker")
        stop = threading.Event()
        standby = Runner(models.db, models.events, models.projections["balances"])
        thread = threading.Thread(target=standby.run, args=(stop,), daemon=True)
        thread.start()
        time.sleep(0)  # let it try the lock
        wait_until(lambda: thread.is_alive(), 5)
        assert not standby.active, "the worker holds the lock"
        process.send_signal(signal.SIGKILL)
        process.wait(10)
        second = ledger.execute(PostDelivery("D1", "main", [Line("A", Decimal(1))]), user="u")
        started = time.monotonic()
        wait_until(lambda: models.positions()["balances"] >= second.position, 10, "takeover")
        assert time.monotonic() - started < 5
        assert standby.active
        assert models.stock.balance("A", "main").on_hand == 0
        stop.set()
        thread.join(10)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)
        models.close()
        ledger.close()


@pytest.mark.parametrize("sku", ["A"])
def test_runner_logs_one_json_line_per_batch(
    ledger: Ledger, models: ReadModels, sku: str, caplog: pytest.LogCaptureFixture
) -> None:
    import json

    ledger.execute(PostReceipt("R1", "main", [ReceiptLine(sku, Decimal(1), Decimal(1))]), user="u")
    with caplog.at_level("INFO", logger="stockledger.projections"), models.db.session() as s:
        step(s, models.events, models.projections["movements"], 1000)
    (record,) = [json.loads(r.getMessage()) for r in caplog.records]
    assert record["projection"] == "movements"
    assert record["events"] == 1
    assert record["to"] == ledger.head()


def test_a_runner_starts_each_step_from_the_entry_it_wrote_and_still_checks_it_locked(
    ledger: Ledger, models: ReadModels
) -> None:
    fill(ledger, documents=2, lines=10)
    balances = models.projections["balances"]
    reads: list[str] = []  # the registry statements, in order
    with models.db.session() as session:
        execute = session.execute

        def counting(sql: str, *args: object, **kwargs: object) -> object:
            if "FROM rm_registry" in sql:
                reads.append(sql)
            return execute(sql, *args, **kwargs)

        session.execute = counting  # type: ignore[method-assign,assignment]
        known = Known()
        assert step(session, models.events, balances, 1000, known=known) > 0
        assert known.entry is not None and known.entry.position == ledger.head()
        assert step(session, models.events, balances, 1000, known=known) == 0
        # The first step read the entry, then moved it by an UPDATE that checks it; the
        # caught-up step read nothing from the registry.
        assert len(reads) == 1

        # Moved elsewhere meanwhile (a switch-over, another runner): the locked read sees
        # it, nothing is written, and the next step reads the registry again.
        receive = PostReceipt("R-MORE", "main", [ReceiptLine("A", Decimal(1), Decimal(1))])
        ledger.execute(receive, user="u")
        assert known.entry is not None
        known.entry = replace(known.entry, position=known.entry.position - 5)
        assert step(session, models.events, balances, 1000, known=known) == -1
        assert known.entry is None
        assert step(session, models.events, balances, 1000, known=known) > 0
    assert models.positions()["balances"] == ledger.head()
    assert live_rows(models, "balances") == folded_rows(ledger, balances)


def test_a_runner_caught_up_with_a_ledger_still_written_lingers_before_its_next_step(
    ledger: Ledger, models: ReadModels, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Under load, stepping again at once cost every read model a step per few commands; a
    # runner that caught up lingers, so the commands that come meanwhile gather into one
    # batch. A reader waiting on min_position (``hurry``) cuts the linger short.
    monkeypatch.setattr(runner_module, "LINGER", 60.0)
    fill(ledger, documents=1, lines=5)
    balances = models.projections["balances"]
    runner = Runner(models.db, models.events, balances)
    stop = threading.Event()
    session = models.db.connect()
    thread = threading.Thread(target=runner._catch_up, args=(session, stop))
    thread.start()
    try:
        wait_until(lambda: models.positions()["balances"] == ledger.head(), what="first batch")
        first = ledger.head()
        fill(ledger, documents=2, lines=5, prefix="G")
        time.sleep(0.3)
        assert thread.is_alive(), "the runner returned instead of lingering"
        assert models.positions()["balances"] == first, "stepped again without lingering"
        runner.hurry.set()
        wait_until(lambda: models.positions()["balances"] == ledger.head(), what="the rest")
    finally:
        stop.set()
        runner.hurry.set()
        thread.join(10)
        models.db.release(session)
    assert not thread.is_alive()
    assert live_rows(models, "balances") == folded_rows(ledger, balances)
