"""A command route the router found once is served directly afterwards (api.shortcut), and
its answers, problems, log lines and metrics are the ones the router's path gives."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from starlette.types import ASGIApp, Receive, Scope, Send

from api.shortcut import Shortcut
from tests.api.conftest import Api, receipt
from tests.api.test_one_hop import CASES, _send, _through_fastapi

RECEIPTS = ("POST", "", "/api/receipts")


class Counted:
    """The app inside the shortcut (the router and its handlers), counting its requests."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.paths: list[str] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.paths.append(scope["path"])
        await self.app(scope, receive, send)


@pytest.fixture
def app(api: Api) -> Iterator[FastAPI]:
    app: FastAPI = api.client.app  # type: ignore[assignment]
    yield app
    app.dependency_overrides.clear()


def _shortcut(app: FastAPI) -> Shortcut:
    layer: Any = app.middleware_stack
    while not isinstance(layer, Shortcut):
        layer = layer.app
    return layer


@pytest.fixture
def router(api: Api, app: FastAPI) -> Counted:
    api.get("/health")  # builds the middleware stack
    shortcut = _shortcut(app)
    counted = shortcut.app = Counted(shortcut.app)
    return counted


def test_a_command_route_is_learned_then_served_without_the_router(
    api: Api, app: FastAPI, router: Counted
) -> None:
    first = api.post("/api/receipts", receipt("R-1", qty="3"), role="clerk")
    assert RECEIPTS in _shortcut(app).known
    later = [api.post("/api/receipts", receipt(f"R-{n}", qty="3"), role="clerk") for n in (2, 3)]
    assert [r.status_code for r in (first, *later)] == [201, 201, 201]
    assert router.paths == ["/api/receipts"]  # the two later ones never reached the router
    position = later[-1].json()["position"]
    balance = api.get(f"/api/stock/AB-001/main?min_position={position}").json()
    assert balance["on_hand"] == "9"
    _through_fastapi(app)  # overrides: every route through FastAPI's handler again
    assert api.post("/api/receipts", receipt("R-4"), role="clerk").status_code == 201
    assert router.paths[-1] == "/api/receipts"


def test_paths_with_parameters_and_other_routes_are_left_to_the_router(
    api: Api, app: FastAPI, router: Counted
) -> None:
    for _ in range(2):
        api.post("/api/quotes/Q-9/close", role="clerk")
        api.get("/api/stock/AB-001/main")
        api.post("/api/nowhere", {}, role="clerk")
        api.client.get("/api/receipts")  # a command's path, another method: 405
    assert _shortcut(app).known == {}
    assert len(router.paths) == 8


@pytest.mark.parametrize("case", CASES, ids=[case[0] for case in CASES])
def test_an_answer_is_the_same_through_the_shortcut(
    api: Api, app: FastAPI, router: Counted, case: tuple[str, str, Any, str | None, dict[str, str]]
) -> None:
    _, path, body, role, headers = case
    found = _send(api, path, body, role, headers)  # the first: through the router
    fixed = path.split("?")[0]
    if "quotes" not in path:
        _send(api, fixed, {"lines": []}, "clerk", {})  # learnt now, if the first taught nothing
        assert ("POST", "", fixed) in _shortcut(app).known
    seen = len(router.paths)
    direct = _send(api, path, body, role, headers)
    assert len(router.paths) == seen + ("quotes" in path)  # a fixed path: not the router
    assert direct.status_code == found.status_code
    assert direct.headers["content-type"] == found.headers["content-type"]
    assert direct.headers.get("www-authenticate") == found.headers.get("www-authenticate")
    assert direct.json() == found.json()


def test_the_log_line_and_metrics_name_the_route_either_way(
    api: Api, app: FastAPI, router: Counted, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="stockledger.http"):
        for n in range(3):
            api.post("/api/receipts", receipt(f"R-{n}"), role="clerk")
        api.post("/api/receipts", {"lines": []}, role="clerk")
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "stockledger.http"]
    assert [(line["route"], line["status"], line["user"]) for line in lines] == [
        ("/api/receipts", 201, "clerk"),
        ("/api/receipts", 201, "clerk"),
        ("/api/receipts", 201, "clerk"),
        ("/api/receipts", 422, "clerk"),
    ]
    assert [line["position"] is not None for line in lines] == [True, True, True, False]
    assert router.paths == ["/api/receipts"]
    text = api.get("/metrics", role="viewer").text
    series = 'stockledger_http_requests_total{method="POST",route="/api/receipts",status="%s"} %s'
    assert series % (201, "3.0") in text
    assert series % (422, "1.0") in text
    assert 'stockledger_commands_total{kind="receipt",outcome="created"} 3.0' in text
    assert 'stockledger_commands_total{kind="receipt",outcome="refused"} 1.0' in text
