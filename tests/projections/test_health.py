"""What status says of each read model (issue 27): ``failing`` at the position of an event
its runner cannot apply, with the error; ``rebuilding`` from the moment a rebuild is
requested; ``stopped`` while no runner follows it. Verify refuses a failing, missing or far
behind read model. Both backends."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from application.commands import Line, PostConsumption, PostReceipt, ReceiptLine
from application.events import LedgerEvents
from application.ledger import Ledger
from application.settings import Settings
from domain.stock_item import Movement, StockItem
from projections.db import Database
from projections.service import ReadModels
from tests.projections.conftest import wait_until
from tests.tamper import rewrite_movements


def _by_name(models: ReadModels) -> dict[str, dict[str, Any]]:
    return {s["name"]: s for s in models.status()}


def _receive(ledger: Ledger, doc: str, qty: int = 5) -> int:
    line = ReceiptLine("A", Decimal(qty), Decimal(2))
    return ledger.execute(PostReceipt(doc, "main", [line]), user="u").position


def _broken(ledger: Ledger) -> int:
    """Records R-1, C-1 (one movement), R-2; rewrites C-1's movement into one no read model
    can apply (its on-hand delta gone), as a superuser could; returns its position."""
    _receive(ledger, "R-1")
    ledger.execute(PostConsumption("C-1", "main", [Line("A", Decimal(1))]), user="u")
    _receive(ledger, "R-2")
    rewrite_movements(
        ledger,
        StockItem.create_id("A", "main"),
        lambda e: {"on_hand_delta": None} if e.document_id == "C-1" else {},
        rehash=False,
    )
    for recorded in LedgerEvents(ledger).read(0, 1000, topics=[StockItem.Consumed.TOPIC]):
        event = recorded.event()
        if isinstance(event, Movement) and event.document_id == "C-1":
            return recorded.position
    raise AssertionError("C-1 not found")


def test_an_event_a_projection_cannot_apply_shows_failing_with_its_position_and_error(
    ledger: Ledger, models: ReadModels
) -> None:
    bad = _broken(ledger)
    models.start()
    wait_until(lambda: _by_name(models)["movements"]["state"] == "failing", 30, "failing")
    movements = _by_name(models)["movements"]
    assert movements["failing"]["position"] == bad
    assert "on_hand_delta" in movements["failing"]["error"]  # the store's NOT NULL refusal
    assert movements["failing"]["since"].endswith("Z")
    # Every event before it was applied (the runner narrowed down to the one at fault) ...
    assert movements["position"] < bad
    page = models.movements.history("A", "main", None, None, None, 100, None)
    assert [m.document_id for m in page.items] == ["R-1"]
    # ... and a read model that can apply it is not held up by the one that cannot.
    assert models.wait_for(ledger.head(), timeout=0.01) is False
    wait_until(lambda: _by_name(models)["balances"]["position"] == ledger.head(), 30, "balances")
    assert _by_name(models)["balances"]["state"] == "live"
    assert models.stock.balance("A", "main").on_hand == Decimal(9)
    report = models.verify()
    assert not report.ok
    assert any(
        p.startswith(f"movements: failing: its runner cannot apply the event at position {bad}")
        for p in report.problems
    ), report.problems


def test_a_failure_clears_once_a_runner_applies_past_it(
    settings: Settings, ledger: Ledger, models: ReadModels
) -> None:
    bad = _broken(ledger)
    models.start()
    wait_until(lambda: _by_name(models)["movements"]["state"] == "failing", 30, "failing")
    models.close()
    # The movement put back as it was (a fixed projector deployed would do as well): the
    # next process's runner finds the recorded failure, applies past it and clears it.
    with Ledger(settings) as again:  # (its start puts SQLite's append-only trigger back)
        rewrite_movements(
            again,
            StockItem.create_id("A", "main"),
            lambda e: {"on_hand_delta": -e.quantity} if e.document_id == "C-1" else {},
            rehash=False,
        )
    fresh = ReadModels(settings, ledger)
    try:
        assert _by_name(fresh)["movements"]["failing"]["position"] == bad
        fresh.start()
        assert fresh.wait_for(ledger.head(), timeout=30)
        movements = _by_name(fresh)["movements"]
        assert (movements["state"], movements["failing"]) == ("live", None)
        page = fresh.movements.history("A", "main", None, None, None, 100, None)
        assert [m.document_id for m in page.items] == ["R-1", "C-1", "R-2"]
    finally:
        fresh.close()


def test_a_rebuild_request_shows_rebuilding_before_its_runner_reads_it(
    ledger: Ledger, models: ReadModels
) -> None:
    _receive(ledger, "R-1")
    models.start()
    assert models.wait_for(ledger.head(), timeout=30)
    models.stop()  # nobody reads the request yet
    ledger.request_rebuild("balances", user="admin")
    states = {name: s["state"] for name, s in _by_name(models).items()}
    assert states["balances"] == "rebuilding"
    assert states["movements"] == "stopped"  # behind by the request, and nobody follows it
    models.start()
    wait_until(lambda: _by_name(models)["balances"]["state"] == "live", 60, "rebuilt")
    # Every other runner follows again too (each takes its place when it starts: on a busy
    # machine the rebuilt one can be live before the last of them is).
    wait_until(lambda: {s["state"] for s in models.status()} == {"live"}, 60, "all live")


def test_a_read_model_no_runner_follows_shows_stopped_with_its_lag(
    settings: Settings, ledger: Ledger, models: ReadModels
) -> None:
    _receive(ledger, "R-1")
    models.start()
    assert models.wait_for(ledger.head(), timeout=30)
    models.stop()
    _receive(ledger, "R-2")
    status = _by_name(models)
    assert {s["state"] for s in status.values()} == {"stopped"}
    assert status["balances"]["lag"] > 0
    # Another process's view of the same store says the same.
    other = ReadModels(settings, ledger)
    try:
        assert {s["state"] for s in other.status()} == {"stopped"}
        other.start()
        assert other.wait_for(ledger.head(), timeout=30)
        assert {s["state"] for s in models.status()} == {"live"}
    finally:
        other.close()


def test_verify_refuses_read_models_missing_beside_a_ledger_that_has_events(
    settings: Settings, ledger: Ledger, models: ReadModels
) -> None:
    _receive(ledger, "R-1")
    models.rebuild("all")
    assert models.verify().ok
    models.close()
    # The ledger restored without its read models.
    db = Database(settings)
    with db.session() as session, session.transaction():
        for table in session.tables("rm_"):
            session.execute(f"DROP TABLE {table}")
    db.close()
    fresh = ReadModels(settings, ledger)
    try:
        report = fresh.verify()
        assert not report.ok
        assert any(p.startswith("balances: empty: it has read none of") for p in report.problems)
        assert not any(p.startswith("items") for p in report.problems)  # no items: none
        fresh.rebuild("all")
        assert fresh.verify().ok
    finally:
        fresh.close()


def test_verify_refuses_a_read_model_further_behind_than_max_lag(
    ledger: Ledger, models: ReadModels
) -> None:
    _receive(ledger, "R-1")
    models.rebuild("all")
    for n in range(3):
        _receive(ledger, f"R-{n + 2}")
    lag = _by_name(models)["balances"]["lag"]
    report = models.verify(max_lag=lag)
    assert report.ok, report.problems
    assert any(n.startswith(f"balances: {lag} events behind the head") for n in report.notes)
    report = models.verify(max_lag=lag - 1)
    assert any(
        p.startswith(f"balances: {lag} events behind the ledger's head") for p in report.problems
    ), report.problems
