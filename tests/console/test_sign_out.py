"""Signing out ends the session on the server (issue 27.6): a copied cookie stops working at
once, in this process and in another one serving the same store; the key's other sessions
go on, and signing in again opens a new one. Both backends."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from application.settings import Settings
from console.session import COOKIE
from domain.access import KeyRing
from tests.console.conftest import Console, issue_keys

SECRET = "a-console-secret-shared-by-every-process-0123"


@pytest.fixture
def shared(settings: Settings) -> Settings:
    return Settings(
        database_url=settings.database_url, data_dir=settings.data_dir, console_secret=SECRET
    )


@pytest.fixture
def two(shared: Settings) -> Iterator[tuple[Console, Console]]:
    """Two API processes' apps on one store, with one console secret (as replicas are)."""
    tokens = issue_keys(shared)
    with (
        TestClient(create_app(shared), raise_server_exceptions=False) as first,
        TestClient(create_app(shared), raise_server_exceptions=False) as second,
    ):
        yield Console(first, tokens), Console(second, tokens)


def _stock_with(console: Console, cookie: str) -> int:
    console.client.cookies.clear()
    console.client.cookies.set(COOKIE, cookie)
    status: int = console.get("/stock").status_code
    return status


def _session(console: Console, role: str) -> str:
    """The session cookie of ``role`` signed in on ``console``."""
    console.sign_in(role)
    cookie: str = console.client.cookies[COOKIE]
    return cookie


def test_a_copied_cookie_stops_working_after_sign_out_in_every_process(
    two: tuple[Console, Console],
) -> None:
    here, there = two
    cookie = _session(here, "clerk")
    assert _stock_with(there, cookie) == 200  # the copy works in the other process
    here.client.cookies.set(COOKIE, cookie)
    assert here.post("/sign-out").status_code == 303
    assert _stock_with(here, cookie) == 303  # back to sign-in
    assert _stock_with(there, cookie) == 303
    ledger = here.client.app.state.ledger  # type: ignore[attr-defined]
    ring = ledger.get(KeyRing, KeyRing.create_id())
    ended = [e for e in ledger.events.get(ring.id) if isinstance(e, KeyRing.SessionEnded)]
    assert [(e.ended_by, e.session in cookie) for e in ended] == [("clerk", False)]


def test_signing_out_one_session_leaves_the_keys_other_sessions_and_new_ones_working(
    two: tuple[Console, Console],
) -> None:
    here, there = two
    other = _session(there, "clerk")
    here.sign_in("clerk")
    assert here.post("/sign-out").status_code == 303
    assert _stock_with(there, other) == 200
    here.sign_in("clerk")
    assert here.get("/stock").status_code == 200


def test_a_sign_out_without_the_csrf_token_ends_nothing(two: tuple[Console, Console]) -> None:
    here, _ = two
    cookie = _session(here, "viewer")
    assert here.post("/sign-out", csrf=False).status_code == 403
    assert _stock_with(here, cookie) == 200
