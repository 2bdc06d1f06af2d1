"""Webhooks cannot reach inside (issue 27 point 2): a destination that is not public, in any
spelling, is refused at registration (422 naming ``url``) unless
STOCKLEDGER_WEBHOOK_ALLOWED_NETWORKS allows it, and again at every delivery, where a refused
address is an attempt with its reason and nothing is sent. URLs are strict; a redirect is
never followed; a delivery error never ends the delivering thread.

Every receiver here listens on loopback (127.0.0.1, or 127.0.0.2 where a test needs two
addresses); a refused address is never connected to, so no traffic leaves this machine.
"""

from __future__ import annotations

import ipaddress
import json
import ssl
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from application.settings import Settings
from cli.db import migrate_store
from feed.delivery import Deliverer, DeliverySettings
from feed.destinations import Destinations, RefusedDestinationError
from feed.sending import attempt
from feed.webhooks import Webhooks, new_secret
from tenancy.provision import create_tenant
from tests.api.conftest import Api, _api, receipt
from tests.receiver import Receiver, allow_loopback, wait_for

INSIDE = [
    "http://169.254.169.254/latest/meta-data/",
    "http://10.0.0.1/",
    "http://172.16.0.1/",
    "http://192.168.1.1/",
    "http://127.0.0.1:5432/",
    "http://[::1]/",
    "http://2130706433/",
    "http://0x7f000001/",
    "http://0177.0.0.1/",
    "http://127.1/",
    "http://017700000001/",
    "http://[::ffff:127.0.0.1]/",
    "http://[::ffff:7f00:1]/",
    "http://[::ffff:a9fe:a9fe]/",
    "http://[64:ff9b::a00:1]/",
    "http://[2002:7f00:1::]/",
    "http://0.0.0.0/",
    "http://0/",
    "http://[::]/",
    "http://[fe80::1]/",
    "http://[fc00::1]/",
    "http://100.64.0.1/",
    "http://224.0.0.1/",
    "http://240.0.0.1/",
    "http://localhost:8080/",
    "https://LOCALHOST/hook",
]
MALFORMED = [
    "http://127.0.0.1/a b",
    "http://127.0.0.1/a\r\nX-Injected: 1",
    "http://127.0.0.1/a\nb",
    "http://127.0.0.1/a\tb",
    "http://127.0.0.1/a\x00b",
    "http://127.0.0.1/\x7f",
    "http://127.0.0.1/caf\u00e9",
    "http://127.0.0.1\\@93.184.215.14/",
    "http://exa mple.com/",
    "http://[::1/",
    "http://127.0.0.1:99999/",
    "http://127.0.0.1:0/",
    "http://host_name%2e/",
    "http://[fe80::1%25lo]/",
]
CREDENTIALS = [
    "http://user:pass@93.184.215.14/hook",
    "https://user@93.184.215.14/hook",
    "http://:secret@127.0.0.1/hook",
]
FAST = DeliverySettings(backoff_base=0.05, backoff_max=0.2, timeout=2.0)


def refused_on_url(answer: Any) -> bool:
    problem = answer.json()
    return (
        answer.status_code == 422
        and answer.headers["content-type"] == "application/problem+json"
        and problem["code"] == "validation_error"
        and [e["field"] for e in problem["errors"]] == ["url"]
    )


def service_of(api: Api) -> Any:
    return api.client.app.state.feed  # type: ignore[attr-defined]


# -- registration ------------------------------------------------------------------------------


@pytest.mark.parametrize("url", INSIDE)
def test_every_spelling_of_an_inside_destination_is_refused_naming_url(api: Api, url: str) -> None:
    answer = api.post("/api/webhooks", {"url": url})
    assert refused_on_url(answer), answer.text
    assert "destination refused" in answer.json()["detail"]
    assert api.get("/api/webhooks").json() == []


@pytest.mark.parametrize("url", MALFORMED)
def test_a_malformed_url_is_refused_naming_url(api: Api, url: str) -> None:
    answer = api.post("/api/webhooks", {"url": url})
    assert refused_on_url(answer), answer.text
    assert api.get("/api/webhooks").json() == []


@pytest.mark.parametrize("url", CREDENTIALS)
def test_credentials_in_a_url_are_refused_even_inside_the_allowed_networks(
    settings: Settings, url: str
) -> None:
    for api in _api(allow_loopback(settings)):
        answer = api.post("/api/webhooks", {"url": url})
        assert refused_on_url(answer), answer.text
        assert "credentials" in answer.json()["detail"]
        assert api.get("/api/webhooks").json() == []


def test_the_allow_list_admits_its_networks_in_every_spelling_and_nothing_else(
    settings: Settings,
) -> None:
    only_v4_loopback = settings.model_copy(update={"webhook_allowed_networks": "127.0.0.0/8"})
    for api in _api(only_v4_loopback):
        for url in (
            "http://127.0.0.1:9/hook",
            "http://127.0.0.2:9/hook",
            "http://2130706433:9/",
            "http://0x7f000001:9/",
            "http://[::ffff:127.0.0.1]:9/",
        ):
            assert api.post("/api/webhooks", {"url": url}).status_code == 201, url
        for url in ("http://[::1]:9/", "http://10.0.0.1/", "http://169.254.169.254/"):
            assert refused_on_url(api.post("/api/webhooks", {"url": url})), url
        assert len(api.get("/api/webhooks").json()) == 5


def test_a_setting_that_is_not_a_cidr_list_is_refused_naming_it() -> None:
    with pytest.raises(ValueError, match="STOCKLEDGER_WEBHOOK_ALLOWED_NETWORKS"):
        Settings(webhook_allowed_networks="10.0.0.0/33")
    assert Settings(webhook_allowed_networks=" 10.1.2.3/24 , ::1 ").webhook_networks == (
        ipaddress.ip_network("10.1.2.0/24"),
        ipaddress.ip_network("::1/128"),
    )


@pytest.mark.parametrize("description", ["bad\u0000hook", "bell\u0007", "half \ud800"])
def test_a_description_with_a_control_character_is_refused_naming_it(
    settings: Settings, description: str
) -> None:
    for api in _api(settings):
        body = {"url": "https://93.184.215.14/hook", "description": description}
        answer = api.post(  # as JSON escapes: a lone surrogate has no UTF-8 form
            "/api/webhooks", content=json.dumps(body), headers={"content-type": "application/json"}
        )
        assert answer.status_code == 422, answer.text
        assert [e["field"] for e in answer.json()["errors"]] == ["description"]
        assert api.get("/api/webhooks").json() == []


@pytest.fixture
def tenant_api(request: pytest.FixtureRequest, settings: Settings) -> Iterator[tuple[Api, str]]:
    """The app with tenant acme (on PostgreSQL a database of its own on the home
    cluster, dropped afterwards); the token of acme's admin."""
    token = create_tenant(settings, "acme", None, migrate_store).token
    for api in _api(settings):
        yield api, token
    if settings.database_url:
        home_db = settings.database_url.rsplit("/", 1)[1]
        request.getfixturevalue("pg_server").drop_database(f"{home_db}_acme")


def test_a_tenant_s_admin_is_held_to_the_same_rule(tenant_api: tuple[Api, str]) -> None:
    api, token = tenant_api
    acme = {"Authorization": f"Bearer {token}"}
    for url in ("http://10.0.0.1/", "http://0x7f000001/", "http://u:p@93.184.215.14/"):
        answer = api.post("/api/webhooks", {"url": url}, role=None, headers=acme)
        assert refused_on_url(answer), answer.text
    assert api.get("/api/webhooks", role=None, headers=acme).json() == []


# -- delivery ----------------------------------------------------------------------------------


class Rebinding:
    """A name server for ``hooks.rebind.test`` whose answer alternates between two addresses
    (a rebinding attacker's TTL-0 answers); counts its answers."""

    def __init__(self, *answers: str) -> None:
        self.answers = answers
        self.calls: list[str] = []

    def __call__(self, host: str, port: int) -> list[str]:
        assert host == "hooks.rebind.test"
        answer = self.answers[len(self.calls) % len(self.answers)]
        self.calls.append(answer)
        return [answer]


@pytest.fixture
def quiet_api(settings: Settings) -> Iterator[Api]:
    """The app without its own deliverer (the test runs one with its own resolver)."""
    yield from _api(settings.model_copy(update={"run_projectors": False}))


def test_a_name_rebound_to_a_refused_address_is_an_attempt_and_nothing_is_sent(
    quiet_api: Api, settings: Settings
) -> None:
    api = quiet_api
    allowed = Receiver(host="127.0.0.1")
    # The refused address, on the same port: what an unchecked connection would reach.
    with allowed, Receiver(host="127.0.0.2", port=allowed.port) as inside:
        dns = Rebinding("127.0.0.1", "127.0.0.2")
        rule = Destinations([ipaddress.ip_network("127.0.0.1/32")], resolve=dns)
        service = service_of(api)
        webhooks = Webhooks(service.webhooks.db, settings, rule)
        url = f"http://hooks.rebind.test:{allowed.port}/hook"
        created = webhooks.create(url, ["movement"], None, "admin", api.head)
        allowed.secret = inside.secret = str(created["secret"])
        deliverer = Deliverer(webhooks, service.feed, service.waiter, webhooks.db, FAST)
        deliverer.start()
        try:
            for n in range(3):
                assert api.post("/api/receipts", receipt(f"R-{n}"), role="clerk").status_code == 201
            wait_for(lambda: len(allowed.acknowledged) == 3, 20, "three movements delivered")
        finally:
            deliverer.stop()
        assert inside.requests == []
        # Each delivery went to the address its check answered, never to a second lookup
        # (the name exists only in this test's resolver), with the URL's own Host.
        assert set(allowed.hosts) == {f"hooks.rebind.test:{allowed.port}"}
        assert allowed.bad_signatures == 0
        attempts = api.get(f"/api/webhooks/{created['id']}/deliveries").json()
        refused = [a for a in attempts if a["status_code"] is None]
        assert refused and len(refused) == dns.calls.count("127.0.0.2")
        assert {a["error"] for a in refused} == {
            "not sent: destination refused: hooks.rebind.test resolves to a loopback "
            "address (not in STOCKLEDGER_WEBHOOK_ALLOWED_NETWORKS)"
        }


def test_a_name_with_one_refused_address_among_public_ones_is_refused() -> None:
    rule = Destinations(resolve=lambda host, port: ["93.184.215.14", "10.0.0.7"])
    with pytest.raises(RefusedDestinationError, match="resolves to a private address") as refused:
        rule.check("https://erp.example/hook")
    assert "10.0.0.7" not in str(refused.value)  # an internal name's address is not shown
    public = Destinations(resolve=lambda host, port: ["93.184.215.14", "2606:2800:21f:cb07::1"])
    target, addresses = public.check("https://erp.example:8443/hook?x=1")
    assert addresses == ["93.184.215.14", "2606:2800:21f:cb07::1"]
    assert (target.host_header, target.path) == ("erp.example:8443", "/hook?x=1")


@pytest.fixture
def certificate(tmp_path: Path) -> tuple[Path, Path]:
    """(key, certificate) of a self-signed certificate for ``hooks.test``, made by openssl."""
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    command = "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1"
    names = ["-subj", "/CN=hooks.test", "-addext", "subjectAltName=DNS:hooks.test"]
    files = ["-keyout", str(key), "-out", str(cert)]
    subprocess.run([*command.split(), *names, *files], check=True, capture_output=True)
    return key, cert


def test_https_goes_to_the_checked_address_with_the_url_s_name_for_sni_and_certificate(
    certificate: tuple[Path, Path],
) -> None:
    key, cert = certificate
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(cert, key)
    names: list[str | None] = []
    server.sni_callback = lambda sock, name, context: names.append(name)
    trusting = ssl.create_default_context(cafile=str(cert))  # the test's certificate only
    rule = Destinations(
        [ipaddress.ip_network("127.0.0.1/32")], resolve=lambda host, port: ["127.0.0.1"]
    )
    event = {"v": 1, "position": 7, "type": "item.changed", "time": "", "data": {}}
    with Receiver(host="127.0.0.1", tls=server) as receiver:
        receiver.secret = new_secret()
        url = f"https://hooks.test:{receiver.port}/hook"
        assert attempt(rule, url, receiver.secret, event, 5.0, trusting) == (200, "")
        # The same address under a name the certificate does not hold: refused by TLS.
        other = f"https://other.test:{receiver.port}/hook"
        code, error = attempt(rule, other, receiver.secret, event, 5.0, trusting)
    assert receiver.positions() == [7] and receiver.bad_signatures == 0
    assert receiver.hosts == [f"hooks.test:{receiver.port}"]
    assert names == ["hooks.test", "other.test"]
    assert code is None and error.startswith("SSLCertVerificationError")


@pytest.fixture
def fast_api(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[Api]:
    """The app on each backend with quick retries, allowed to deliver to 127.0.0.2 only."""
    monkeypatch.setenv("STOCKLEDGER_WEBHOOK_BACKOFF_BASE", "0.05")
    monkeypatch.setenv("STOCKLEDGER_WEBHOOK_BACKOFF_MAX", "0.2")
    monkeypatch.setenv("STOCKLEDGER_WEBHOOK_TIMEOUT", "2")
    yield from _api(settings.model_copy(update={"webhook_allowed_networks": "127.0.0.2/32"}))


def test_a_redirect_to_a_refused_address_is_not_followed(fast_api: Api) -> None:
    api = fast_api
    with Receiver(host="127.0.0.1") as inside:
        target = f"http://127.0.0.1:{inside.port}/hook"
        with Receiver(answer=lambda n: 302, host="127.0.0.2", location=target) as redirecting:
            hook = api.post("/api/webhooks", {"url": redirecting.url, "types": ["movement"]})
            assert hook.status_code == 201, hook.text
            redirecting.secret = inside.secret = hook.json()["secret"]
            assert api.post("/api/receipts", receipt("R-1"), role="clerk").status_code == 201
            wait_for(lambda: len(redirecting.requests) >= 3, 20, "three tries of the redirect")
            listed = api.get("/api/webhooks").json()[0]
            attempts = api.get(f"/api/webhooks/{hook.json()['id']}/deliveries").json()
    assert inside.requests == []
    assert listed["status"] == "active" and listed["position"] < api.head
    assert listed["last_error"] == "HTTP 302 (redirects are not followed)"
    assert {(a["status_code"], a["error"]) for a in attempts} == {
        (302, "HTTP 302 (redirects are not followed)")
    }


@pytest.mark.parametrize("broken", ["/a b", "/a\r\nX-Injected: 1", "/a\tb"])
def test_a_stored_url_that_cannot_be_sent_is_an_attempt_and_the_thread_carries_on(
    fast_api: Api, broken: str
) -> None:
    """A URL stored before URLs were checked (as an older version accepted them)."""
    api = fast_api
    with Receiver(host="127.0.0.2") as receiver:
        hook = api.post("/api/webhooks", {"url": receiver.url, "types": ["movement"]}).json()
        receiver.secret = hook["secret"]
        webhooks = service_of(api).webhooks
        good = receiver.url
        _set_url(webhooks, hook["id"], good + broken)
        assert api.post("/api/receipts", receipt("R-1"), role="clerk").status_code == 201

        def tried(times: int) -> bool:
            attempts = api.get(f"/api/webhooks/{hook['id']}/deliveries").json()
            return len(attempts) >= times

        wait_for(lambda: tried(3), 20, "three failed attempts")
        listed = api.get("/api/webhooks").json()[0]
        assert listed["status"] == "active"
        assert listed["last_error"].startswith("not sent: url must be printable ASCII")
        attempts = api.get(f"/api/webhooks/{hook['id']}/deliveries").json()
        assert [a["attempt"] for a in reversed(attempts)] == list(range(1, len(attempts) + 1))
        assert receiver.requests == []
        # The same worker is still there: the repaired URL is delivered to.
        _set_url(webhooks, hook["id"], good)
        wait_for(lambda: len(receiver.acknowledged) == 1, 20, "delivered once repaired")
        wait_for(
            lambda: api.get("/api/webhooks").json()[0]["last_error"] is None,
            20,
            "the error cleared",
        )


def _set_url(webhooks: Webhooks, hook_id: str, url: str) -> None:
    with webhooks.db.session() as session:
        session.execute("UPDATE wh_webhooks SET url = ? WHERE id = ?", (url, hook_id))


@pytest.fixture
def impatient_api(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[Api]:
    """Failures for 0.2 s make a webhook failing; loopback allowed."""
    monkeypatch.setenv("STOCKLEDGER_WEBHOOK_BACKOFF_BASE", "0.05")
    monkeypatch.setenv("STOCKLEDGER_WEBHOOK_BACKOFF_MAX", "0.1")
    monkeypatch.setenv("STOCKLEDGER_WEBHOOK_FAILING_AFTER", "0.2")
    yield from _api(allow_loopback(settings))


def test_attempt_numbers_continue_after_a_resume_and_failing_since_is_an_iso_time(
    impatient_api: Api,
) -> None:
    api = impatient_api
    healthy: list[bool] = []
    with Receiver(answer=lambda n: 200 if healthy else 503) as receiver:
        hook = api.post("/api/webhooks", {"url": receiver.url, "types": ["movement"]}).json()
        receiver.secret = hook["secret"]
        deliveries = f"/api/webhooks/{hook['id']}/deliveries"
        assert api.post("/api/receipts", receipt("R-1"), role="clerk").status_code == 201
        wait_for(lambda: api.get("/api/webhooks").json()[0]["status"] == "failing", 20, "failing")
        listed = api.get("/api/webhooks").json()[0]
        since = datetime.fromisoformat(listed["failing_since"])
        assert since.utcoffset() == timedelta(0) and since <= datetime.now(UTC)
        failed = len(api.get(deliveries, params={"limit": 1000}).json())
        assert failed >= 2
        healthy.append(True)
        assert api.post(f"/api/webhooks/{hook['id']}/resume").json() == {"status": "active"}
        wait_for(lambda: len(receiver.acknowledged) == 1, 20, "delivered after resume")
        attempts = api.get(deliveries, params={"limit": 1000}).json()
        numbers = [a["attempt"] for a in reversed(attempts)]
        assert numbers == list(range(1, failed + 2))  # one event: 1, 2, …, n, n + 1
        assert attempts[0]["status_code"] == 200
        wait_for(
            lambda: api.get("/api/webhooks").json()[0]["failing_since"] is None,
            20,
            "failing_since cleared by the acknowledgement",
        )
