"""Tenants over HTTP (issue 17 part 3): two tenants on one server, each in its own store
(two PostgreSQL databases, or two SQLite directories), isolated through every endpoint.

Both tenants run the same sequence of commands, with the same document ids, each with its
own content ("acme…" and "beta…"). The endpoints come from the app's OpenAPI document, so
a new endpoint fails ``test_every_endpoint_is_covered`` until this file exercises it.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import uvicorn

from api.main import create_app
from application.settings import Settings
from cli.db import migrate_store
from tenancy.provision import create_tenant
from tests.pgserver import PostgresServer, free_port
from tests.receiver import Receiver, allow_loopback, wait_for

NOW = datetime.now(UTC)
LAST_MONTH = f"{(NOW.replace(day=1) - timedelta(days=1)):%Y-%m}"
PATH_PARAMS = {
    "receipt_id": "R-1",
    "quote_id": "Q-1",
    "sku": "TS-1",
    "location": "main",
    "code": "main",
    "period": LAST_MONTH,
    "name": "balances",
    "menu_item": "burger",
    "sale_id": "S-1",
    "count_id": "CS-1",
    "po_id": "PO-1",
    "webhook_id": "wh_0123456789abcdef",  # replaced by the tenant's newest webhook, if any
}
QUERY = {"time": NOW.isoformat(), "location": "main", "period": f"{NOW:%Y-%m}", "sku": "TS-1"}
# Path parameters that differ for one write: the second quote is the one cancelled.
OVERRIDES = {
    "/api/quotes/{quote_id}/cancel": {"quote_id": "Q-2"},
    "/api/purchase-orders/{po_id}/cancel": {"po_id": "PO-2"},
}
ROLES = ("inventory", "grni", "cogs", "food_cost", "waste", "shrinkage", "cost_variance")
# Not answered as JSON pages: checked by read_stream.
STREAMS = {"/api/events/stream"}

Body = Callable[[str, str], Any]  # (content marker, receiver url) -> JSON body


def _line(qty: str) -> list[dict[str, str]]:
    return [{"sku": "TS-1", "quantity": qty}]


def _quote(quote_id: str, qty: str) -> Body:
    return lambda m, _: {
        "quote_id": quote_id,
        "customer": f"{m} customer",
        "location": "main",
        "lines": [{"sku": "TS-1", "quantity": qty, "unit_price": "9"}],
    }


def _order(po_id: str, qty: str) -> Body:
    return lambda m, _: {
        "po_id": po_id,
        "supplier": "main",
        "location": "main",
        "lines": [{"sku": "TS-1", "quantity": qty, "unit_price": "2.5"}],
    }


def _full_count(count_id: str) -> Body:
    return lambda m, _: {"count_id": count_id, "location": "main", "kind": "full", "note": m}


# Every command and change, in the order each tenant posts them (method, path, body).
WRITES: list[tuple[str, str, Body]] = [
    ("POST", "/api/webhooks", lambda m, url: {"url": url, "description": f"{m} hook"}),
    ("PUT", "/api/items/{sku}", lambda m, _: {"name": f"{m} widget", "base_unit": "each"}),
    ("PUT", "/api/locations/{code}", lambda m, _: {"name": f"{m} hall", "kind": "warehouse"}),
    (
        "POST",
        "/api/receipts",
        lambda m, _: {
            "receipt_id": "R-1",
            "location": "main",
            "lines": [{"sku": "TS-1", "quantity": "40", "unit_cost": "2.5"}],
            "note": f"{m} supplier",
        },
    ),
    (
        "PUT",
        "/api/recipes/{menu_item}",
        lambda m, _: {"name": f"{m} burger", "lines": [{"sku": "TS-1", "quantity": "1"}]},
    ),
    (
        "POST",
        "/api/sales",
        lambda m, _: {
            "sale_id": "S-1",
            "location": "main",
            "lines": [{"menu_item": "burger", "quantity": "2", "unit_price": "9"}],
            "note": f"{m} table 4",
        },
    ),
    (  # the second portion sent back (SPEC §17)
        "POST",
        "/api/sales/{sale_id}/void",
        lambda m, _: {"void_id": "V-1", "note": f"{m} sent back"},
    ),
    (  # burger becomes a prep recipe (SPEC §16): two per batch, made from TS-1
        "PUT",
        "/api/recipes/{menu_item}",
        lambda m, _: {
            "name": f"{m} burger",
            "lines": [{"sku": "TS-1", "quantity": "1"}],
            "produces": {"quantity": "2"},
        },
    ),
    (
        "POST",
        "/api/productions",
        lambda m, _: {
            "production_id": "P-1",
            "location": "main",
            "recipe": "burger",
            "batches": "1",
            "note": f"{m} prep",
        },
    ),
    ("POST", "/api/quotes", _quote("Q-1", "5")),
    ("POST", "/api/quotes/{quote_id}/close", lambda m, _: None),
    (
        "POST",
        "/api/deliveries",
        lambda m, _: {
            "delivery_id": "D-1",
            "location": "main",
            "quote_id": "Q-1",
            "lines": _line("5"),
        },
    ),
    (
        "POST",
        "/api/returns",
        lambda m, _: {"return_id": "RT-1", "delivery_id": "D-1", "lines": _line("1"), "note": m},
    ),
    ("POST", "/api/quotes", _quote("Q-2", "1")),
    ("POST", "/api/quotes/{quote_id}/cancel", lambda m, _: None),
    (
        "POST",
        "/api/transfers",
        lambda m, _: {
            "transfer_id": "T-1",
            "from_location": "main",
            "to_location": "bar",
            "lines": _line("3"),
            "note": m,
        },
    ),
    (
        "POST",
        "/api/consumptions",
        lambda m, _: {"consumption_id": "C-1", "location": "main", "lines": _line("2"), "note": m},
    ),
    (
        "POST",
        "/api/waste",
        lambda m, _: {"waste_id": "W-1", "location": "main", "lines": _line("1"), "note": m},
    ),
    (
        "POST",
        "/api/counts",
        lambda m, _: {
            "count_id": "K-1",
            "location": "main",
            "lines": [{"sku": "TS-1", "counted": "20"}],
            "note": f"{m} count",
        },
    ),
    (
        "POST",
        "/api/stock/{sku}/{location}/adjust",
        lambda m, _: {"adjustment_id": "A-1", "quantity": "-1", "note": f"{m} broken"},
    ),
    (
        "POST",
        "/api/receipts/{receipt_id}/costs",
        lambda m, _: {"cost_id": "F-1", "amount": "4.00", "note": f"{m} freight"},
    ),
    (  # a count sheet (SPEC §15): areas, a line, submitted, rejected, submitted, approved
        "PUT",
        "/api/locations/{code}/areas",
        lambda m, _: {"areas": [{"area": f"{m} walk-in", "skus": ["TS-1"]}]},
    ),
    # a first full count (CS-0), so that AvT has two to compare
    ("POST", "/api/count-sheets", _full_count("CS-0")),
    ("PUT", "/api/count-sheets/CS-0/lines/{sku}", lambda m, _: {"quantity": "19"}),
    ("POST", "/api/count-sheets/CS-0/submit", lambda m, _: None),
    ("POST", "/api/count-sheets/CS-0/approve", lambda m, _: {"uncounted": "zero"}),
    ("POST", "/api/count-sheets", _full_count("CS-1")),
    (
        "PUT",
        "/api/count-sheets/{count_id}/lines/{sku}",
        lambda m, _: {"quantity": "18", "area": f"{m} walk-in"},
    ),
    ("POST", "/api/count-sheets/{count_id}/submit", lambda m, _: None),
    ("POST", "/api/count-sheets/{count_id}/reject", lambda m, _: {"note": f"{m} recount"}),
    ("POST", "/api/count-sheets/{count_id}/submit", lambda m, _: None),
    (  # burger (the production's output) is left uncounted: counted as zero
        "POST",
        "/api/count-sheets/{count_id}/approve",
        lambda m, _: {"uncounted": "zero"},
    ),
    (  # purchasing (SPEC §14): a supplier ("main"), two orders (the second cancelled), an
        # invoice for part of R-1, and an order from the suggestions the reorder point makes
        "PUT",
        "/api/suppliers/{code}",
        lambda m, _: {
            "name": f"{m} supplier",
            "lead_time_days": 2,
            "items": [{"sku": "TS-1", "price": "2.5", "preferred": True}],
        },
    ),
    ("POST", "/api/purchase-orders", _order("PO-1", "10")),
    ("POST", "/api/purchase-orders", _order("PO-2", "3")),
    ("POST", "/api/purchase-orders/{po_id}/cancel", lambda m, _: None),
    (
        "POST",
        "/api/supplier-invoices",
        lambda m, _: {
            "invoice_id": "I-1",
            "supplier": "main",
            "lines": [{"receipt_id": "R-1", "sku": "TS-1", "quantity": "10", "unit_price": "2.7"}],
            "note": f"{m} invoice",
        },
    ),
    (
        "PATCH",
        "/api/items/{sku}",
        lambda m, _: {
            "barcode": f"{m}-0001",
            "reorder": [
                {"location": "main", "reorder_point": "500", "reorder_qty": "10", "par": "600"}
            ],
        },
    ),
    (
        "POST",
        "/api/purchasing/suggestions/order",
        lambda m, _: {"po_id": "PO-3", "supplier": "main", "location": "main"},
    ),
    (  # every role of the GL journal to an account of the tenant's own
        "PUT",
        "/api/accounts/map",
        lambda m, _: {
            "rules": [
                {"role": role, "account": f"{m}-{index}"}
                for index, role in enumerate((*ROLES, "payables"))
            ]
        },
    ),
    ("POST", "/api/periods/{period}/close", lambda m, _: None),
    ("POST", "/api/projections/{name}/rebuild", lambda m, _: None),
    ("POST", "/api/webhooks", lambda m, url: {"url": url, "description": f"{m} second"}),
    ("POST", "/api/webhooks/{webhook_id}/resume", lambda m, _: None),
    ("DELETE", "/api/webhooks/{webhook_id}", lambda m, _: None),
]


@dataclass
class Tenant:
    name: str
    token: str
    receiver: Receiver
    webhooks: list[str] = field(default_factory=list)


class Server:
    """The real app on uvicorn (the event stream needs a real server)."""

    def __init__(self, settings: Settings) -> None:
        self.app = create_app(settings)
        self.home_token = self.app.state.ledger.issue_key("home", "admin", issued_by="test")[1]
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        self.server = uvicorn.Server(uvicorn.Config(self.app, port=port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def call(self, method: str, path: str, token: str, body: Any = None) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"}
        return httpx.request(method, self.url + path, json=body, headers=headers, timeout=30)


def operations(server: Server) -> list[tuple[str, str, dict[str, Any]]]:
    schema = server.app.openapi()
    return [
        (method.upper(), path, operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if path.startswith("/api")
    ]


def filled(path: str, tenant: Tenant | None, *, write: bool = False) -> str:
    params = {**PATH_PARAMS, **(OVERRIDES.get(path, {}) if write else {})}
    if tenant is not None and tenant.webhooks:
        params["webhook_id"] = tenant.webhooks[-1]
    return path.format(**params)


@pytest.fixture
def stores(
    request: pytest.FixtureRequest, settings: Settings
) -> Iterator[tuple[Settings, dict[str, str]]]:
    """The home store with tenants acme and beta; on PostgreSQL acme is in a database given
    by URL and beta in one ``tenants create`` makes on the home cluster."""
    dropped: list[str] = []
    acme_url = None
    if settings.database_url:
        server: PostgresServer = request.getfixturevalue("pg_server")
        home_db = settings.database_url.rsplit("/", 1)[1]
        server.create_database(f"{home_db}_elsewhere")
        acme_url = server.url(f"{home_db}_elsewhere")
        dropped = [f"{home_db}_{name}" for name in ("elsewhere", "beta", "late")]
    tokens = {
        "acme": create_tenant(settings, "acme", acme_url, migrate_store).token,
        "beta": create_tenant(settings, "beta", None, migrate_store).token,
    }
    yield settings, tokens
    for name in dropped:
        request.getfixturevalue("pg_server").drop_database(name)


@pytest.fixture
def server(stores: tuple[Settings, dict[str, str]]) -> Iterator[Server]:
    live = Server(allow_loopback(stores[0]))  # the tenants' receivers listen on 127.0.0.1
    live.thread.start()
    wait_for(lambda: live.server.started, 20, "uvicorn started")
    yield live
    live.server.should_exit = True
    live.thread.join(timeout=20)


def post_everything(server: Server, tenant: Tenant, marker: str) -> list[int]:
    statuses = []
    for method, path, body in WRITES:
        if path == "/api/purchasing/suggestions/order":
            settled(server, tenant)  # suggestions read the read models: the reorder point
        answer = server.call(
            method,
            filled(path, tenant, write=True),
            tenant.token,
            body(marker, tenant.receiver.url),
        )
        statuses.append(answer.status_code)
        assert answer.status_code < 300, (marker, method, path, answer.text)
        if path == "/api/webhooks":
            tenant.webhooks.append(answer.json()["id"])
            tenant.receiver.secret = answer.json()["secret"]
    return statuses


def settled(server: Server, tenant: Tenant) -> None:
    """Waits until the tenant's projections are live at its head and its webhook has
    delivered everything (so what it reads no longer changes by itself)."""

    def done() -> bool:
        head = server.call("GET", "/api/events?limit=1", tenant.token).json()["head"]
        status = server.call("GET", "/api/projections", tenant.token).json()
        hooks = server.call("GET", "/api/webhooks", tenant.token).json()
        return all(p["state"] == "live" and p["position"] >= head for p in status) and all(
            h["position"] >= head for h in hooks
        )

    wait_for(done, 30, f"{tenant.name} settled")


def read_stream(server: Server, token: str, count: int) -> list[dict[str, Any]]:
    got: list[dict[str, Any]] = []
    with httpx.stream(
        "GET",
        f"{server.url}/api/events/stream",
        headers={"Authorization": f"Bearer {token}"},
        timeout=20,
    ) as answer:
        assert answer.status_code == 200
        for line in answer.iter_lines():
            if line.startswith("data: "):
                got.append(json.loads(line.removeprefix("data: ")))
                if len(got) == count:
                    break
    return got


def everything_read(server: Server, tenant: Tenant) -> dict[str, tuple[int, str]]:
    """Every GET endpoint's answer for the tenant, on the shared identifiers."""
    answers = {}
    for method, path, operation in operations(server):
        if method != "GET":
            continue
        url = filled(path, tenant)
        required = [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"]
        query = {k: QUERY[k] for k in required if k in QUERY}
        if query:
            url += "?" + str(httpx.QueryParams(query))
        if path in STREAMS:
            page = server.call("GET", "/api/events?limit=1000", tenant.token).json()["items"]
            streamed = read_stream(server, tenant.token, len(page))
            assert streamed == page
            answers[path] = (200, json.dumps(streamed))
        else:
            answer = server.call("GET", url, tenant.token)
            answers[path] = (answer.status_code, answer.text)
    return answers


def test_every_endpoint_is_covered(api: Any) -> None:
    schema = api.client.app.openapi()
    written = {(method, path) for method, path, _ in WRITES}
    for path, item in schema["paths"].items():
        for method in item:
            if path.startswith("/api") and method != "get":
                assert (method.upper(), path) in written, f"{method} {path} not exercised"
            for name in _path_names(path):
                assert name in PATH_PARAMS, f"{path}: {name}?"


def _path_names(path: str) -> list[str]:
    return [part[1:-1] for part in path.split("/") if part.startswith("{")]


def test_two_tenants_are_isolated_through_every_endpoint(server: Server, stores: Any) -> None:
    tokens = stores[1]
    with Receiver() as to_acme, Receiver() as to_beta:
        acme = Tenant("acme", tokens["acme"], to_acme)
        beta = Tenant("beta", tokens["beta"], to_beta)

        acme_statuses = post_everything(server, acme, "acme")
        settled(server, acme)
        before = everything_read(server, acme)
        assert "acme widget" in before["/api/items/{sku}"][1]
        assert "acme customer" in before["/api/quotes/{quote_id}"][1]

        # Beta sees none of it: its own (empty) ledger on the same ids, and so does the home
        # store's key.
        for token in (beta.token, server.home_token):
            for method, path, _ in operations(server):
                if method == "GET" and path not in STREAMS:
                    answer = server.call("GET", filled(path, beta), token)
                    assert "acme" not in answer.text.lower(), (path, answer.text)
        assert server.call("GET", "/api/quotes/Q-1", beta.token).status_code == 404
        assert server.call("GET", "/api/stock", beta.token).json()["items"] == []

        # Beta cannot reach acme's webhooks by id.
        hook = acme.webhooks[0]
        for method, path in (
            ("POST", f"/api/webhooks/{hook}/resume"),
            ("DELETE", f"/api/webhooks/{hook}"),
        ):
            assert server.call(method, path, beta.token).status_code == 404
        assert server.call("GET", f"/api/webhooks/{hook}/deliveries", beta.token).status_code == 404

        # The same commands with the same ids succeed in beta's ledger exactly as in acme's
        # (in a shared store R-1 with another payload would be a document_conflict).
        assert post_everything(server, beta, "beta") == acme_statuses
        settled(server, beta)
        beta_reads = everything_read(server, beta)
        assert all("acme" not in text.lower() for _, text in beta_reads.values())
        assert "beta widget" in beta_reads["/api/items/{sku}"][1]

        # Acme reads exactly what it read before beta did all of that.
        assert everything_read(server, acme) == before
        assert all("beta" not in text.lower() for _, text in before.values())
        # Each tenant's webhook heard only its own tenant's events.
        assert to_acme.requests and to_beta.requests
        assert all("beta" not in json.dumps(event) for event in to_acme.requests)
        assert all("acme" not in json.dumps(event) for event in to_beta.requests)


def test_an_unknown_tenant_and_a_borrowed_prefix_are_refused_like_a_bad_key(
    server: Server, stores: Any
) -> None:
    tokens = stores[1]
    beta_key = tokens["beta"].removeprefix("beta.")
    bad = server.call("GET", "/api/stock", "sl_000000000000_" + "x" * 43)
    for token in ("nope." + beta_key, "acme." + beta_key, beta_key):
        answer = server.call("GET", "/api/stock", token)
        assert (answer.status_code, answer.json()) == (401, bad.json())
    assert server.call("GET", "/api/stock", tokens["beta"]).status_code == 200


def test_a_tenant_created_while_serving_is_served_at_once(server: Server, stores: Any) -> None:
    settings = stores[0]
    created = create_tenant(settings, "late", None, migrate_store)
    answer = server.call("POST", "/api/receipts", created.token, WRITES[3][2]("late", ""))
    assert answer.status_code == 201
    assert server.call("GET", "/api/quotes/Q-1", created.token).status_code == 404


def test_metrics_are_for_keys_of_the_home_store(server: Server, stores: Any) -> None:
    assert server.call("GET", "/metrics", server.home_token).status_code == 200
    answer = server.call("GET", "/metrics", stores[1]["acme"])
    assert (answer.status_code, answer.json()["code"]) == (403, "forbidden")
