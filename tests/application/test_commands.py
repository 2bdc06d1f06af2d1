"""Each command through the real application, on SQLite and on PostgreSQL (SPEC §3–4)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from application import commands
from application.errors import QuoteNotFoundError
from application.ledger import Ledger
from domain.errors import (
    InsufficientStockError,
    InvalidStateError,
    NoCostBasisError,
    ValidationError,
)
from domain.movements import Kind
from tests.application.helpers import USER, D, line, movements, quote_line, receive, state


def test_a_receipt_records_one_movement_per_line_with_its_position(ledger: Ledger) -> None:
    result = ledger.execute(
        commands.PostReceipt(
            "r-1",
            "main",
            [
                commands.ReceiptLine("A", D(3), D("3.333333")),
                commands.ReceiptLine("B", D("0.5"), D(4)),
            ],
        ),
        user=USER,
    )
    assert result.created
    assert [(m.sku, m.kind, m.quantity, m.value) for m in result.movements] == [
        ("A", Kind.RECEIVE, D(3), D("10.00")),
        ("B", Kind.RECEIVE, D("0.5"), D("2.00")),
    ]
    assert result.position == ledger.head()
    assert result.movements[0].position < result.movements[1].position < result.position
    assert state(ledger, "A") == (D(3), D(0), D("10.00"))
    assert state(ledger, "B") == (D("0.5"), D(0), D("2.00"))


def first_values(ledger: Ledger, posted: list[commands.Command]) -> list[Decimal]:
    """The value of each command's first movement, the commands executed in order."""
    return [ledger.execute(command, user=USER).movements[0].value for command in posted]


def test_three_thirds_shipped_one_by_one_leave_zero_value(ledger: Ledger) -> None:
    receive(ledger, "r-1", "A", "3", "3.333333")
    values = first_values(
        ledger, [commands.PostDelivery(f"d-{n}", "main", [line("A", "1")]) for n in range(3)]
    )
    assert values == [D("-3.33"), D("-3.34"), D("-3.33")]
    assert state(ledger, "A") == (D(0), D(0), D(0))


def test_a_refused_command_records_nothing(ledger: Ledger) -> None:
    receive(ledger, "r-1", "A", "2", "1")
    head = ledger.head()
    with pytest.raises(InsufficientStockError):
        ledger.execute(commands.PostConsumption("c-1", "main", [line("A", "2.001")]), user=USER)
    with pytest.raises(ValidationError):
        ledger.execute(commands.PostWaste("w-1", "main", [line("A", "1")], None), user=USER)
    with pytest.raises(ValidationError):
        ledger.execute(commands.PostReceipt("r-2", "main", []), user=USER)
    with pytest.raises(ValidationError):
        ledger.execute(commands.PostTransfer("t-1", "main", "main", [line("A", "1")]), user=USER)
    with pytest.raises(ValidationError):
        ledger.execute(commands.PostAdjustment("a-1", "A", "main", D(1), "  "), user=USER)
    with pytest.raises(ValidationError):
        ledger.execute(
            commands.PostCount("k-1", "main", [commands.CountLine("A", D(1))], None), user=USER
        )
    with pytest.raises(NoCostBasisError):
        ledger.execute(commands.PostAdjustment("a-2", "NEW", "main", D(1), "found"), user=USER)
    assert ledger.head() == head
    assert state(ledger, "A") == (D(2), D(0), D("2.00"))


def test_consumption_waste_and_adjustments_follow_the_outbound_rule(ledger: Ledger) -> None:
    receive(ledger, "r-1", "A", "4", "2.50")
    consumed = ledger.execute(commands.PostConsumption("c-1", "main", [line("A", "1")]), user=USER)
    wasted = ledger.execute(
        commands.PostWaste("w-1", "main", [line("A", "1")], "dropped"), user=USER
    )
    adjusted = ledger.execute(commands.PostAdjustment("a-1", "A", "main", D(-1), "lost"), user=USER)
    found = ledger.execute(commands.PostAdjustment("a-2", "A", "main", D(2), "found"), user=USER)
    assert [r.movements[0].kind for r in (consumed, wasted, adjusted, found)] == [
        Kind.CONSUME,
        Kind.WASTE,
        Kind.ADJUSTMENT,
        Kind.ADJUSTMENT,
    ]
    assert [r.movements[0].value for r in (consumed, wasted, adjusted, found)] == [
        D("-2.50"),
        D("-2.50"),
        D("-2.50"),
        D("5.00"),
    ]
    assert wasted.movements[0].note == "dropped"
    assert state(ledger, "A") == (D(3), D(0), D("7.50"))


def test_a_transfer_conserves_value_between_locations(ledger: Ledger) -> None:
    receive(ledger, "r-1", "A", "3", "3.333333", location="main")
    receive(ledger, "r-2", "A", "1", "1", location="bar")
    result = ledger.execute(
        commands.PostTransfer("t-1", "main", "bar", [line("A", "2")]), user=USER
    )
    out, into = result.movements
    assert (out.kind, out.location, out.value) == (Kind.TRANSFER_OUT, "main", D("-6.67"))
    assert (into.kind, into.location, into.value) == (Kind.TRANSFER_IN, "bar", D("6.67"))
    assert state(ledger, "A", "main") == (D(1), D(0), D("3.33"))
    assert state(ledger, "A", "bar") == (D(3), D(0), D("7.67"))


def test_returns_take_back_value_proportionally_and_the_last_takes_the_rest(
    ledger: Ledger,
) -> None:
    receive(ledger, "r-1", "A", "3", "3.333333")
    ledger.execute(commands.PostDelivery("d-1", "main", [line("A", "3")]), user=USER)
    values = first_values(
        ledger, [commands.PostReturn(f"ret-{n}", "d-1", [line("A", "1")]) for n in range(3)]
    )
    assert values == [D("3.33"), D("3.33"), D("3.34")]
    assert state(ledger, "A") == (D(3), D(0), D("10.00"))
    head = ledger.head()
    with pytest.raises(ValidationError):
        ledger.execute(commands.PostReturn("ret-4", "d-1", [line("A", "0.001")]), user=USER)
    with pytest.raises(ValidationError):
        ledger.execute(
            commands.PostReturn("ret-5", "no-such-delivery", [line("A", "1")]), user=USER
        )
    assert ledger.head() == head


def test_a_quote_reserves_on_close_ships_against_it_and_becomes_delivered(
    ledger: Ledger,
) -> None:
    receive(ledger, "r-1", "A", "5", "2")
    created = ledger.execute(
        commands.CreateQuote("q-1", "ACME", "main", [quote_line("A", "3")]), user=USER
    )
    assert created.quote is not None and created.quote.status == "draft"
    assert state(ledger, "A") == (D(5), D(0), D("10.00"))
    closed = ledger.execute(commands.CloseQuote("q-1"), user=USER)
    assert [(m.kind, m.reserved_delta) for m in closed.movements] == [(Kind.RESERVE, D(3))]
    assert closed.quote is not None and closed.quote.status == "closed"
    with pytest.raises(InsufficientStockError):
        ledger.execute(commands.PostDelivery("d-0", "main", [line("A", "3")]), user=USER)
    first = ledger.execute(
        commands.PostDelivery("d-1", "main", [line("A", "2")], quote_id="q-1"), user=USER
    )
    assert (first.movements[0].on_hand_delta, first.movements[0].reserved_delta) == (D(-2), D(-2))
    assert ledger.get_quote("q-1").status == "closed"
    with pytest.raises(InvalidStateError):
        ledger.execute(
            commands.PostDelivery("d-2", "main", [line("A", "2")], quote_id="q-1"), user=USER
        )
    ledger.execute(
        commands.PostDelivery("d-3", "main", [line("A", "1")], quote_id="q-1"), user=USER
    )
    assert ledger.get_quote("q-1").status == "delivered"
    assert state(ledger, "A") == (D(2), D(0), D("4.00"))
    head = ledger.head()
    with pytest.raises(InvalidStateError):
        ledger.execute(commands.CancelQuote("q-1"), user=USER)
    assert ledger.head() == head


def test_closing_a_quote_short_of_stock_refuses_the_whole_close_listing_short_lines(
    ledger: Ledger,
) -> None:
    receive(ledger, "r-1", "A", "5", "2")
    receive(ledger, "r-2", "B", "1", "2")
    ledger.execute(
        commands.CreateQuote("q-1", "ACME", "main", [quote_line("A", "2"), quote_line("B", "3")]),
        user=USER,
    )
    head = ledger.head()
    with pytest.raises(InsufficientStockError) as refused:
        ledger.execute(commands.CloseQuote("q-1"), user=USER)
    assert [(e["line"], e["sku"]) for e in refused.value.errors] == [(1, "B")]
    assert ledger.head() == head
    assert ledger.get_quote("q-1").status == "draft"
    assert state(ledger, "A") == (D(5), D(0), D("10.00"))


def test_cancelling_a_closed_quote_releases_its_undelivered_reservation(ledger: Ledger) -> None:
    receive(ledger, "r-1", "A", "5", "2")
    ledger.execute(commands.CreateQuote("q-1", "ACME", "main", [quote_line("A", "3")]), user=USER)
    ledger.execute(commands.CloseQuote("q-1"), user=USER)
    ledger.execute(
        commands.PostDelivery("d-1", "main", [line("A", "1")], quote_id="q-1"), user=USER
    )
    cancelled = ledger.execute(commands.CancelQuote("q-1"), user=USER)
    assert [(m.kind, m.reserved_delta) for m in cancelled.movements] == [(Kind.RELEASE, D(-2))]
    assert state(ledger, "A") == (D(4), D(0), D("8.00"))
    with pytest.raises(InvalidStateError):
        ledger.execute(commands.CloseQuote("q-1"), user=USER)


def test_cancelling_a_draft_quote_records_no_movement(ledger: Ledger) -> None:
    ledger.execute(commands.CreateQuote("q-1", "ACME", "main", [quote_line("A", "3")]), user=USER)
    result = ledger.execute(commands.CancelQuote("q-1"), user=USER)
    assert result.created and result.movements == []
    assert result.quote is not None and result.quote.status == "cancelled"
    assert movements(ledger, "A") == []


def test_an_unknown_quote_is_not_found(ledger: Ledger) -> None:
    with pytest.raises(QuoteNotFoundError):
        ledger.execute(commands.CloseQuote("nope"), user=USER)
    with pytest.raises(ValidationError):
        ledger.execute(
            commands.PostDelivery("d-1", "main", [line("A", "1")], quote_id="nope"), user=USER
        )


def test_a_positive_count_without_cost_on_an_empty_position_uses_its_last_average(
    ledger: Ledger,
) -> None:
    receive(ledger, "r-1", "A", "2", "4.25")
    ledger.execute(commands.PostConsumption("c-1", "main", [line("A", "2")]), user=USER)
    result = ledger.execute(
        commands.PostCount("k-1", "main", [commands.CountLine("A", D(1))], "recount"), user=USER
    )
    assert [(m.kind, m.quantity, m.unit_cost, m.value) for m in result.movements] == [
        (Kind.ADJUSTMENT, D(1), D("4.25"), D("4.25"))
    ]


@pytest.mark.parametrize("quantity", ["0", "-1"])
def test_a_return_of_a_quantity_that_is_not_positive_is_refused_and_records_nothing(
    ledger: Ledger, quantity: str
) -> None:
    receive(ledger, "r-1", "A", "3", "2")
    ledger.execute(commands.PostDelivery("d-1", "main", [line("A", "2")]), user=USER)
    head = ledger.head()
    with pytest.raises(ValidationError):
        ledger.execute(commands.PostReturn("ret-1", "d-1", [line("A", quantity)]), user=USER)
    assert ledger.head() == head
    assert state(ledger, "A") == (D(1), D(0), D("2.00"))
