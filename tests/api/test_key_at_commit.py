"""A command's key is checked at commit, not by a read before it (application.keys).

SPEC §7: a revoked key stops working at once in every process. A command's caller is
accepted from the process's copy of the key ring; its save checks the ring's version under
the writer lock, and an answer given without a save asks the store first. These tests
revoke the key from another Ledger on the same store (another process, as far as this
app can tell) at each point of a command, on both backends.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any
from uuid import UUID

import pytest
from fastapi import FastAPI

from application.keys import RING_ID, ApiKeys
from application.ledger import Ledger
from store.owned import Owned
from tests.api.conftest import Api, receipt

SHORT = {"delivery_id": "D-1", "location": "main", "lines": [{"sku": "NONE", "quantity": "1"}]}
QUOTE = {
    "quote_id": "Q-1",
    "customer": "Bistro",
    "location": "main",
    "lines": [{"sku": "AB-001", "quantity": "1", "unit_price": "24.90"}],
}


class Caller:
    """A clerk key of its own on ``api``'s store, which the app has already served once
    (so its copy of the key ring holds the key), and the ring probes since."""

    def __init__(self, api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
        self.api = api
        self.app: FastAPI = api.client.app  # type: ignore[assignment]
        self.key_id, token = self.app.state.ledger.issue_key("eve", "clerk", issued_by="t")
        self.headers = {"Authorization": f"Bearer {token}"}
        self.probes: list[UUID] = []
        newer = Owned.newer

        def counted(owned: Owned, aggregate_id: UUID, version: int) -> bool:
            if aggregate_id == RING_ID:
                self.probes.append(aggregate_id)
            return newer(owned, aggregate_id, version)

        monkeypatch.setattr(Owned, "newer", counted)
        assert self.post("/api/receipts", receipt("R-1")).status_code == 201

    def post(self, path: str, body: Any = None) -> Any:
        return self.api.client.post(path, json=body, headers=self.headers)

    def elsewhere(self, act: Callable[[Ledger], object]) -> None:
        with Ledger(self.app.state.settings) as other:
            act(other)

    def revoke(self) -> None:
        self.elsewhere(lambda other: other.revoke_key(self.key_id, revoked_by="admin"))


@pytest.fixture
def caller(any_api: Api, monkeypatch: pytest.MonkeyPatch) -> Iterator[Caller]:
    yield Caller(any_api, monkeypatch)


def test_a_command_by_a_current_key_reads_nothing_about_the_key(caller: Caller) -> None:
    caller.probes.clear()
    assert caller.post("/api/receipts", receipt("R-2")).status_code == 201
    assert caller.probes == []  # checked by the save itself
    # Answers given without a save ask the store: a refusal, a read.
    assert caller.post("/api/deliveries", SHORT).status_code == 409
    assert len(caller.probes) == 1
    caller.api.client.get("/api/stock/AB-001/main", headers=caller.headers)
    assert len(caller.probes) == 2


# (name, path, body): each would be answered 201, 200, 409 or 422 to a current key.
REFUSED = [
    ("new receipt", "/api/receipts", receipt("R-2")),
    ("repeat of a posted receipt", "/api/receipts", receipt("R-1")),
    ("delivery short of stock", "/api/deliveries", SHORT),
    ("bad body", "/api/receipts", {"receipt_id": "R-3", "lines": []}),
    ("count, which needs admin", "/api/counts", {"count_id": "C-1", "lines": []}),
    ("close of an unknown quote", "/api/quotes/Q-404/close", None),
]


@pytest.mark.parametrize("case", REFUSED, ids=[case[0] for case in REFUSED])
def test_a_key_revoked_elsewhere_gets_nothing_but_401(
    caller: Caller, case: tuple[str, str, Any]
) -> None:
    _, path, body = case
    caller.revoke()
    head = caller.api.head
    refused = caller.post(path, body)
    assert (refused.status_code, refused.json()["code"]) == (401, "unauthorized")
    assert refused.headers["www-authenticate"] == "Bearer"
    assert caller.api.head == head  # nothing recorded


def test_a_no_op_answered_without_a_save_is_refused_to_a_revoked_key(caller: Caller) -> None:
    assert caller.post("/api/quotes", QUOTE).status_code == 201
    assert caller.post("/api/quotes/Q-1/close", None).status_code == 201
    assert caller.post("/api/quotes/Q-1/close", None).status_code == 200
    caller.revoke()
    head = caller.api.head
    again = caller.post("/api/quotes/Q-1/close", None)  # closing twice records nothing
    assert again.status_code == 401
    assert caller.api.head == head


def test_a_key_revoked_while_its_command_runs_commits_nothing(
    caller: Caller, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The revocation commits after the key was accepted from the copy and before the
    # command's save: the save's check of the ring refuses it.
    accept = ApiKeys.accept

    def then_revoked(keys: ApiKeys, token: str) -> Any:
        accepted = accept(keys, token)
        assert accepted is not None  # taken from the copy, not from the store
        caller.revoke()
        return accepted

    monkeypatch.setattr(ApiKeys, "accept", then_revoked)
    head = caller.api.head
    caller.probes.clear()
    refused = caller.post("/api/receipts", receipt("R-2"))
    assert (refused.status_code, refused.json()["code"]) == (401, "unauthorized")
    assert len(caller.probes) == 1  # the lost save's check, not asked again on the way out
    assert caller.api.head == head + 1  # the revocation, nothing else
    monkeypatch.undo()
    posted = caller.api.post("/api/receipts", receipt("R-2"), role="clerk")
    assert posted.status_code == 201, posted.json()  # never recorded


def test_keys_issued_elsewhere_leave_a_current_key_working(caller: Caller) -> None:
    caller.elsewhere(lambda other: other.issue_key("zoe", "viewer", issued_by="admin"))
    head = caller.api.head
    posted = caller.post("/api/receipts", receipt("R-2"))
    assert posted.status_code == 201
    assert posted.json()["position"] > head
    # Recorded once (the save that lost on the ring's version recorded nothing), and the
    # copy of the ring moved on: the next command reads nothing about the key.
    assert caller.post("/api/receipts", receipt("R-2")).status_code == 200
    caller.probes.clear()
    assert caller.post("/api/receipts", receipt("R-3")).status_code == 201
    assert caller.probes == []
