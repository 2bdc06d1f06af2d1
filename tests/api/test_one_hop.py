"""Command routes (api.command_route) answer exactly as FastAPI's handler would.

Each request below goes once through the command route's own handler, which serves it in
one hop to a worker thread, and once through FastAPI's handler of the same declaration
(``CommandRoute.reference``), and both answers must match: the order of 400/401/403/422,
the problem bodies and headers, the answers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi import FastAPI

from api.command_route import CommandRoute
from application.ledger import Ledger
from tests.api.conftest import Api, receipt

LINE = {"sku": "AB-001", "quantity": "2", "unit_cost": "1.50"}
BAD_LINE = {"sku": "AB-001", "quantity": "1e3", "unit_cost": "1.50"}

JSON = {"content-type": "application/json"}
BAD_KEY = {"Authorization": "Bearer sl_000000000000_" + "a" * 43}
BAD_RECEIPT = {"receipt_id": "X", "location": "main", "lines": [BAD_LINE]}
SHORT = {"delivery_id": "D-1", "location": "main", "lines": [{"sku": "NONE", "quantity": "1"}]}
CLOSE = "/api/quotes/{}/close"

# (name, path, body or raw bytes, role, extra headers)
CASES: list[tuple[str, str, Any, str | None, dict[str, str]]] = [
    ("no key, bad body", "/api/receipts", BAD_RECEIPT, None, {}),
    ("viewer, bad body", "/api/receipts", BAD_RECEIPT, "viewer", {}),
    ("clerk, bad line", "/api/receipts", BAD_RECEIPT, "clerk", {}),
    ("clerk, missing fields", "/api/receipts", {"lines": []}, "clerk", {}),
    ("clerk, no body", "/api/receipts", None, "clerk", {}),
    ("clerk, not JSON", "/api/receipts", b'{"receipt_id": ', "clerk", JSON),
    ("no key, not JSON", "/api/receipts", b'{"receipt_id": ', None, JSON),
    ("clerk, duplicate key", "/api/receipts", b'{"a": 1, "a": 2}', "clerk", JSON),
    ("clerk, text body", "/api/receipts", b'{"a": 1}', "clerk", {"content-type": "text/plain"}),
    ("clerk, no content type", "/api/receipts", b'{"a": 1}', "clerk", {"content-type": ""}),
    ("bad key", "/api/receipts", {"receipt_id": "X"}, None, BAD_KEY),
    ("basic auth", "/api/receipts", {"receipt_id": "X"}, None, {"Authorization": "Basic abc"}),
    ("unknown query", "/api/receipts?dry=1", {"receipt_id": "X"}, None, {}),
    ("bad path, no key", CLOSE.format("bad id"), None, None, {}),
    ("bad path, clerk", CLOSE.format("bad id"), None, "clerk", {}),
    ("unknown quote", CLOSE.format("Q-404"), None, "clerk", {}),
    ("viewer closes", CLOSE.format("Q-404"), None, "viewer", {}),
    ("shortage", "/api/deliveries", SHORT, "clerk", {}),
]


@pytest.fixture
def app(api: Api) -> FastAPI:
    app: FastAPI = api.client.app  # type: ignore[assignment]
    return app


@pytest.fixture
def through_fastapi(app: FastAPI, monkeypatch: pytest.MonkeyPatch) -> Callable[[], None]:
    """Sends every command route's requests through FastAPI's handler of its declaration
    from the call on (undone after the test)."""

    def switch() -> None:
        for route in command_routes(app):
            monkeypatch.setattr(route, "app", route.reference)

    return switch


def command_routes(app: FastAPI) -> list[CommandRoute]:
    return [route for route in app.router.routes if isinstance(route, CommandRoute)]


def _send(api: Api, path: str, body: Any, role: str | None, headers: dict[str, str]) -> Any:
    headers = {**api.headers(role), **headers}
    if isinstance(body, bytes):
        return api.client.post(path, content=body, headers=headers)
    return api.client.post(path, json=body, headers=headers)


@pytest.mark.parametrize("case", CASES, ids=[case[0] for case in CASES])
def test_an_answer_is_the_same_through_either_path(
    api: Api,
    through_fastapi: Callable[[], None],
    case: tuple[str, str, Any, str | None, dict[str, str]],
) -> None:
    _, path, body, role, headers = case
    one_hop = _send(api, path, body, role, headers)
    through_fastapi()
    fastapi = _send(api, path, body, role, headers)
    assert one_hop.status_code == fastapi.status_code
    assert one_hop.headers["content-type"] == fastapi.headers["content-type"]
    assert one_hop.headers.get("www-authenticate") == fastapi.headers.get("www-authenticate")
    assert one_hop.json() == fastapi.json()
    assert one_hop.status_code in (400, 401, 403, 404, 409, 415, 422)


def test_a_posted_document_answers_the_same_and_its_repeat_too(
    api: Api, through_fastapi: Callable[[], None]
) -> None:
    first = api.post("/api/receipts", receipt("R-1", qty="3"), role="clerk")
    again = api.post("/api/receipts", receipt("R-1", qty="3"), role="clerk")
    through_fastapi()
    fastapi = api.post("/api/receipts", receipt("R-1", qty="3"), role="clerk")
    other = api.post("/api/receipts", receipt("R-2", qty="3"), role="clerk")
    assert (first.status_code, again.status_code, fastapi.status_code) == (201, 200, 200)
    assert first.json() == again.json() == fastapi.json()
    assert other.status_code == 201
    assert other.json().keys() == first.json().keys()
    position = other.json()["position"]
    balance = api.get(f"/api/stock/AB-001/main?min_position={position}").json()
    assert balance["on_hand"] == "6"


def test_a_key_revoked_by_another_process_stops_a_command_at_once(any_api: Api) -> None:
    # SPEC §7: a revoked key stops working at once in every process. The command path
    # checks the key itself (api.command_route); another Ledger on the store is another
    # process.
    app: FastAPI = any_api.client.app  # type: ignore[assignment]
    key_id, token = app.state.ledger.issue_key("eve", "clerk", issued_by="test")
    headers = {"Authorization": f"Bearer {token}"}
    first = any_api.client.post("/api/receipts", json=receipt("R-1"), headers=headers)
    assert first.status_code == 201
    with Ledger(app.state.settings) as elsewhere:
        elsewhere.revoke_key(key_id, revoked_by="admin")
    head = any_api.head
    refused = any_api.client.post("/api/receipts", json=receipt("R-2"), headers=headers)
    assert (refused.status_code, refused.json()["code"]) == (401, "unauthorized")
    assert any_api.head == head  # nothing recorded


def test_commands_take_the_one_hop_path_and_reads_do_not(
    api: Api, through_fastapi: Callable[[], None], monkeypatch: pytest.MonkeyPatch
) -> None:
    served: list[str] = []
    hop = CommandRoute.hop  # the one hop to a worker thread

    def spied(self: CommandRoute, request: Any, body: Any) -> Any:
        served.append(request.url.path)
        return hop(self, request, body)

    monkeypatch.setattr(CommandRoute, "hop", spied)
    api.post("/api/receipts", receipt("R-1"), role="clerk")
    api.post("/api/quotes/Q-9/close", role="clerk")
    api.get("/api/stock/AB-001/main")
    through_fastapi()
    assert api.post("/api/receipts", receipt("R-2"), role="clerk").status_code == 201
    assert served == ["/api/receipts", "/api/quotes/Q-9/close"]


def test_every_command_route_is_served_in_one_hop(app: FastAPI) -> None:
    planned = {(method, route.path) for route in command_routes(app) for method in route.methods}
    commands = {
        ("POST", "/api/receipts"),
        ("POST", "/api/deliveries"),
        ("POST", "/api/transfers"),
        ("POST", "/api/quotes"),
        ("POST", "/api/quotes/{quote_id}/close"),
        ("POST", "/api/sales"),
    }
    assert commands <= planned
    # Their callers' keys are checked by their saves (application.keys): every command
    # route writes through the ledger's saves only. Deleting a webhook writes its own
    # table, so FastAPI serves it, asking the store about the key first.
    assert ("DELETE", "/api/webhooks/{webhook_id}") not in planned
    # Reads wait on the read models (min_position) and stay with FastAPI.
    assert ("GET", "/api/stock/{sku}/{location}") not in planned
    # The command routes come first in the route table: nothing is tried before them
    # but the OpenAPI document's route.
    first = app.router.routes[1 : len(planned) + 1]
    assert all(isinstance(route, CommandRoute) for route in first)
