"""Late costs posted forward (SPEC §10), on SQLite and on PostgreSQL: worked examples."""

from __future__ import annotations

import pytest

from application.commands import (
    PostConsumption,
    PostCost,
    PostDelivery,
    PostReceipt,
    PostTransfer,
    ReceiptLine,
)
from application.errors import ReceiptNotFoundError
from application.ledger import Ledger
from domain.errors import DocumentConflictError, ValidationError
from domain.movements import Kind
from tests.application.helpers import USER, D, line, movements, receive, state


def cost(ledger: Ledger, amount: str, by: str = "value", cost_id: str = "c-1", receipt="r-1"):
    return ledger.execute(PostCost(cost_id, receipt, D(amount), "freight", by), user="fiona")


def split(result) -> list[tuple[str, str, object, object, object]]:
    return [
        (a["sku"], a["location"], a["share"], a["to_stock"], a["to_cogs"])
        for a in result.extra["allocation"]
    ]


def test_a_landed_cost_after_a_partial_sale_goes_to_stock_for_what_is_left(ledger: Ledger) -> None:
    receive(ledger, "r-1", "A", "10", "5")
    ledger.execute(PostDelivery("d-1", "main", [line("A", "4")]), user=USER)
    result = cost(ledger, "20")
    assert result.document_type == "cost"
    assert split(result) == [("A", "main", D("20.00"), D("12.00"), D("8.00"))]
    assert [(m.kind, m.quantity, m.on_hand_delta, m.value) for m in result.movements] == [
        (Kind.REVALUE, D(0), D(0), D("12.00")),
        (Kind.VARIANCE, D(0), D(0), D(0)),
    ]
    assert movements(ledger, "A")[-1].variance == D("8.00")
    assert state(ledger, "A") == (D(6), D(0), D("42.00"))
    # Prospectively: the next sale takes the new average (7.00); the first one is unchanged.
    later = ledger.execute(PostDelivery("d-2", "main", [line("A", "3")]), user=USER)
    assert later.movements[0].value == D("-21.00")
    assert movements(ledger, "A")[1].value == D("-20.00")


def test_a_credit_note_never_takes_a_position_below_zero_value(ledger: Ledger) -> None:
    receive(ledger, "r-1", "A", "10", "5")
    ledger.execute(PostDelivery("d-1", "main", [line("A", "9")]), user=USER)
    assert state(ledger, "A") == (D(1), D(0), D("5.00"))
    result = cost(ledger, "-80")
    # 1 of 10 left: a tenth (−8.00) would take the 5.00 on hand below 0: −5.00 to stock.
    assert split(result) == [("A", "main", D("-80.00"), D("-5.00"), D("-75.00"))]
    assert state(ledger, "A") == (D(1), D(0), D("0.00"))


def test_when_everything_was_sold_the_whole_cost_is_a_variance(ledger: Ledger) -> None:
    receive(ledger, "r-1", "A", "4", "2.5")
    ledger.execute(PostConsumption("k-1", "main", [line("A", "4")]), user=USER)
    result = cost(ledger, "-3.10")
    assert split(result) == [("A", "main", D("-3.10"), D(0), D("-3.10"))]
    assert [m.kind for m in result.movements] == [Kind.VARIANCE]
    assert state(ledger, "A") == (D(0), D(0), D(0))


def test_when_everything_is_on_hand_the_whole_cost_goes_to_stock(ledger: Ledger) -> None:
    ledger.execute(
        PostReceipt("r-1", "main", [ReceiptLine("A", D(3), D(10)), ReceiptLine("B", D(7), D(10))]),
        user=USER,
    )
    by_value = cost(ledger, "10.01")
    assert split(by_value) == [
        ("A", "main", D("3.00"), D("3.00"), D(0)),
        ("B", "main", D("7.01"), D("7.01"), D(0)),
    ]
    assert [m.kind for m in by_value.movements] == [Kind.REVALUE, Kind.REVALUE]
    by_quantity = cost(ledger, "1", by="quantity", cost_id="c-2")
    assert [a[2] for a in split(by_quantity)] == [D("0.30"), D("0.70")]
    assert state(ledger, "B") == (D(7), D(0), D("77.71"))


def test_after_a_transfer_the_share_follows_the_receipt_position(ledger: Ledger) -> None:
    receive(ledger, "r-1", "A", "10", "5")
    ledger.execute(PostTransfer("t-1", "main", "shop", [line("A", "6")]), user=USER)
    result = cost(ledger, "10")
    assert split(result) == [("A", "main", D("10.00"), D("4.00"), D("6.00"))]
    assert state(ledger, "A", "shop") == (D(6), D(0), D("30.00"))
    assert state(ledger, "A") == (D(4), D(0), D("24.00"))


def test_a_cost_is_idempotent_and_refuses_another_payload_under_its_id(ledger: Ledger) -> None:
    receive(ledger, "r-1", "A", "10", "5")
    first = cost(ledger, "20")
    again = cost(ledger, "20")
    assert not again.created
    assert again.extra == first.extra
    assert again.movements == first.movements
    with pytest.raises(DocumentConflictError):
        cost(ledger, "21")


def test_a_cost_against_an_unknown_receipt_or_of_zero_is_refused(ledger: Ledger) -> None:
    with pytest.raises(ReceiptNotFoundError):
        cost(ledger, "20", receipt="nope")
    receive(ledger, "r-1", "A", "10", "5")
    with pytest.raises(ValidationError):
        cost(ledger, "0")
    with pytest.raises(ValidationError):
        cost(ledger, "0.001")
    with pytest.raises(ValidationError):
        cost(ledger, "1", by="weight")
