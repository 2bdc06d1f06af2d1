"""One document, one set of movements (SPEC §1.5): repeats, conflicts, concurrent posts."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from application.commands import (
    CancelQuote,
    CloseQuote,
    CreateQuote,
    PostConsumption,
    PostDelivery,
    PostReceipt,
    ReceiptLine,
)
from application.ledger import Ledger
from application.records import CommandResult
from application.settings import Settings
from domain.documents import Document
from domain.errors import DocumentConflictError
from tests.application.helpers import USER, D, line, movements, quote_line, receive, state


def test_the_same_receipt_posted_twice_records_one_set_of_events(ledger: Ledger) -> None:
    first = receive(ledger, "r-1", "A", "3", "2")
    head = ledger.head()
    again = ledger.execute(
        PostReceipt("r-1", "main", [ReceiptLine("A", D("3.000"), D("2.00"))]), user=USER
    )
    assert (first.created, again.created) == (True, False)
    assert again.movements == first.movements
    assert again.position == first.position
    assert ledger.head() == head
    assert state(ledger, "A") == (D(3), D(0), D("6.00"))


def test_the_same_delivery_posted_twice_ships_once(ledger: Ledger) -> None:
    receive(ledger, "r-1", "A", "3", "2")
    first = ledger.execute(PostDelivery("d-1", "main", [line("A", "1")]), user=USER)
    again = ledger.execute(PostDelivery("d-1", "main", [line("A", "1")]), user=USER)
    assert not again.created
    assert (again.movements, again.position) == (first.movements, first.position)
    assert state(ledger, "A") == (D(2), D(0), D("4.00"))


def test_a_different_payload_under_the_same_id_is_refused_and_records_nothing(
    ledger: Ledger,
) -> None:
    receive(ledger, "r-1", "A", "3", "2")
    ledger.execute(PostConsumption("c-1", "main", [line("A", "1")]), user=USER)
    head = ledger.head()
    with pytest.raises(DocumentConflictError):
        receive(ledger, "r-1", "A", "3", "2.01")
    with pytest.raises(DocumentConflictError):
        ledger.execute(PostConsumption("c-1", "main", [line("A", "2")]), user=USER)
    assert ledger.head() == head
    assert state(ledger, "A") == (D(2), D(0), D("4.00"))


def test_the_same_id_may_be_used_by_documents_of_different_types(ledger: Ledger) -> None:
    receive(ledger, "x-1", "A", "3", "2")
    result = ledger.execute(PostConsumption("x-1", "main", [line("A", "1")]), user=USER)
    assert result.created


def test_a_quote_created_again_is_a_repeat_and_another_payload_a_conflict(
    ledger: Ledger,
) -> None:
    first = ledger.execute(CreateQuote("q-1", "ACME", "main", [quote_line("A", "2")]), user=USER)
    head = ledger.head()
    again = ledger.execute(CreateQuote("q-1", "ACME", "main", [quote_line("A", "2.0")]), user=USER)
    assert not again.created
    assert again.position == first.position
    with pytest.raises(DocumentConflictError):
        ledger.execute(CreateQuote("q-1", "ACME", "main", [quote_line("A", "3")]), user=USER)
    assert ledger.head() == head


def test_closing_or_cancelling_a_quote_again_is_a_no_op_success(ledger: Ledger) -> None:
    receive(ledger, "r-1", "A", "5", "2")
    ledger.execute(CreateQuote("q-1", "ACME", "main", [quote_line("A", "2")]), user=USER)
    closed = ledger.execute(CloseQuote("q-1"), user=USER)
    head = ledger.head()
    closed_again = ledger.execute(CloseQuote("q-1"), user=USER)
    assert not closed_again.created
    assert closed_again.position == closed.position
    assert closed_again.quote is not None and closed_again.quote.status == "closed"
    assert ledger.head() == head
    cancelled = ledger.execute(CancelQuote("q-1"), user=USER)
    head = ledger.head()
    cancelled_again = ledger.execute(CancelQuote("q-1"), user=USER)
    assert not cancelled_again.created
    assert cancelled_again.position == cancelled.position
    assert ledger.head() == head
    assert state(ledger, "A") == (D(5), D(0), D("10.00"))


@pytest.mark.postgres
def test_the_same_delivery_posted_ten_times_concurrently_ships_once(
    pg_settings: Settings,
) -> None:
    with Ledger(pg_settings) as setup:
        receive(setup, "r-1", "A", "100", "1.5")
    workers = 10
    ledgers = [Ledger(pg_settings) for _ in range(workers)]
    start = threading.Barrier(workers)

    def post(app: Ledger) -> CommandResult:
        start.wait(timeout=30)
        return app.execute(PostDelivery("d-1", "main", [line("A", "7")]), user=USER)

    try:
        with ThreadPoolExecutor(workers) as pool:
            results = list(pool.map(post, ledgers))
        check = ledgers[0]
        assert sum(r.created for r in results) == 1
        assert len({r.position for r in results}) == 1
        assert all(r.movements == results[0].movements for r in results)
        shipped = [m for m in movements(check, "A") if m.document_id == "d-1"]
        assert len(shipped) == 1
        assert state(check, "A") == (D(93), D(0), D("139.50"))
        document = check.get(Document, Document.create_id("delivery", "d-1"))
        assert document is not None and document.version == 1
    finally:
        for app in ledgers:
            app.close()


def test_a_repeated_delivery_is_answered_even_when_its_stock_has_since_gone(
    ledger: Ledger,
) -> None:
    receive(ledger, "r-1", "A", "2", "2")
    first = ledger.execute(PostDelivery("d-1", "main", [line("A", "2")]), user=USER)
    head = ledger.head()
    again = ledger.execute(PostDelivery("d-1", "main", [line("A", "2")]), user=USER)
    assert (again.created, again.position, again.movements) == (
        False,
        first.position,
        first.movements,
    )
    with pytest.raises(DocumentConflictError):
        ledger.execute(PostDelivery("d-1", "main", [line("A", "5")]), user=USER)
    assert ledger.head() == head
