"""GET /api/events/stream on a real uvicorn server: SSE frames, resume after a disconnect
with Last-Event-ID losing nothing, roles."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import uvicorn

from api.main import create_app
from api.routers import events as events_router
from application.settings import Settings
from tests.api.conftest import ROLES, receipt
from tests.pgserver import free_port
from tests.receiver import wait_for


class Live:
    def __init__(self, settings: Settings) -> None:
        self.app = create_app(settings)
        ledger = self.app.state.ledger
        self.tokens = {r: ledger.issue_key(r, r, issued_by="test")[1] for r in ROLES}
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(self.app, port=self.port, log_level="warning", lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def headers(self, role: str, **extra: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}", **extra}

    def post_receipt(self, n: int) -> None:
        answer = httpx.post(
            f"{self.url}/api/receipts", json=receipt(f"R-{n}"), headers=self.headers("clerk")
        )
        assert answer.status_code == 201


@pytest.fixture
def live(settings: Settings) -> Iterator[Live]:
    server = Live(settings)
    server.thread.start()
    wait_for(lambda: server.server.started, 20, "uvicorn started")
    yield server
    server.server.should_exit = True
    server.thread.join(timeout=20)


def read_events(live: Live, count: int, **headers: str) -> list[dict[str, Any]]:
    """Opens the stream, reads ``count`` events and disconnects."""
    got: list[dict[str, Any]] = []
    frame: dict[str, str] = {}
    with httpx.stream(
        "GET",
        f"{live.url}/api/events/stream",
        headers=live.headers("finance", **headers),
        timeout=20,
    ) as answer:
        assert answer.status_code == 200
        assert answer.headers["content-type"].startswith("text/event-stream")
        for line in answer.iter_lines():
            if line.startswith(("id:", "event:", "data:")):
                key, _, value = line.partition(": ")
                frame[key] = value
            elif line == "" and frame:
                event = json.loads(frame["data"])
                assert frame["id"] == str(event["position"]) and frame["event"] == event["type"]
                got.append(event)
                frame = {}
                if len(got) == count:
                    break
    return got


def test_a_stream_resumed_with_last_event_id_loses_nothing(live: Live) -> None:
    for n in range(3):
        live.post_receipt(n)
    first = read_events(live, 4)  # the first four of six events, then a disconnect
    posting = threading.Thread(target=lambda: [live.post_receipt(n) for n in range(3, 6)])
    posting.start()  # more events while no one listens, and while the stream resumes
    rest = read_events(live, 8, **{"Last-Event-ID": str(first[-1]["position"])})
    posting.join()
    page = httpx.get(
        f"{live.url}/api/events", params={"limit": 100}, headers=live.headers("finance")
    ).json()
    assert first + rest == page["items"]


def test_a_live_stream_delivers_events_posted_after_it_opened(live: Live) -> None:
    timer = threading.Timer(0.3, live.post_receipt, args=(1,))
    timer.start()
    got = read_events(live, 2)
    timer.join()
    assert [e["type"] for e in got] == ["movement.recorded", "document.posted"]


def test_an_api_process_without_projectors_watches_the_head_from_its_first_stream(
    settings: Settings,
) -> None:
    # As `serve`'s API processes run: no webhook delivery, so nothing watches the head
    # (no wake-up and no head read per commit) until a stream waits for events.
    server = Live(settings.model_copy(update={"run_projectors": False}))
    server.thread.start()
    try:
        wait_for(lambda: server.server.started, 20, "uvicorn started")
        waiter = server.app.state.feed.waiter
        server.post_receipt(0)
        assert not waiter.watching
        timer = threading.Timer(0.3, server.post_receipt, args=(1,))
        timer.start()
        got = read_events(server, 4)
        timer.join()
        assert waiter.watching
        assert [e["type"] for e in got[2:]] == ["movement.recorded", "document.posted"]
        assert got[2]["position"] > got[1]["position"]
    finally:
        server.server.should_exit = True
        server.thread.join(timeout=20)


def test_no_stream_and_no_webhook_means_no_head_watching(live: Live) -> None:
    live.post_receipt(0)
    assert not live.app.state.feed.waiter.watching
    read_events(live, 2)
    assert live.app.state.feed.waiter.watching


def test_the_stream_is_for_finance(live: Live) -> None:
    answer = httpx.get(f"{live.url}/api/events/stream", headers=live.headers("clerk"))
    assert answer.status_code == 403


def test_an_idle_stream_sends_keep_alive_comments(
    live: Live, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The interval is 15 s in production; a short one keeps the test quick.
    monkeypatch.setattr(events_router, "KEEPALIVE", 0.2)
    comments = 0
    with httpx.stream(
        "GET",
        f"{live.url}/api/events/stream?after=1000000",
        headers=live.headers("finance"),
        timeout=20,
    ) as answer:
        assert answer.status_code == 200
        for line in answer.iter_lines():
            assert not line.startswith(("id:", "data:")), line
            if line == ": keep-alive":
                comments += 1
                if comments == 2:
                    break
    assert comments == 2
