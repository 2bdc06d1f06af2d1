"""The edges of issue 27.4 (both backends): a delivery resting on a forged movement answers
503 problem+json ``ledger_tampered`` and records nothing; /metrics counts it; the console's
home page says so. Without the key the same delivery goes through, as before."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from application.settings import Settings
from domain.stock_item import StockItem
from tests.api.conftest import ROLES, Api, receipt
from tests.console.conftest import Console
from tests.tamper import forge_movement

KEY = "a-ledger-key-kept-outside-the-database-0123456789"
ITEM = StockItem.create_id("AB-001", "main")


def delivery(qty: str) -> dict[str, Any]:
    lines = [{"sku": "AB-001", "quantity": qty}]
    return {"delivery_id": "D-1", "location": "main", "lines": lines}


def _client(settings: Settings, key: str | None) -> Iterator[tuple[Api, Console]]:
    keyed = Settings(database_url=settings.database_url, data_dir=settings.data_dir, ledger_key=key)
    app = create_app(keyed)
    ledger = app.state.ledger
    tokens = {role: ledger.issue_key(role, role, issued_by="test")[1] for role in ROLES}
    with TestClient(app, raise_server_exceptions=False) as client:
        yield Api(client, tokens), Console(client, tokens)


@pytest.fixture
def keyed(settings: Settings) -> Iterator[tuple[Api, Console]]:
    yield from _client(settings, KEY)


@pytest.fixture
def unkeyed(settings: Settings) -> Iterator[tuple[Api, Console]]:
    yield from _client(settings, None)


def _forge(api: Api) -> Any:
    assert api.post("/api/receipts", receipt("R-1", qty="10")).status_code == 201
    ledger = api.client.app.state.ledger  # type: ignore[attr-defined]
    forge_movement(ledger, ITEM, Decimal(400))
    return ledger


def test_a_delivery_resting_on_a_forged_receipt_is_a_503_ledger_tampered_recording_nothing(
    keyed: tuple[Api, Console],
) -> None:
    api, console = keyed
    ledger = _forge(api)
    head = api.head
    refused = api.post("/api/deliveries", delivery("400"), role="clerk")
    assert refused.status_code == 503, refused.text
    assert refused.headers["content-type"].startswith("application/problem+json")
    problem = refused.json()
    assert problem["code"] == "ledger_tampered"
    assert "AB-001@main" in problem["detail"] and KEY not in refused.text
    assert api.head == head
    assert ledger.authenticity.refusals == 1
    metrics = api.get("/metrics", role="viewer").text
    assert "stockledger_ledger_tampered_total 1.0" in metrics
    home = console.sign_in("viewer").get("/")
    assert home.status_code == 200, home.text
    assert 'id="ledger-tampered"' in home.text and "AB-001@main" in home.text


def test_an_honest_ledger_with_a_key_answers_as_usual_and_home_goes_to_the_dashboard(
    keyed: tuple[Api, Console],
) -> None:
    api, console = keyed
    assert api.post("/api/receipts", receipt("R-1", qty="10")).status_code == 201
    delivered = api.post("/api/deliveries", delivery("4"))
    assert delivered.status_code == 201, delivered.text
    assert "stockledger_ledger_tampered_total 0.0" in api.get("/metrics", role="viewer").text
    home = console.sign_in("viewer").get("/")
    assert (home.status_code, home.headers["location"]) == (303, "/dashboard")


def test_without_a_key_the_forged_receipt_is_not_detected_as_before(
    unkeyed: tuple[Api, Console],
) -> None:
    api, _ = unkeyed
    _forge(api)
    assert api.post("/api/deliveries", delivery("400"), role="clerk").status_code == 201
