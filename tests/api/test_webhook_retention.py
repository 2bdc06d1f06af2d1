"""The webhook attempts log keeps what is recent: the deliverer deletes attempts older than
``STOCKLEDGER_WEBHOOK_KEEP_ATTEMPTS`` (30 days unless told; 0 keeps every one), on both
backends, through the real app, its running deliverer and a real local receiver."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from application.settings import Settings
from tests.api.conftest import Api, _api, receipt
from tests.api.test_webhooks import register
from tests.receiver import Receiver, allow_loopback, wait_for

DAY = 86_400


@pytest.fixture
def pruning(monkeypatch: pytest.MonkeyPatch) -> None:
    """Quick delivery, attempts kept 30 days, the log pruned every 0.2 s."""
    monkeypatch.setenv("STOCKLEDGER_WEBHOOK_TIMEOUT", "0.5")
    monkeypatch.setenv("STOCKLEDGER_WEBHOOK_KEEP_ATTEMPTS", str(30 * DAY))
    monkeypatch.setenv("STOCKLEDGER_WEBHOOK_PRUNE_EVERY", "0.2")


@pytest.fixture
def kept_api(pruning: None, settings: Settings) -> Iterator[Api]:
    yield from _api(allow_loopback(settings))


@pytest.fixture
def keep_all_api(
    pruning: None, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Api]:
    monkeypatch.setenv("STOCKLEDGER_WEBHOOK_KEEP_ATTEMPTS", "0")
    yield from _api(allow_loopback(settings))


def _feed(api: Api) -> Any:
    return api.client.app.state.feed  # type: ignore[attr-defined]


def _ago(days: float) -> str:
    return (datetime.now(UTC) - timedelta(days=days)).isoformat(timespec="milliseconds")


def _delivered(api: Api, receiver: Receiver, count: int) -> tuple[str, list[int]]:
    """A webhook that has acknowledged ``count`` receipts' events: (its id, their positions)."""
    hook = register(api, receiver, types=["movement"])
    for n in range(count):
        assert api.post("/api/receipts", receipt(f"R-{n}"), role="clerk").status_code == 201
    wait_for(lambda: len(receiver.acknowledged) == count, 20, "every movement acknowledged")
    return str(hook["id"]), list(receiver.acknowledged)


def _age(api: Api, position: int, days: float) -> None:
    with _feed(api).webhooks.db.session() as session:
        session.execute(
            "UPDATE wh_attempts SET at = ? WHERE event_position = ?", (_ago(days), position)
        )


def _logged(api: Api, hook_id: str) -> list[int]:
    answer = api.get(f"/api/webhooks/{hook_id}/deliveries", params={"limit": 50})
    assert answer.status_code == 200
    return sorted(a["event_position"] for a in answer.json())


def test_attempts_older_than_the_retention_are_deleted_and_recent_ones_kept(
    kept_api: Api,
) -> None:
    with Receiver() as receiver:
        hook_id, positions = _delivered(kept_api, receiver, 3)
        assert _logged(kept_api, hook_id) == positions
        _age(kept_api, positions[0], 31)
        _age(kept_api, positions[1], 29)
        wait_for(lambda: _logged(kept_api, hook_id) == positions[1:], 20, "the old attempt gone")
        time.sleep(0.6)  # several more prunings delete nothing younger than 30 days
        assert _logged(kept_api, hook_id) == positions[1:]


def test_retention_zero_keeps_every_attempt(keep_all_api: Api) -> None:
    with Receiver() as receiver:
        hook_id, positions = _delivered(keep_all_api, receiver, 2)
        _age(keep_all_api, positions[0], 3650)
        time.sleep(1.0)  # five pruning periods
        assert _logged(keep_all_api, hook_id) == positions


def test_pruning_counts_what_it_deletes_including_a_deleted_webhook_s(kept_api: Api) -> None:
    with Receiver() as receiver:
        hook_id, positions = _delivered(kept_api, receiver, 2)
        webhooks = _feed(kept_api).webhooks
        assert webhooks.prune_attempts(_ago(1)) == 0
        for position in positions:
            _age(kept_api, position, 2)
        deleted = kept_api.client.delete(
            f"/api/webhooks/{hook_id}", headers=kept_api.headers("admin")
        )
        assert deleted.status_code == 204
        assert webhooks.prune_attempts(_ago(1)) == 2
        with webhooks.db.session() as session:
            assert session.execute("SELECT COUNT(*) FROM wh_attempts")[0][0] == 0
