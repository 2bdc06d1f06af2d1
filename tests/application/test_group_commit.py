"""Group commit (store.group_commit): saves made concurrently in one process share
one transaction, each still all or nothing; a save that lost a race is left out and re-run
alone; positions follow commit order. PostgreSQL only (SQLite keeps the library's writer)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from itertools import pairwise
from typing import Any

import psycopg
import pytest

from application.commands import PostConsumption, PostReceipt, ReceiptLine
from application.ledger import Ledger
from application.records import CommandResult
from application.settings import Settings
from store.group_commit import LedgerRecorder
from tests.application.helpers import USER, D, line, movements, receive, state
from tests.e2e.conftest import wait_until
from tests.pgserver import fetch

pytestmark = pytest.mark.postgres

WAIT = 30


def lock_waiters(url: str) -> int:
    ((waiting,),) = fetch(
        url,
        "SELECT count(*) FROM pg_locks WHERE NOT granted "
        "AND relation = 'ledger_write_lock'::regclass",
    )
    return int(waiting)


@contextmanager
def writer_lock_held(url: str) -> Iterator[None]:
    """Holds the writer lock, as a slow writer in another process would."""
    with psycopg.connect(url) as conn:
        conn.execute("LOCK TABLE ledger_write_lock IN EXCLUSIVE MODE")
        yield
        conn.rollback()


class Posting:
    """Commands run in threads of their own; their results once they answered."""

    def __init__(self) -> None:
        self.threads: list[threading.Thread] = []
        self.results: dict[str, CommandResult] = {}
        self.errors: list[BaseException] = []

    def start(self, name: str, run: Callable[[], CommandResult]) -> None:
        def target() -> None:
            try:
                self.results[name] = run()
            except BaseException as error:
                self.errors.append(error)

        thread = threading.Thread(target=target, name=name)
        thread.start()
        self.threads.append(thread)

    def join(self) -> dict[str, CommandResult]:
        for thread in self.threads:
            thread.join(WAIT)
        assert not any(t.is_alive() for t in self.threads)
        assert not self.errors, self.errors
        return self.results


def recorder_of(ledger: Ledger) -> LedgerRecorder:
    recorder: Any = ledger.recorder
    assert isinstance(recorder, LedgerRecorder)
    return recorder


def receipt(ledger: Ledger, doc_id: str, *skus: str) -> Callable[[], CommandResult]:
    lines = [ReceiptLine(sku, D(5), D("1.25")) for sku in skus]
    return lambda: ledger.execute(PostReceipt(doc_id, "main", lines), user=USER)


def positions(result: CommandResult) -> list[int]:
    return [m.position for m in result.movements]


def test_concurrent_commands_share_one_transaction_in_position_order(
    pg_settings: Settings,
) -> None:
    url = pg_settings.database_url or ""
    with Ledger(pg_settings) as ledger:
        recorder = recorder_of(ledger)
        posting = Posting()
        with writer_lock_held(url):
            posting.start("first", receipt(ledger, "R-FIRST", "A-0"))
            wait_until(lambda: lock_waiters(url) == 1, WAIT, "the first batch at the lock")
            for n in range(1, 9):
                posting.start(f"R-{n}", receipt(ledger, f"R-{n}", f"A-{n}", f"B-{n}"))
            wait_until(lambda: recorder.waiting == 8, WAIT, "eight saves queued behind it")
            assert not posting.results, "nothing is answered before its commit"
        results = posting.join()

    assert all(r.created for r in results.values())
    assert recorder.batch_sizes == {1: 1, 8: 1}
    assert recorder.lost == 0
    first = results.pop("first")
    batch = sorted(results.values(), key=lambda r: r.position)
    # The batch committed after the first save, as one run of positions: each command's
    # events together (item created, movement, per line; then its document).
    assert max(positions(first)) < min(positions(batch[0]))
    spans = [(min(positions(r)), r.position) for r in batch]
    assert all(high < low for (_, high), (low, _) in pairwise(spans))
    assert batch[-1].position == first.position + 8 * 5
    for result in batch:
        assert positions(result) == sorted(positions(result))


def test_a_command_that_lost_a_race_is_retried_alone_and_the_rest_of_its_batch_commits(
    pg_settings: Settings,
) -> None:
    url = pg_settings.database_url or ""
    with Ledger(pg_settings) as ledger, Ledger(pg_settings) as elsewhere:
        receive(ledger, "R-OPEN", "X", "10", "2.00")
        posting = Posting()
        with writer_lock_held(url):
            # Another process consumes X first: it waits for the lock ahead of everyone.
            posting.start("elsewhere", lambda: elsewhere.execute(
                PostConsumption("C-ELSEWHERE", "main", [line("X", "3")]), user=USER
            ))  # fmt: skip
            wait_until(lambda: lock_waiters(url) == 1, WAIT, "the other process at the lock")
            posting.start("first", receipt(ledger, "R-FIRST", "Z"))
            wait_until(lambda: lock_waiters(url) == 2, WAIT, "this process's batch at the lock")
            # This batch: a consumption of X decided on the state before the other
            # process's (lost: re-run on fresh state), and four unrelated receipts.
            posting.start("C-X", lambda: ledger.execute(
                PostConsumption("C-X", "main", [line("X", "4")]), user=USER
            ))  # fmt: skip
            for n in range(4):
                posting.start(f"R-{n}", receipt(ledger, f"R-{n}", f"S-{n}"))
            wait_until(lambda: recorder_of(ledger).waiting == 5, WAIT, "the batch queued")
        results = posting.join()

        recorder = recorder_of(ledger)
        assert all(r.created for r in results.values())
        assert recorder.lost == 1
        assert recorder.batch_sizes[5] == 1
        assert state(ledger, "X") == (D(3), D(0), D("6.00"))
        kinds = [(m.document_id, m.on_hand_after) for m in movements(ledger, "X")]
        assert kinds == [("R-OPEN", D(10)), ("C-ELSEWHERE", D(7)), ("C-X", D(3))]
        # The loser committed after its batch.
        assert results["C-X"].position > max(results[f"R-{n}"].position for n in range(4))


def test_commands_on_one_position_in_one_batch_all_commit_one_after_another(
    pg_settings: Settings,
) -> None:
    url = pg_settings.database_url or ""
    with Ledger(pg_settings) as ledger:
        receive(ledger, "R-OPEN", "Y", "1", "1.00")
        recorder = recorder_of(ledger)
        posting = Posting()
        with writer_lock_held(url):
            posting.start("first", receipt(ledger, "R-FIRST", "Z"))
            wait_until(lambda: lock_waiters(url) == 1, WAIT, "the first batch at the lock")
            for n in range(4):
                posting.start(f"R-{n}", receipt(ledger, f"R-{n}", "Y"))
            wait_until(lambda: recorder.waiting == 4, WAIT, "four saves on Y queued")
        results = posting.join()

        assert all(r.created for r in results.values())
        assert recorder.lost >= 3
        assert state(ledger, "Y")[0] == D(21)
        ys = movements(ledger, "Y")
        assert [m.originator_version for m in ys] == list(range(2, 7))
        assert [m.on_hand_after for m in ys] == [D(1), D(6), D(11), D(16), D(21)]
