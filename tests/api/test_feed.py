"""GET /api/events: immutable cursor pages in position order, type prefixes, no internal
events, roles; on PostgreSQL, paging while commands are posted misses and repeats nothing."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

from application.commands import PostReceipt, ReceiptLine
from application.events import LedgerEvents
from application.settings import Settings
from feed.events import TYPE_OF_TOPIC
from tests.api.conftest import Api, _api, delivery, quote, receipt


def _story(api: Api) -> None:
    assert api.post("/api/receipts", receipt("R-1"), role="clerk").status_code == 201
    quoted = api.post("/api/quotes", quote(qty="2", price="30", customer="c"), role="clerk")
    assert quoted.status_code == 201
    assert api.post("/api/quotes/Q-1/close", role="clerk").status_code == 201
    assert api.post("/api/deliveries", delivery("D-1", "2", "Q-1"), role="clerk").status_code == 201


def _all(api: Api, limit: int, type_: str | None = None) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    after = 0
    while True:
        params: dict[str, Any] = {"after": after, "limit": limit}
        if type_:
            params["type"] = type_
        page = api.get("/api/events", role="finance", params=params).json()
        items += page["items"]
        if page["next"] == after:
            return items
        after = page["next"]


def _published(api: Api) -> list[int]:
    ledger = api.client.app.state.ledger  # type: ignore[attr-defined]
    return [r.position for r in LedgerEvents(ledger).read(0, 1_000_000) if r.topic in TYPE_OF_TOPIC]


def test_pages_hold_every_published_event_once_in_position_order(any_api: Api) -> None:
    _story(any_api)
    items = _all(any_api, limit=2)
    assert [e["position"] for e in items] == _published(any_api)
    types = [e["type"] for e in items]
    assert types.count("document.posted") == 2  # the receipt and the delivery
    assert {"movement.recorded", "quote.changed", "document.posted"} <= set(types)
    assert all(e["v"] == 1 and set(e) == {"v", "position", "type", "time", "data"} for e in items)
    ship = next(
        e for e in items if e["type"] == "movement.recorded" and e["data"]["kind"] == "SHIP"
    )
    assert ship["data"]["value"] == "-30.00" and ship["data"]["position"] == ship["position"]
    assert ship["data"]["document"] == {"type": "delivery", "id": "D-1", "line": 0}
    closed = [e["data"] for e in items if e["type"] == "quote.changed"]
    assert [q["status"] for q in closed][:2] == ["draft", "closed"]


def test_internal_events_are_never_published(api: Api) -> None:
    _story(api)
    text = api.get("/api/events", role="finance", params={"limit": 1000}).text
    assert "KeyRing" not in text and "key_hash" not in text and "hash_of" not in text
    head = api.get("/api/events", role="finance").json()["head"]
    assert head >= max(_published(api))  # keys were issued before: positions have gaps


def test_a_type_prefix_filters_and_an_unknown_one_is_refused(api: Api) -> None:
    _story(api)
    movements = _all(api, limit=3, type_="movement")
    assert movements and all(e["type"] == "movement.recorded" for e in movements)
    both = _all(api, limit=3, type_="movement,document")
    assert {e["type"] for e in both} == {"movement.recorded", "document.posted"}
    answer = api.get("/api/events", role="finance", params={"type": "keys"})
    assert answer.status_code == 422 and answer.json()["code"] == "validation_error"


def test_a_full_page_never_changes(api: Api) -> None:
    _story(api)
    first = api.get("/api/events", role="finance", params={"limit": 3}).json()
    assert api.post("/api/receipts", receipt("R-2"), role="clerk").status_code == 201
    again = api.get("/api/events", role="finance", params={"limit": 3}).json()
    assert again["items"] == first["items"] and again["next"] == first["next"]
    assert again["head"] > first["head"]


@pytest.mark.parametrize(("role", "status"), [(None, 401), ("clerk", 403), ("finance", 200)])
def test_the_feed_is_for_finance(api: Api, role: str | None, status: int) -> None:
    assert api.get("/api/events", role=role).status_code == status


@pytest.fixture
def pg_api(pg_settings: Settings) -> Iterator[Api]:
    yield from _api(pg_settings)


def test_paging_while_commands_are_posted_misses_and_repeats_nothing(pg_api: Api) -> None:
    ledger = pg_api.client.app.state.ledger  # type: ignore[attr-defined]

    def write(worker: int) -> None:
        for n in range(40):
            line = ReceiptLine(f"SKU-{worker}", Decimal(1), Decimal(2))
            ledger.execute(PostReceipt(f"R-{worker}-{n}", "main", [line]), user="w")

    writers = [threading.Thread(target=write, args=(w,)) for w in range(3)]
    for thread in writers:
        thread.start()
    seen: list[int] = []
    after = 0
    finished = False
    while True:
        # The last pass starts after every writer has finished: it must reach the head.
        finished = not any(t.is_alive() for t in writers)
        body = pg_api.get("/api/events", role="finance", params={"after": after, "limit": 7})
        page = body.json()
        seen += [e["position"] for e in page["items"]]
        assert page["next"] >= after
        after = page["next"]
        if finished and after >= page["head"]:
            break
    assert seen == sorted(set(seen))
    assert seen == _published(pg_api)
    assert len(seen) == 3 * 40 * 2  # a movement and a document each
