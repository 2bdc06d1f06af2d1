"""min_position on every query: wait for it (even beyond the head), else 503 projection_lagging."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

from application.settings import Settings
from tests.api.conftest import Api, _api, receipt

QUERIES = (
    "/api/stock",
    "/api/stock/AB-001",
    "/api/stock/AB-001/main",
    "/api/stock/AB-001/main/at?time=2026-03-14T10:00:00%2B00:00",
    "/api/stock/AB-001/main/movements",
    "/api/quotes/Q-1",
    "/api/reports/cogs",
    "/api/reports/valuation",
    "/api/periods",
    "/api/periods/2026-01",
    "/api/projections",
)


@pytest.fixture
def quick_api(settings: Settings) -> Iterator[Api]:
    """The app on each backend, waiting 0.5 s (not 5 s) for min_position."""
    yield from _api(settings.model_copy(update={"read_your_writes_wait": 0.5}))


@pytest.mark.parametrize("path", QUERIES)
def test_a_position_beyond_the_head_answers_503_projection_lagging_after_waiting(
    quick_api: Api, path: str
) -> None:
    quick_api.post("/api/receipts", receipt("R-1"), role="clerk")
    beyond = quick_api.head + 1000
    separator = "&" if "?" in path else "?"
    response = quick_api.get(f"{path}{separator}min_position={beyond}", role="finance")
    assert response.status_code == 503, response.json()
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "projection_lagging"


def test_a_position_written_while_the_query_waits_is_seen(quick_api: Api) -> None:
    read_models = quick_api.client.app.state.read_models  # type: ignore[attr-defined]
    # A wait long enough that the write below lands inside it on a slow machine too.
    settings = read_models.settings.model_copy(update={"read_your_writes_wait": 30.0})
    read_models.settings = settings
    target = quick_api.head + 1
    waiting = threading.Event()
    original = read_models.wait_for

    def wait_for(position: int, timeout: float) -> bool:
        waiting.set()
        return bool(original(position, timeout))

    read_models.wait_for = wait_for
    written: list[Any] = []

    def write() -> None:
        assert waiting.wait(30)
        written.append(quick_api.post("/api/receipts", receipt("R-LATE"), role="clerk"))

    writer = threading.Thread(target=write)
    writer.start()
    try:
        response = quick_api.get(f"/api/stock/AB-001/main?min_position={target}", role="viewer")
    finally:
        writer.join(30)
    assert written[0].status_code == 201
    assert response.status_code == 200, response.json()
    assert response.json()["position"] >= target
    assert Decimal(response.json()["on_hand"]) == 20
