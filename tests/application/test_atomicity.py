"""All or nothing (SPEC §1.6): a command failing on its last line records nothing at all."""

from __future__ import annotations

import pytest

from application.commands import CloseQuote, CreateQuote, PostDelivery, PostTransfer
from application.ledger import Ledger
from domain.errors import InsufficientStockError, ValidationError
from tests.application.helpers import USER, D, line, movements, quote_line, receive, state


def test_a_transfer_failing_on_its_last_line_records_nothing(ledger: Ledger) -> None:
    receive(ledger, "r-1", "A", "5", "2")
    receive(ledger, "r-2", "B", "1", "3")
    head = ledger.head()
    with pytest.raises(InsufficientStockError):
        ledger.execute(
            PostTransfer("t-1", "main", "bar", [line("A", "4"), line("B", "2")], note="restock"),
            user=USER,
        )
    assert ledger.head() == head
    assert state(ledger, "A", "main") == (D(5), D(0), D("10.00"))
    assert state(ledger, "A", "bar") == (D(0), D(0), D(0))
    assert movements(ledger, "A", "bar") == []
    assert len(movements(ledger, "A", "main")) == 1


def test_a_transfer_with_a_bad_last_line_records_nothing(ledger: Ledger) -> None:
    receive(ledger, "r-1", "A", "5", "2")
    head = ledger.head()
    with pytest.raises(ValidationError):
        ledger.execute(
            PostTransfer("t-1", "main", "bar", [line("A", "1"), line("B", "0")]), user=USER
        )
    assert ledger.head() == head
    assert state(ledger, "A", "main") == (D(5), D(0), D("10.00"))


def test_a_quote_close_failing_on_its_last_line_records_nothing(ledger: Ledger) -> None:
    receive(ledger, "r-1", "A", "5", "2")
    receive(ledger, "r-2", "B", "1", "3")
    ledger.execute(
        CreateQuote("q-1", "ACME", "main", [quote_line("A", "5"), quote_line("B", "1.001")]),
        user=USER,
    )
    head = ledger.head()
    with pytest.raises(InsufficientStockError):
        ledger.execute(CloseQuote("q-1"), user=USER)
    assert ledger.head() == head
    assert state(ledger, "A") == (D(5), D(0), D("10.00"))
    assert ledger.get_quote("q-1").status == "draft"
    # and the refused close left nothing behind in memory either
    receive(ledger, "r-3", "B", "1", "3")
    closed = ledger.execute(CloseQuote("q-1"), user=USER)
    assert [m.reserved_after for m in closed.movements] == [D(5), D("1.001")]


def test_a_delivery_failing_on_its_last_line_records_nothing(ledger: Ledger) -> None:
    receive(ledger, "r-1", "A", "5", "2")
    head = ledger.head()
    with pytest.raises(InsufficientStockError):
        ledger.execute(PostDelivery("d-1", "main", [line("A", "5"), line("B", "1")]), user=USER)
    assert ledger.head() == head
    assert state(ledger, "A") == (D(5), D(0), D("10.00"))
    assert ledger.execute(PostDelivery("d-1", "main", [line("A", "1")]), user=USER).created
