"""Signing in and out, the session cookie, CSRF and roles, through the real ASGI app."""

from __future__ import annotations

from tests.console.conftest import CSRF, Console


def test_the_root_without_a_session_is_the_sign_in_page(console: Console) -> None:
    page = console.get("/")
    assert page.status_code == 200
    assert "text/html" in page.headers["content-type"]
    assert '<label for="key">API key</label>' in page.text
    assert console.get("/stock").status_code == 303
    assert console.get("/stock").headers["location"] == "/"


def test_signing_in_sets_a_strict_http_only_cookie_that_holds_no_secret(console: Console) -> None:
    page = console.get("/")
    answer = console.client.post(
        "/sign-in",
        data={"csrf": CSRF.findall(page.text)[0], "key": console.tokens["finance"]},
        follow_redirects=False,
    )
    assert answer.status_code == 303 and answer.headers["location"] == "/dashboard"
    cookie = next(
        c for c in answer.headers.get_list("set-cookie") if c.startswith("stockledger_session=")
    )
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie
    secret = console.tokens["finance"].split("_", 2)[2]
    assert secret not in cookie
    stock = console.get("/stock")
    assert stock.status_code == 200 and "finance" in stock.text


def test_a_wrong_key_or_a_missing_sign_in_token_opens_no_session(console: Console) -> None:
    page = console.get("/")
    token = CSRF.findall(page.text)[0]
    wrong = console.client.post("/sign-in", data={"csrf": token, "key": "sl_nope"})
    assert wrong.status_code == 401 and "Unknown or revoked API key" in wrong.text
    forged = console.client.post(
        "/sign-in", data={"csrf": "forged", "key": console.tokens["admin"]}
    )
    assert forged.status_code == 403
    assert "stockledger_session" not in console.client.cookies
    assert console.get("/stock").status_code == 303


def test_a_tampered_cookie_is_no_session(console: Console) -> None:
    console.sign_in("viewer")
    cookie = console.client.cookies["stockledger_session"]
    key_id, expires, signature = cookie.split(".")
    console.client.cookies.clear()
    console.client.cookies.set("stockledger_session", f"{key_id}.{int(expires) + 99}.{signature}")
    assert console.get("/stock").status_code == 303


def test_revoking_the_key_signs_its_session_out_at_once(console: Console) -> None:
    console.sign_in("clerk")
    assert console.get("/stock").status_code == 200
    ledger = console.client.app.state.ledger  # type: ignore[attr-defined]
    ledger.revoke_key(console.tokens["clerk"].split("_")[1], revoked_by="test")
    assert console.get("/stock").status_code == 303


def test_signing_out_needs_the_csrf_token_and_ends_the_session(console: Console) -> None:
    console.sign_in("viewer")
    refused = console.post("/sign-out", csrf=False)
    assert refused.status_code == 403 and "CSRF" in refused.text
    assert console.get("/stock").status_code == 200
    assert console.post("/sign-out").status_code == 303
    assert console.get("/stock").status_code == 303
