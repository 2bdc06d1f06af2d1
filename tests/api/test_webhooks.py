"""Webhooks through the real app and a real local receiver: registration and roles, signed
delivery in position order, retries with backoff until acknowledged, failing and resume, and
a hanging receiver that delays nobody else."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from application.events import LedgerEvents
from application.settings import Settings
from feed.events import TYPE_OF_TOPIC
from tests.api.conftest import Api, _api, receipt
from tests.receiver import Receiver, allow_loopback, wait_for


@pytest.fixture
def fast(monkeypatch: pytest.MonkeyPatch) -> None:
    """Backoff in tens of milliseconds and a short request timeout."""
    monkeypatch.setenv("STOCKLEDGER_WEBHOOK_BACKOFF_BASE", "0.05")
    monkeypatch.setenv("STOCKLEDGER_WEBHOOK_BACKOFF_MAX", "0.2")
    monkeypatch.setenv("STOCKLEDGER_WEBHOOK_TIMEOUT", "0.5")


@pytest.fixture
def hooks_api(fast: None, settings: Settings) -> Iterator[Api]:
    """The app on each backend, with fast delivery settings, delivering to loopback."""
    yield from _api(allow_loopback(settings))


def register(api: Api, receiver: Receiver, **extra: object) -> dict[str, object]:
    answer = api.post("/api/webhooks", {"url": receiver.url, **extra})
    assert answer.status_code == 201, answer.text
    body: dict[str, object] = answer.json()
    receiver.secret = str(body["secret"])
    return body


def published(api: Api, after: int = 0) -> list[int]:
    ledger = api.client.app.state.ledger  # type: ignore[attr-defined]
    return [r.position for r in LedgerEvents(ledger).read(after, 10**6) if r.topic in TYPE_OF_TOPIC]


def test_registration_answers_the_secret_once_and_lists_without_it(api: Api) -> None:
    # A public address, spelled as one: no name to look up, and nothing is delivered to it.
    body = api.post("/api/webhooks", {"url": "https://93.184.215.14/hook", "types": ["movement"]})
    assert body.status_code == 201
    created = body.json()
    assert created["secret"].startswith("whsec_") and created["status"] == "active"
    listed = api.get("/api/webhooks").json()
    assert [h["id"] for h in listed] == [created["id"]]
    assert "secret" not in listed[0] and listed[0]["types"] == ["movement"]
    assert (
        api.client.delete(
            f"/api/webhooks/{created['id']}", headers=api.headers("admin")
        ).status_code
        == 204
    )
    assert api.get("/api/webhooks").json() == []
    assert api.get(f"/api/webhooks/{created['id']}/deliveries").status_code == 404


@pytest.mark.parametrize(
    "url",
    ["ftp://erp.example/hook", "file:///etc/passwd", "javascript:alert(1)", "http://", "hook"],
)
def test_only_http_and_https_urls_are_accepted(api: Api, url: str) -> None:
    answer = api.post("/api/webhooks", {"url": url})
    assert answer.status_code == 422 and answer.json()["code"] == "validation_error"


@pytest.mark.parametrize("role", ["viewer", "clerk", "finance"])
def test_webhooks_are_for_admins(api: Api, role: str) -> None:
    assert api.get("/api/webhooks", role=role).status_code == 403
    assert api.post("/api/webhooks", {"url": "https://x.example/"}, role=role).status_code == 403


def test_events_arrive_signed_once_each_in_position_order(hooks_api: Api) -> None:
    with Receiver() as receiver:
        register(hooks_api, receiver)
        start = hooks_api.head
        for n in range(5):
            assert (
                hooks_api.post("/api/receipts", receipt(f"R-{n}"), role="clerk").status_code == 201
            )
        expected = published(hooks_api, start)
        wait_for(lambda: receiver.acknowledged == expected, 20, "every event acknowledged")
        assert receiver.positions() == expected and receiver.bad_signatures == 0


def test_a_receiver_answering_500_then_200_gets_every_event(hooks_api: Api) -> None:
    with Receiver(answer=lambda n: 500 if n < 3 else 200) as receiver:
        hook = register(hooks_api, receiver, types=["movement"])
        start = hooks_api.head
        for n in range(3):
            hooks_api.post("/api/receipts", receipt(f"R-{n}"), role="clerk")
        expected = [
            p for p in published(hooks_api, start) if p in set(movement_positions(hooks_api))
        ]
        wait_for(lambda: receiver.acknowledged == expected, 20, "every movement acknowledged")
        got = receiver.positions()
        assert got[:4] == [expected[0]] * 4  # the first event, retried until acknowledged
        assert sorted(set(got)) == expected
        attempts = hooks_api.get(f"/api/webhooks/{hook['id']}/deliveries", params={"limit": 50})
        codes = [(a["event_position"], a["attempt"], a["status_code"]) for a in attempts.json()]
        assert [c for c in codes if c[2] == 500] == [(expected[0], k, 500) for k in (3, 2, 1)]
        # The webhook's position moves past the documents it does not subscribe to (it is
        # written after the receiver's acknowledgement, so wait for it).
        wait_for(
            lambda: hooks_api.get("/api/webhooks").json()[0]["position"] >= expected[-1],
            20,
            "the webhook's position past the last movement",
        )


def movement_positions(api: Api) -> list[int]:
    page = api.get("/api/events", role="finance", params={"type": "movement", "limit": 1000})
    return [e["position"] for e in page.json()["items"]]


@pytest.fixture
def impatient_api(
    monkeypatch: pytest.MonkeyPatch, fast: None, sqlite_settings: Settings
) -> Iterator[Api]:
    """Failures for 0.1 s (instead of 24 h) make a webhook failing."""
    monkeypatch.setenv("STOCKLEDGER_WEBHOOK_FAILING_AFTER", "0.1")
    yield from _api(allow_loopback(sqlite_settings))


def test_a_webhook_failing_too_long_stops_until_resumed(impatient_api: Api) -> None:
    api = impatient_api
    healthy: list[bool] = []
    with Receiver(answer=lambda n: 200 if healthy else 503) as receiver:
        hook = register(api, receiver)
        api.post("/api/receipts", receipt("R-1"), role="clerk")
        wait_for(lambda: api.get("/api/webhooks").json()[0]["status"] == "failing", 20, "failing")
        assert api.get("/api/webhooks").json()[0]["last_error"] == "HTTP 503"
        tried = len(receiver.requests)
        time.sleep(0.5)  # a stopped webhook is not retried: nothing may arrive meanwhile
        assert len(receiver.requests) == tried
        healthy.append(True)
        assert api.post(f"/api/webhooks/{hook['id']}/resume").json() == {"status": "active"}
        expected = published(api)[-2:]
        wait_for(lambda: receiver.acknowledged == expected, 20, "delivered after resume")


def test_a_hanging_receiver_delays_neither_commands_nor_other_webhooks(hooks_api: Api) -> None:
    with Receiver(delay=30) as hanging, Receiver() as healthy:
        register(hooks_api, hanging)
        register(hooks_api, healthy)
        start = hooks_api.head
        began = time.monotonic()
        for n in range(5):
            assert (
                hooks_api.post("/api/receipts", receipt(f"R-{n}"), role="clerk").status_code == 201
            )
        assert time.monotonic() - began < 5
        expected = published(hooks_api, start)
        wait_for(lambda: healthy.acknowledged == expected, 20, "the healthy receiver served")
        assert hanging.acknowledged == []
