"""kill -9 of a server in the middle of a group commit (PostgreSQL): every acknowledged
command is in the ledger whole, and no unacknowledged one is there in part.

The test holds the writer lock while the server's clients keep posting, so the server's
next batch is on the wire, waiting at the lock, when the server is killed. Whatever that
batch's fate (PostgreSQL may still commit what it was sent), each of its commands is all
there or not there at all; posting every unanswered command again answers 201 (it was not
recorded) or 200 (it was, unacknowledged), and each is then in the ledger exactly once."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx
import pytest

from application.ledger import Ledger
from application.settings import Settings
from domain.documents import Document
from tests.application.test_group_commit import lock_waiters, writer_lock_held
from tests.e2e.conftest import Server, cli, wait_until
from tests.pgserver import fetch

pytestmark = pytest.mark.postgres

CLIENTS = 8
SKUS = [f"K-{n}" for n in range(6)]
Posted = tuple[str, str, dict[str, Any]]  # (path, document id, body)


def command(client: int, n: int) -> Posted:
    """A 3-line receipt or a 2-line transfer (4 movements) on SKUs shared by every client."""
    skus = [SKUS[(client + n + k) % len(SKUS)] for k in range(3)]
    if n % 2 == 0:
        doc_id = f"R-{client}-{n}"
        lines = [{"sku": s, "quantity": "3", "unit_cost": "1.50"} for s in skus]
        return "/api/receipts", doc_id, {"receipt_id": doc_id, "location": "main", "lines": lines}
    doc_id = f"T-{client}-{n}"
    lines = [{"sku": s, "quantity": "1"} for s in skus[:2]]
    body = {"transfer_id": doc_id, "from_location": "main", "to_location": "bar", "lines": lines}
    return "/api/transfers", doc_id, body


class Clients:
    """Threads posting commands until the server goes away."""

    def __init__(self, url: str, token: str) -> None:
        self.url, self.token = url, token
        self.sent: list[Posted] = []
        self.acknowledged: set[str] = set()
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self._run, args=(c,)) for c in range(CLIENTS)]
        for thread in self.threads:
            thread.start()

    def _run(self, client: int) -> None:
        headers = {"Authorization": f"Bearer {self.token}"}
        with httpx.Client(base_url=self.url, headers=headers, timeout=60) as http:
            for n in range(10_000):
                path, doc_id, body = posted = command(client, n)
                with self.lock:
                    self.sent.append(posted)
                try:
                    answer = http.post(path, json=body)
                except httpx.TransportError:
                    return
                assert answer.status_code == 201, answer.text
                with self.lock:
                    self.acknowledged.add(doc_id)

    def join(self) -> None:
        for thread in self.threads:
            thread.join(60)
        assert not any(t.is_alive() for t in self.threads)


def movement_count(url: str, doc_id: str) -> int:
    ((count,),) = fetch(
        url,
        "SELECT count(*) FROM ledger_events WHERE topic LIKE 'stockledger:StockItem.%%' "
        "AND convert_from(state, 'UTF8')::jsonb ->> 'document_id' = %s",
        (doc_id,),
    )
    return int(count)


def recorded(ledger: Ledger, path: str, doc_id: str) -> bool:
    """Whether the document is in the ledger; if it is, with every movement it made."""
    doc_type = "receipt" if path == "/api/receipts" else "transfer"
    document = ledger.get(Document, Document.create_id(doc_type, doc_id))
    url = ledger.settings.database_url or ""
    if document is None:
        assert movement_count(url, doc_id) == 0, f"{doc_id}: movements without a document"
        return False
    expected = 3 if doc_type == "receipt" else 4
    assert len(document.movements) == expected
    for oid, version in document.movements:
        assert list(ledger.events.get(UUID(oid), gt=version - 1, lte=version)), doc_id
    assert movement_count(url, doc_id) == expected
    return True


def test_a_kill_during_a_group_commit_leaves_every_command_whole_or_absent(
    pg_settings: Settings, tmp_path: Path, serve: list[Server]
) -> None:
    url = pg_settings.database_url or ""
    settings = pg_settings.model_copy(update={"run_projectors": False})
    out = cli(settings, "keys", "create", "--user", "clerk", "--role", "clerk").stdout
    token = next(word for word in out.split() if word.startswith("sl_"))
    server = Server(settings, tmp_path).start()
    serve.append(server)
    opening = {
        "receipt_id": "OPENING",
        "location": "main",
        "lines": [{"sku": s, "quantity": "100000", "unit_cost": "1.00"} for s in SKUS],
    }
    headers = {"Authorization": f"Bearer {token}"}
    opened = httpx.post(f"{server.url}/api/receipts", json=opening, headers=headers)
    assert opened.status_code == 201, opened.text

    clients = Clients(server.url, token)
    wait_until(lambda: len(clients.acknowledged) >= 60, 120, "commands acknowledged")
    with writer_lock_held(url):
        wait_until(lambda: lock_waiters(url) >= 1, 30, "a batch waiting at the writer lock")
        assert server.process is not None
        server.process.kill()
        server.process.wait(timeout=10)
    clients.join()

    with Ledger(settings.model_copy(update={"create_schema": False})) as ledger:
        there = {doc_id for path, doc_id, _ in clients.sent if recorded(ledger, path, doc_id)}
    assert clients.acknowledged <= there
    unanswered = [p for p in clients.sent if p[1] not in clients.acknowledged]
    assert unanswered, "the kill must leave commands unanswered"

    again = Server(settings, tmp_path).start()
    serve.append(again)
    with httpx.Client(base_url=again.url, headers=headers, timeout=60) as http:
        for path, doc_id, body in unanswered:
            answer = http.post(path, json=body)
            assert answer.status_code == (200 if doc_id in there else 201), answer.text
    with Ledger(settings.model_copy(update={"create_schema": False})) as ledger:
        assert all(recorded(ledger, path, doc_id) for path, doc_id, _ in clients.sent)
