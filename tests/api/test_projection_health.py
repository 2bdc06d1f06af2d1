"""What the API, the metrics and the console say of a read model (issue 27): ``failing``
with the position and error of an event its runner cannot apply; ``rebuilding`` right after
a rebuild is asked for. And the console's COGS drill-down: without ``column`` it answers;
its figure and its rows tie."""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

from application.commands import Line, PostConsumption, PostReceipt, ReceiptLine
from application.events import LedgerEvents
from application.ledger import Ledger
from application.settings import Settings
from domain.stock_item import StockItem
from projections.db import Database
from projections.registry import rebuild_lock
from tests.api.conftest import Api, _api, post_history, receipt
from tests.api.test_metrics import scrape, value
from tests.console.conftest import Console, views_held
from tests.projections.conftest import wait_until
from tests.tamper import rewrite_movements


@pytest.fixture
def broken_api(settings: Settings) -> Iterator[tuple[Api, int]]:
    """The app on a ledger whose consumption C-1 was rewritten by a superuser into a movement
    no read model of movements can store (its on-hand delta gone); and C-1's position."""
    with Ledger(settings) as ledger:
        line = ReceiptLine("A", Decimal(5), Decimal(2))
        ledger.execute(PostReceipt("R-1", "main", [line]), user="u")
        ledger.execute(PostConsumption("C-1", "main", [Line("A", Decimal(1))]), user="u")
        (consumed,) = LedgerEvents(ledger).read(0, 100, topics=[StockItem.Consumed.TOPIC])
        bad = consumed.position
        rewrite_movements(
            ledger,
            StockItem.create_id("A", "main"),
            lambda e: {"on_hand_delta": None} if e.document_id == "C-1" else {},
            rehash=False,
        )
    yield from ((api, bad) for api in _api(settings))


def _statuses(api: Api) -> dict[str, dict[str, Any]]:
    answer = api.get("/api/projections", role="viewer")
    assert answer.status_code == 200, answer.text
    return {row["name"]: row for row in answer.json()}


def test_a_projection_that_cannot_apply_an_event_shows_failing_in_the_api_metrics_and_console(
    broken_api: tuple[Api, int],
) -> None:
    api, bad = broken_api
    wait_until(lambda: _statuses(api)["movements"]["state"] == "failing", 30, "failing")
    movements = _statuses(api)["movements"]
    assert movements["failing"]["position"] == bad
    assert "on_hand_delta" in movements["failing"]["error"]
    assert movements["position"] < bad
    assert _statuses(api)["balances"]["failing"] is None

    samples = scrape(api)
    failing = {"projection": "movements", "state": "failing"}
    assert value(samples, "stockledger_projection_state", **failing) == 1
    live = {"projection": "movements", "state": "live"}
    assert value(samples, "stockledger_projection_state", **live) == 0
    position = value(samples, "stockledger_projection_failing_position", projection="movements")
    assert position == bad
    assert value(samples, "stockledger_projection_failing_position", projection="balances") == 0

    console = Console(api.client, api.tokens).sign_in("viewer")
    page = console.get("/projections").text
    assert 'data-name="movements" data-state="failing"' in page
    assert f'<p class="failing" data-position="{bad}">' in page
    assert f"cannot apply the event at position {bad}" in page


def test_right_after_a_rebuild_is_asked_for_the_projection_shows_rebuilding(
    settings: Settings, any_api: Api
) -> None:
    assert any_api.post("/api/receipts", receipt("R-1")).status_code == 201
    # Another process's rebuild of balances holds its lock (so this one cannot finish first
    # and the answer below cannot be a "live" after the switch-over).
    db = Database(settings)
    try:
        with rebuild_lock(db, "balances", wait=False):
            answer = any_api.post("/api/projections/balances/rebuild")
            assert answer.status_code == 202
            assert answer.json() == {"name": "balances", "state": "rebuilding"}
            states = _statuses(any_api)
            assert states["balances"]["state"] == "rebuilding"
            wait_until(
                lambda: _statuses(any_api)["movements"]["position"] >= any_api.head, 30, "read"
            )
            assert _statuses(any_api)["balances"]["state"] == "rebuilding"
    finally:
        db.close()


def test_the_cogs_drill_down_without_a_column_shows_net_cogs_and_refuses_a_group_name(
    tmp_path: Any,
) -> None:
    settings = Settings(database_url=None, data_dir=tmp_path / "var")
    post_history(settings)
    for api in _api(settings):
        console = Console(api.client, api.tokens).sign_in("finance")
        base = "/cogs/movements?period=2025-01&location=main&sku=AB-001"
        answer = console.get(base)
        assert answer.status_code == 200, answer.text[-500:]
        assert "<h1>Net COGS of AB-001" in answer.text  # the title in words (f89d712)
        assert _figures(answer.text) == ("15.00", "15.00")
        assert answer.text == console.get(base + "&column=net_cogs").text
        for column in ("net", "nonsense"):
            refused = console.get(f"{base}&column={column}")
            assert refused.status_code == 422, refused.text[-500:]
            assert f"unknown column {column}" in refused.text


def _figures(page: str) -> tuple[str, str]:
    """A drill-down page's figure (the COGS read model) and its rows' sum (the journal's)."""
    figure = re.search(r'id="figure">([^<]+)<', page)
    rows_sum = re.search(r'id="rows-sum">([^<]+)<', page)
    assert figure and rows_sum, page[-900:]
    return figure[1], rows_sum[1]


def test_the_cogs_drill_down_waits_for_its_read_models_to_read_the_ledger(tmp_path: Any) -> None:
    """History posted while the read models cannot write (another connection holds the read
    models' store for a moment): the drill-down asked at once waits for them, and its figure
    and rows tie at the ledger's head instead of showing nothing."""
    settings = Settings(database_url=None, data_dir=tmp_path / "var")
    for api in _api(settings):
        console = Console(api.client, api.tokens).sign_in("finance")
        console.settle()
        with views_held(settings):
            post_history(settings)
            answer = console.get("/cogs/movements?period=2025-01&location=main&sku=AB-001")
        assert answer.status_code == 200, answer.text[-500:]
        assert _figures(answer.text) == ("15.00", "15.00")
