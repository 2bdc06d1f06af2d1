"""The console of a server with tenants, through the real ASGI app on each backend: a
tenant's key signs in to that tenant's store and sees nothing of another's; the cookie's
tenant cannot be switched; the home store's console is as before."""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from application.settings import Settings
from cli.db import migrate_store
from tenancy.provision import create_tenant
from tests.api.conftest import post_history
from tests.console.conftest import CSRF, Console, issue_keys
from tests.console.test_pages import cells
from tests.e2e.conftest import wait_until
from tests.pgserver import PostgresServer

COOKIE = "stockledger_session"


@pytest.fixture
def tenants(request: pytest.FixtureRequest, settings: Settings) -> Iterator[Console]:
    """The home store holding post_history() with a key per role, and tenants acme and beta
    (their first admin keys as tokens "acme" and "beta"), each with one receipt of its own
    SKU; on PostgreSQL each tenant has a database of its own on the home cluster."""
    post_history(settings)
    tokens = issue_keys(settings)
    for name in ("acme", "beta"):
        tokens[name] = create_tenant(settings, name, None, migrate_store).token
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        console = Console(client, tokens)
        console.settle()  # the home store's history was posted before the app started
        for name in ("acme", "beta"):
            receipt = {
                "receipt_id": f"R-{name}",
                "location": "main",
                "lines": [{"sku": f"{name.upper()}-1", "quantity": "7", "unit_cost": "3"}],
            }
            headers = {"Authorization": f"Bearer {tokens[name]}"}
            assert client.post("/api/receipts", json=receipt, headers=headers).status_code == 201
        yield console
    if settings.database_url:
        server: PostgresServer = request.getfixturevalue("pg_server")
        home = settings.database_url.rsplit("/", 1)[1]
        for name in ("acme", "beta"):
            server.drop_database(f"{home}_{name}")


def test_a_tenants_key_signs_in_to_its_own_store_alone(tenants: Console) -> None:
    console = tenants.sign_in("acme")
    assert console.client.cookies[COOKIE].startswith("acme.")
    wait_until(lambda: "ACME-1" in console.get("/stock").text, 10, "acme's receipt")
    stock = console.get("/stock").text
    assert "AB-001" not in stock and "BETA-1" not in stock
    api = console.api("/api/stock", "acme").json()["items"]
    assert [Decimal(v) for v in cells(stock, "on-hand")] == [Decimal(b["on_hand"]) for b in api]
    who = re.search(r'id="who">(.*?)</span></span>', stock, re.S)
    assert who is not None and "admin, acme" in who.group(1)
    journal = console.get("/journal").text
    assert "receipt R-acme" in journal
    assert "receipt R-beta" not in journal and "delivery D-1" not in journal
    keys = console.get("/keys").text
    acme_key = tenants.tokens["acme"].split("_")[1]
    home_key = tenants.tokens["admin"].split("_")[1]
    assert f'data-key="{acme_key}"' in keys and f'data-key="{home_key}"' not in keys


def test_a_key_made_in_a_tenants_console_is_that_tenants(tenants: Console) -> None:
    console = tenants.sign_in("acme")
    created = console.post("/keys", {"user": "zoe", "role": "viewer"})
    token = re.search(r'id="secret">([^<]*)<', created.text)
    assert created.status_code == 200 and token is not None
    assert token.group(1).startswith("acme.sl_")
    tenants.tokens["zoe"] = token.group(1)
    zoe = tenants.sign_in("zoe")
    wait_until(lambda: "ACME-1" in zoe.get("/stock").text, 10, "acme's receipt")
    assert console.api("/api/stock", "zoe").status_code == 200


@pytest.mark.parametrize("tamper", ["beta.{rest}", "{rest}", ".{rest}", "ACME.{rest}"])
def test_a_cookie_whose_tenant_is_changed_is_no_session(tenants: Console, tamper: str) -> None:
    console = tenants.sign_in("acme")
    cookie = console.client.cookies[COOKIE]
    assert console.get("/stock").status_code == 200
    console.client.cookies.clear()
    console.client.cookies.set(COOKIE, tamper.format(rest=cookie.split(".", 1)[1]))
    answer = console.get("/stock")
    assert answer.status_code == 303 and answer.headers["location"] == "/"
    refused = console.post("/keys", {"user": "eve", "role": "admin"})
    assert refused.status_code == 303 and refused.headers["location"] == "/"


def test_the_home_stores_console_reads_the_home_store(tenants: Console) -> None:
    console = tenants.sign_in("admin")
    assert "." not in console.client.cookies[COOKIE].split(".", 1)[0]
    stock = console.get("/stock").text
    assert "AB-001" in stock and "ACME-1" not in stock and "BETA-1" not in stock
    keys = console.get("/keys").text
    assert f'data-key="{tenants.tokens["acme"].split("_")[1]}"' not in keys
    assert "receipt R-acme" not in console.get("/journal").text


def test_an_unknown_tenants_key_is_refused_at_sign_in(tenants: Console) -> None:
    for key in ("ghost." + tenants.tokens["admin"], "beta." + tenants.tokens["acme"][5:]):
        page = tenants.client.get("/")
        answer = tenants.client.post(
            "/sign-in",
            data={"csrf": CSRF.findall(page.text)[0], "key": key},
            follow_redirects=False,
        )
        assert answer.status_code == 401, key
        assert COOKIE not in tenants.client.cookies
