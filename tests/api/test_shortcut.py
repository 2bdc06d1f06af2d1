"""A command's route is the first the router tries (api.main, api.command_route): no other
route is asked about a command, and its answers, problems, log lines and metrics are the
ones it gives wherever it sits in the route table."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from fastapi import FastAPI
from starlette.routing import BaseRoute, Match
from starlette.types import Receive, Scope, Send

from api.command_route import CommandRoute
from tests.api.conftest import Api, receipt
from tests.api.test_one_hop import CASES, _send


class Counted(BaseRoute):
    """A route of the table behind the command routes, counting the requests it is asked
    about (public Starlette ``BaseRoute``: ``matches`` and ``handle``)."""

    def __init__(self, route: BaseRoute, paths: list[str]) -> None:
        self.route = route
        self.paths = paths

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        self.paths.append(scope["path"])
        return self.route.matches(scope)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.route.handle(scope, receive, send)

    def url_path_for(self, name: str, /, **path_params: Any) -> Any:
        return self.route.url_path_for(name, **path_params)


@pytest.fixture
def app(api: Api) -> FastAPI:
    app: FastAPI = api.client.app  # type: ignore[assignment]
    return app


@pytest.fixture
def others(app: FastAPI, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The paths every route after the command routes was asked about (one entry per
    route asked: a request no route takes is counted once per route)."""
    paths: list[str] = []
    table = app.router.routes
    commands = [route for route in table if isinstance(route, CommandRoute)]
    rest = [Counted(r, paths) for r in table[1:] if not isinstance(r, CommandRoute)]
    monkeypatch.setattr(app.router, "routes", [table[0], *commands, *rest])
    return paths


def test_a_command_is_served_without_asking_any_other_route(api: Api, others: list[str]) -> None:
    answers = [
        api.post("/api/receipts", receipt(f"R-{n}", qty="3"), role="clerk") for n in (1, 2, 3)
    ]
    assert [r.status_code for r in answers] == [201, 201, 201]
    assert others == []  # no route but the command's was asked
    position = answers[-1].json()["position"]
    balance = api.get(f"/api/stock/AB-001/main?min_position={position}").json()
    assert balance["on_hand"] == "9"
    assert others  # a read is found among the other routes


def test_paths_with_parameters_are_commands_too_and_other_requests_go_on(
    api: Api, others: list[str]
) -> None:
    assert api.post("/api/quotes/Q-9/close", role="clerk").status_code == 404  # no such quote
    assert others == []
    assert api.get("/api/stock/AB-001/main").status_code == 200
    assert api.post("/api/nowhere", {}, role="clerk").status_code == 404
    wrong = api.client.get("/api/receipts")  # a command's path, another method
    assert (wrong.status_code, wrong.headers["allow"]) == (405, "POST")
    # (the router also tries an unknown path with a slash added, to redirect)
    tried = {path.rstrip("/") for path in others}
    assert tried == {"/api/stock/AB-001/main", "/api/nowhere", "/api/receipts"}


@pytest.mark.parametrize("case", CASES, ids=[case[0] for case in CASES])
def test_an_answer_is_the_same_with_the_command_routes_last(
    api: Api,
    app: FastAPI,
    monkeypatch: pytest.MonkeyPatch,
    case: tuple[str, str, Any, str | None, dict[str, str]],
) -> None:
    _, path, body, role, headers = case
    first = _send(api, path, body, role, headers)  # the command routes first, as served
    table = app.router.routes
    commands = [route for route in table if isinstance(route, CommandRoute)]
    rest = [route for route in table if not isinstance(route, CommandRoute)]
    monkeypatch.setattr(app.router, "routes", [*rest, *commands])
    last = _send(api, path, body, role, headers)
    assert last.status_code == first.status_code
    assert last.headers["content-type"] == first.headers["content-type"]
    assert last.headers.get("www-authenticate") == first.headers.get("www-authenticate")
    assert last.json() == first.json()


def test_the_log_line_and_metrics_name_the_route(
    api: Api, others: list[str], caplog: pytest.LogCaptureFixture
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
    assert others == []
    text = api.get("/metrics", role="viewer").text
    series = 'stockledger_http_requests_total{method="POST",route="/api/receipts",status="%s"} %s'
    assert series % (201, "3.0") in text
    assert series % (422, "1.0") in text
    assert 'stockledger_commands_total{kind="receipt",outcome="created"} 3.0' in text
    assert 'stockledger_commands_total{kind="receipt",outcome="refused"} 1.0' in text
