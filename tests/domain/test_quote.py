"""Quote on its own (SPEC §4): draft → closed → delivered, or → cancelled."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from domain.errors import InvalidStateError, ValidationError
from domain.quote import Quote, QuoteStatus
from tests.domain.helpers import D


def line(sku: str, quantity: str, price: str = "9.99") -> dict[str, Any]:
    return {"sku": sku, "quantity": D(quantity), "unit_price": D(price)}


def draft(*lines: dict[str, Any]) -> Quote:
    return Quote.draft("q-1", "ACME", "main", list(lines or [line("A", "2"), line("B", "1.5")]),
                       "alice", "f" * 64)  # fmt: skip


def test_a_new_quote_is_a_draft_with_its_lines_and_nothing_reserved() -> None:
    quote = draft()
    assert quote.status == QuoteStatus.DRAFT
    assert quote.id == Quote.create_id("q-1")
    assert [(ln.sku, ln.quantity, ln.reserved) for ln in quote.lines] == [
        ("A", D(2), D(0)),
        ("B", D("1.5"), D(0)),
    ]


@pytest.mark.parametrize(
    "lines",
    [
        [],
        [line("A", "0")],
        [line("A", "-1")],
        [line("A", "1.0001")],
        [line("A", "1", "-0.01")],
        [line("bad sku", "1")],
        [line("A", "1"), line("A", "2")],
    ],
    ids=["no lines", "zero", "negative", "4 places", "negative price", "bad sku", "dup sku"],
)
def test_a_quote_with_a_bad_line_is_refused(lines: list[dict[str, Any]]) -> None:
    with pytest.raises(ValidationError):
        Quote.draft("q-1", "ACME", "main", lines, "alice", "f" * 64)


def test_a_quote_needs_a_customer_and_valid_codes() -> None:
    with pytest.raises(ValidationError):
        Quote.draft("q-1", " ", "main", [line("A", "1")], "alice", "f")
    with pytest.raises(ValidationError):
        Quote.draft("q 1", "ACME", "main", [line("A", "1")], "alice", "f")
    with pytest.raises(ValidationError):
        Quote.draft("q-1", "ACME", "", [line("A", "1")], "alice", "f")


def test_closing_a_draft_reserves_every_line() -> None:
    quote = draft()
    quote.close("alice")
    assert quote.status == QuoteStatus.CLOSED
    assert [ln.reserved for ln in quote.lines] == [D(2), D("1.5")]


def test_only_a_draft_can_be_closed() -> None:
    quote = draft()
    quote.close("alice")
    with pytest.raises(InvalidStateError):
        quote.close("alice")
    quote.cancel("alice")
    with pytest.raises(InvalidStateError):
        quote.close("alice")


def test_partial_deliveries_keep_the_quote_closed_until_every_line_is_delivered() -> None:
    quote = draft()
    quote.close("alice")
    quote.record_delivery("d-1", [D(1), D(0)], "alice")
    assert quote.status == QuoteStatus.CLOSED
    assert [(ln.delivered, ln.reserved, ln.outstanding) for ln in quote.lines] == [
        (D(1), D(1), D(1)),
        (D(0), D("1.5"), D("1.5")),
    ]
    quote.record_delivery("d-2", [D(1), D("1.5")], "alice")
    assert quote.status == QuoteStatus.DELIVERED
    assert [ln.reserved for ln in quote.lines] == [D(0), D(0)]


def test_a_delivery_cannot_exceed_a_lines_outstanding_quantity() -> None:
    quote = draft()
    quote.close("alice")
    quote.record_delivery("d-1", [D(2), D(0)], "alice")
    with pytest.raises(InvalidStateError) as refused:
        quote.record_delivery("d-2", [D("0.001"), D(0)], "alice")
    assert refused.value.errors == [{"line": 0, "sku": "A", "outstanding": "0"}]


@pytest.mark.parametrize("state", ["draft", "cancelled", "delivered"])
def test_deliveries_need_a_closed_quote(state: str) -> None:
    quote = draft(line("A", "1"))
    if state != "draft":
        quote.close("alice")
    if state == "cancelled":
        quote.cancel("alice")
    if state == "delivered":
        quote.record_delivery("d-1", [D(1)], "alice")
    with pytest.raises(InvalidStateError):
        quote.record_delivery("d-2", [D(1)], "alice")


def test_cancelling_a_draft_releases_nothing() -> None:
    quote = draft()
    assert quote.cancel("alice") == [D(0), D(0)]
    assert quote.status == QuoteStatus.CANCELLED


def test_cancelling_a_closed_quote_releases_its_undelivered_reservation() -> None:
    quote = draft()
    quote.close("alice")
    quote.record_delivery("d-1", [D("0.5"), D(0)], "alice")
    assert quote.cancel("alice") == [D("1.5"), D("1.5")]
    assert quote.status == QuoteStatus.CANCELLED
    assert [ln.reserved for ln in quote.lines] == [D(0), D(0)]


def test_a_delivered_or_cancelled_quote_cannot_be_cancelled() -> None:
    quote = draft(line("A", "1"))
    quote.close("alice")
    quote.record_delivery("d-1", [D(1)], "alice")
    with pytest.raises(InvalidStateError):
        quote.cancel("alice")
    other = draft()
    other.cancel("alice")
    with pytest.raises(InvalidStateError):
        other.cancel("alice")


def test_returns_against_a_quote_never_exceed_what_was_delivered() -> None:
    quote = draft(line("A", "2"))
    quote.close("alice")
    quote.record_delivery("d-1", [D(2)], "alice")
    quote.record_return("r-1", [D(1)], "alice")
    assert quote.lines[0].returned == D(1)
    with pytest.raises(ValidationError):
        quote.record_return("r-2", [D("1.001")], "alice")
    assert quote.lines[0].returned == Decimal(1)
