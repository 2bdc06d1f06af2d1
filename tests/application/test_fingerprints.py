"""A command's payload is derived from its dataclass and fingerprints exactly as the payload
the ledger built by hand before commands were dataclasses, so documents stored then still
compare equal on a repeat (SPEC §1.5)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal as D
from typing import Any

import pytest

from application import commands
from application.ledger import Ledger
from domain.documents import Document, fingerprint
from domain.stock_item import StockItem
from tests.application.helpers import USER, line, receive

AT = datetime(2026, 3, 14, 10, 0, tzinfo=UTC)
OUT = [commands.Line("A", D("1.50")), commands.Line("B", D(2))]
OUT_PAYLOAD = [{"sku": "A", "quantity": D("1.50")}, {"sku": "B", "quantity": D(2)}]

# (command, the payload the ledger built by hand for it before)
CASES: list[tuple[commands.Command, dict[str, Any]]] = [
    (
        commands.PostReceipt("R-1", "main", [commands.ReceiptLine("A", D(3), D("2.50"))], "PO 1"),
        {
            "location": "main",
            "lines": [{"sku": "A", "quantity": D(3), "unit_cost": D("2.50")}],
            "note": "PO 1",
        },
    ),
    (
        commands.PostDelivery("D-1", "main", OUT, "Q-1"),
        {"location": "main", "lines": OUT_PAYLOAD, "quote_id": "Q-1"},
    ),
    (
        commands.PostDelivery("D-2", "main", OUT),
        {"location": "main", "lines": OUT_PAYLOAD, "quote_id": None},
    ),
    (
        commands.PostReturn("RT-1", "D-1", OUT, "damaged"),
        {"delivery_id": "D-1", "lines": OUT_PAYLOAD, "note": "damaged"},
    ),
    (
        commands.PostTransfer("T-1", "main", "bar", OUT),
        {"from_location": "main", "to_location": "bar", "lines": OUT_PAYLOAD, "note": None},
    ),
    (
        commands.PostConsumption("C-1", "main", OUT, None),
        {"location": "main", "lines": OUT_PAYLOAD, "note": None},
    ),
    (
        commands.PostWaste("W-1", "main", OUT, "spilt"),
        {"location": "main", "lines": OUT_PAYLOAD, "note": "spilt"},
    ),
    (
        commands.PostAdjustment("A-1", "A", "main", D(-2), "broken", D("1.25")),
        {
            "sku": "A",
            "location": "main",
            "quantity": D(-2),
            "note": "broken",
            "unit_cost": D("1.25"),
        },
    ),
    (
        commands.PostCount(
            "K-1",
            "main",
            [commands.CountLine("A", D(9)), commands.CountLine("B", D(0), D(2))],
            "shelf",
            AT,
        ),
        {
            "location": "main",
            "lines": [
                {"sku": "A", "counted": D(9), "unit_cost": None},
                {"sku": "B", "counted": D(0), "unit_cost": D(2)},
            ],
            "note": "shelf",
            "counted_at": AT.isoformat(),
        },
    ),
    (
        commands.PostCount("K-2", "main", [commands.CountLine("A", D(9))], "shelf"),
        {
            "location": "main",
            "lines": [{"sku": "A", "counted": D(9), "unit_cost": None}],
            "note": "shelf",
            "counted_at": None,
        },
    ),
    (
        commands.CreateQuote("Q-1", "ACME", "main", [commands.PricedLine("A", D(5), D("24.90"))]),
        {
            "customer": "ACME",
            "location": "main",
            "lines": [{"sku": "A", "quantity": D(5), "unit_price": D("24.90")}],
        },
    ),
    (commands.CloseQuote("Q-1"), {}),
    (commands.CancelQuote("Q-1"), {}),
]


@pytest.mark.parametrize(("command", "by_hand"), CASES, ids=lambda c: type(c).__name__)
def test_the_derived_payload_fingerprints_as_the_hand_built_one(
    command: commands.Command, by_hand: dict[str, Any]
) -> None:
    assert fingerprint(command.payload()) == fingerprint(by_hand)


def test_a_document_stored_with_plain_details_is_still_answered_and_returned_against(
    ledger: Ledger,
) -> None:
    """A delivery recorded the way the ledger did before (details a plain dict): posting it
    again is a repeat, and a return against it finds its location."""
    receive(ledger, "r-1", "A", "5", "2")
    item = ledger.get(StockItem, StockItem.create_id("A", "main"))
    assert item is not None
    by_hand = {"location": "main", "lines": [{"sku": "A", "quantity": D(2)}], "quote_id": None}
    shipped = [
        {"sku": "A", "quantity": D(1), "value": D(2), "returned_qty": 0, "returned_value": 0}
    ]
    refs = [[str(item.id), item.version]]  # any recorded movement: the repeat reads it back
    details = {"location": "main", "quote_id": None}
    old = Document("delivery", "d-old", fingerprint(by_hand), USER, refs, shipped, details)
    ledger.save(old)
    head = ledger.head()
    again = ledger.execute(commands.PostDelivery("d-old", "main", [line("A", "2")]), user=USER)
    assert not again.created and ledger.head() == head
    back = ledger.execute(commands.PostReturn("rt-1", "d-old", [line("A", "1")]), user=USER)
    assert back.created and back.movements[0].location == "main"
