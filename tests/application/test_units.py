"""Pack units on every document kind (SPEC §8), on both backends: base quantity = quantity ×
factor exactly, the receipt valued on the entered figures, and every movement recording its
base unit and what was entered."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest

from application import commands
from application.ledger import Ledger
from application.records import MovementRecord
from domain.errors import DocumentConflictError, UnknownUnitError, ValidationError
from domain.item import ItemSpec, PackUnit
from domain.movements import recompute_hash
from domain.stock_item import Movement, StockItem
from tests.application.helpers import USER, D

BEER = ItemSpec("Pils", "each", units=(PackUnit("case", D(24)),))
WINE = ItemSpec("Rioja", "l", units=(PackUnit("bottle", D("0.75")),))
FLOUR = ItemSpec("Flour", "kg", units=(PackUnit("bag", D(25)), PackUnit("oz", D("0.028350"))))


@pytest.fixture
def shop(ledger: Ledger) -> Ledger:
    for sku, spec in (("BEER", BEER), ("WINE", WINE), ("FLOUR", FLOUR)):
        ledger.put_item(sku, spec, user="admin")
    return ledger


def figures(m: MovementRecord) -> tuple[Any, ...]:
    entered = (m.entered_quantity, m.entered_unit, m.entered_factor)
    return (m.kind, m.quantity, m.value, m.unit, entered if m.entered_unit else None)


def run(ledger: Ledger, command: Any) -> list[tuple[Any, ...]]:
    return [figures(m) for m in ledger.execute(command, user=USER).movements]


def test_every_document_kind_takes_its_quantities_in_a_pack_unit(shop: Ledger) -> None:
    case = (D(1), "case", D(24))
    receipt = commands.PostReceipt(
        "R-1", "main", [commands.ReceiptLine("BEER", D(4), D("30.00"), "case")]
    )
    assert run(shop, receipt) == [("RECEIVE", 96, D("120.00"), "each", (4, "case", 24))]
    delivery = commands.PostDelivery("D-1", "main", [commands.Line("BEER", D(1), "case")])
    assert run(shop, delivery) == [("SHIP", 24, D("-30.00"), "each", case)]
    back = commands.PostReturn("RT-1", "D-1", [commands.Line("BEER", D("0.5"), "case")])
    assert run(shop, back) == [("RETURN", 12, D("15.00"), "each", (D("0.5"), "case", 24))]
    moved = commands.PostTransfer("T-1", "main", "bar", [commands.Line("BEER", D(1), "case")])
    assert run(shop, moved) == [
        ("TRANSFER_OUT", 24, D("-30.00"), "each", case),
        ("TRANSFER_IN", 24, D("30.00"), "each", case),
    ]
    offer = [commands.PricedLine("BEER", D(1), D(40), "case")]
    shop.execute(commands.CreateQuote("Q-1", "Bistro", "main", offer), user=USER)
    assert run(shop, commands.CloseQuote("Q-1")) == [("RESERVE", 24, 0, "each", case)]
    assert shop.get_quote("Q-1").lines[0]["quantity"] == 24
    against = commands.PostDelivery("D-2", "main", [commands.Line("BEER", D(1), "case")], "Q-1")
    assert run(shop, against) == [("SHIP", 24, D("-30.00"), "each", case)]
    count = commands.PostCount(
        "C-1", "main", [commands.CountLine("BEER", D(1), None, "case")], "monthly"
    )
    assert run(shop, count) == [("ADJUSTMENT", 12, D("-15.00"), "each", case)]
    found = commands.PostAdjustment("A-1", "BEER", "main", D(1), "found a case", D("36.00"), "case")
    assert run(shop, found) == [("ADJUSTMENT", 24, D("36.00"), "each", case)]
    wine = commands.PostReceipt(
        "R-2", "main", [commands.ReceiptLine("WINE", D(12), D("9.99"), "bottle")]
    )
    bottles = (D(12), "bottle", D("0.75"))
    assert run(shop, wine) == [("RECEIVE", 9, D("119.88"), "l", bottles)]
    two = (D(2), "bottle", D("0.75"))
    used = commands.PostConsumption("U-1", "main", [commands.Line("WINE", D(2), "bottle")])
    assert run(shop, used) == [("CONSUME", D("1.5"), D("-19.98"), "l", two)]
    broken = commands.PostWaste("W-1", "main", [commands.Line("WINE", D(2), "bottle")], "broken")
    assert run(shop, broken) == [("WASTE", D("1.5"), D("-19.98"), "l", two)]
    plain = commands.PostDelivery("D-3", "main", [commands.Line("WINE", D("0.5"))])
    assert run(shop, plain) == [("SHIP", D("0.5"), D("-6.66"), "l", None)]


def test_a_receipt_in_packs_is_valued_as_the_invoice_says(shop: Ledger) -> None:
    result = shop.execute(
        commands.PostReceipt(
            "R-1", "main", [commands.ReceiptLine("FLOUR", D(40), D("0.33"), "oz")]
        ),
        user=USER,
    )
    (movement,) = result.movements
    assert movement.quantity == D("1.134")  # 40 × 0.028350 kg, exactly
    assert movement.value == D("13.20")  # 40 × 0.33, not 1.134 × a rounded cost per kg
    assert movement.unit_cost == D("11.640212")  # 13.20 / 1.134, display only
    assert movement.on_hand_after == D("1.134")


@pytest.mark.parametrize(
    ("sku", "quantity", "unit"),
    [("FLOUR", "10", "oz"), ("FLOUR", "0.333", "oz"), ("WINE", "0.001", "bottle")],
)
def test_a_conversion_that_does_not_fit_three_decimals_is_refused_naming_the_line(
    shop: Ledger, sku: str, quantity: str, unit: str
) -> None:
    lines = [commands.Line(sku, D(1)), commands.Line(sku, D(quantity), unit)]
    shop.execute(
        commands.PostReceipt("R-0", "main", [commands.ReceiptLine(sku, D(100), D(1))]), user=USER
    )
    with pytest.raises(ValidationError) as refused:
        shop.execute(commands.PostConsumption("U-1", "main", lines), user=USER)
    assert refused.value.errors[0]["field"] == "lines[1].unit"


def test_an_unknown_unit_is_refused(shop: Ledger) -> None:
    for sku, unit in (("BEER", "bottle"), ("NO-ITEM", "case")):
        with pytest.raises(UnknownUnitError):
            shop.execute(
                commands.PostReceipt("R-1", "main", [commands.ReceiptLine(sku, D(1), D(1), unit)]),
                user=USER,
            )
    named = commands.PostReceipt("R-2", "main", [commands.ReceiptLine("BEER", D(1), D(1), "each")])
    (movement,) = shop.execute(named, user=USER).movements
    assert movement.entered_unit is None and movement.unit == "each"


def test_a_document_with_units_repeats_and_conflicts_like_any_other(shop: Ledger) -> None:
    cases = commands.PostReceipt("R-1", "main", [commands.ReceiptLine("BEER", D(2), D(30), "case")])
    first = shop.execute(cases, user=USER)
    again = shop.execute(cases, user=USER)
    assert not again.created and again.movements == first.movements
    with pytest.raises(DocumentConflictError):
        shop.execute(
            commands.PostReceipt("R-1", "main", [commands.ReceiptLine("BEER", D(2), D(30))]),
            user=USER,
        )


def test_a_factor_change_is_prospective(shop: Ledger) -> None:
    shop.execute(
        commands.PostReceipt("R-1", "main", [commands.ReceiptLine("BEER", D(1), D(24), "case")]),
        user=USER,
    )
    shop.put_item("BEER", ItemSpec("Pils", "each", units=(PackUnit("case", D(20)),)), user="a")
    result = shop.execute(
        commands.PostDelivery("D-1", "main", [commands.Line("BEER", D(1), "case")]), user=USER
    )
    assert result.movements[0].quantity == 20 and result.movements[0].entered_factor == 20
    events = [e for e in shop.events.get(_position("BEER")) if isinstance(e, Movement)]
    assert [e.entered_factor for e in events] == [24, 20]
    assert all(recompute_hash(e) == e.hash for e in events)


def test_movements_without_units_keep_their_hash_shape(ledger: Ledger) -> None:
    result = ledger.execute(
        commands.PostReceipt("R-1", "main", [commands.ReceiptLine("X", D(1), D(1))]), user=USER
    )
    assert result.movements[0].unit is None
    (event,) = [e for e in ledger.events.get(_position("X")) if isinstance(e, Movement)]
    assert recompute_hash(event) == event.hash
    assert event.unit is None and event.entered_quantity is None


def _position(sku: str) -> UUID:
    return StockItem.create_id(sku, "main")
