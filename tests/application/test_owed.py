"""Owed consumption, tickets across outlets and voids on the command side (SPEC §17), on
SQLite and PostgreSQL."""

from __future__ import annotations

from decimal import Decimal

import pytest

from application.commands import (
    CountLine,
    Line,
    PostConsumption,
    PostCount,
    PostSale,
    PostTransfer,
    SaleLine,
    VoidSale,
)
from application.errors import NotFoundError
from application.ledger import Ledger
from application.settings import Settings
from domain.documents import Document
from domain.errors import InsufficientStockError, InvalidStateError, ValidationError
from domain.recipe import Ingredient, RecipeSpec
from domain.sale import SaleRecord
from domain.stock_item import StockItem
from tests.application.helpers import USER, D, movements, receive, state
from tests.tamper import plant_snapshot

PIZZA = RecipeSpec("Pizza", (Ingredient("FLOUR", D("0.2")), Ingredient("MOZZ", D("0.1"))))
BEER = RecipeSpec("Beer", (Ingredient("KEG", D("0.5")),))


def owed(ledger: Ledger, sku: str, location: str) -> Decimal:
    item = ledger.get(StockItem, StockItem.create_id(sku, location))
    return sum((D(e["quantity"]) for e in item.owed), D(0)) if item else D(0)


def ticket(sale_id: str, *lines: SaleLine, location: str = "kitchen") -> PostSale:
    return PostSale(sale_id, location, list(lines))


@pytest.fixture
def menu(ledger: Ledger) -> Ledger:
    receive(ledger, "R-F", "FLOUR", "10", "1.00", "kitchen")
    receive(ledger, "R-M", "MOZZ", "0.15", "10.00", "kitchen")  # 1.5 pizzas' worth
    receive(ledger, "R-K0", "KEG", "1", "2.00", "main")  # a recipe names SKUs the ledger knows
    ledger.put_recipe("pizza", PIZZA, user="chef")
    ledger.put_recipe("beer", BEER, user="chef")
    return ledger


def test_a_receipt_settles_what_is_owed_in_its_own_save_at_the_new_average(
    menu: Ledger,
) -> None:
    sold = menu.execute(ticket("S-1", SaleLine("pizza", D(3), D(12))), user=USER)
    assert [(m.sku, m.kind, m.quantity, m.value) for m in sold.movements] == [
        ("FLOUR", "CONSUME", D("0.600"), D("-0.60")),
        ("MOZZ", "CONSUME", D("0.15"), D("-1.50")),
        ("MOZZ", "OWED", D("0.150"), D(0)),
    ]
    assert owed(menu, "MOZZ", "kitchen") == D("0.150")
    assert state(menu, "MOZZ", "kitchen") == (D(0), D(0), D(0))

    got = receive(menu, "R-2", "MOZZ", "1", "12.00", "kitchen")
    assert [
        (m.kind, m.quantity, m.value, m.document_type, m.document_id, m.line) for m in got.movements
    ] == [
        ("RECEIVE", D(1), D("12.00"), "receipt", "R-2", 0),
        ("CONSUME", D("0.150"), D("-1.80"), "sale", "S-1", 1),
    ]
    assert got.movements[1].menu_item == "pizza"
    assert got.movements[0].position < got.movements[1].position < got.position
    assert owed(menu, "MOZZ", "kitchen") == 0
    assert state(menu, "MOZZ", "kitchen") == (D("0.850"), D(0), D("10.20"))
    record = menu.get(SaleRecord, SaleRecord.create_id("S-1"))
    assert record is not None and record.settled_on(1) == (D("0.150"), D("1.80"))
    again = receive(menu, "R-2", "MOZZ", "1", "12.00", "kitchen")
    assert not again.created and again.movements == got.movements


def test_owed_settles_in_order_and_partly_when_the_inbound_is_short(menu: Ledger) -> None:
    menu.execute(ticket("S-1", SaleLine("pizza", D(2), D(12))), user=USER)  # owes 0.05
    menu.execute(ticket("S-2", SaleLine("pizza", D(1), D(12))), user=USER)  # owes 0.1
    got = receive(menu, "R-2", "MOZZ", "0.1", "10.00", "kitchen")
    assert [(m.kind, m.document_id, m.quantity) for m in got.movements] == [
        ("RECEIVE", "R-2", D("0.1")),
        ("CONSUME", "S-1", D("0.050")),
        ("CONSUME", "S-2", D("0.05")),
    ]
    assert owed(menu, "MOZZ", "kitchen") == D("0.05")
    assert state(menu, "MOZZ", "kitchen") == (D(0), D(0), D(0))
    assert [m.owed_after for m in movements(menu, "MOZZ", "kitchen")][-3:] == [
        D("0.150"),
        D("0.100"),
        D("0.050"),
    ]


def test_a_ticket_across_outlets_consumes_each_line_at_its_own_location(menu: Ledger) -> None:
    receive(menu, "R-K", "KEG", "20", "2.00", "bar")
    result = menu.execute(
        ticket("S-1", SaleLine("pizza", D(1), D(12)), SaleLine("beer", D(2), D(5), "bar")),
        user=USER,
    )
    assert [(m.sku, m.location) for m in result.movements] == [
        ("FLOUR", "kitchen"),
        ("MOZZ", "kitchen"),
        ("KEG", "bar"),
    ]
    document = menu.get(Document, Document.create_id("sale", "S-1"))
    assert document is not None
    assert [ln["location"] for ln in document.lines] == ["kitchen", "bar"]


def test_other_outbound_movements_still_refuse_negative_stock(menu: Ledger) -> None:
    head = menu.head()
    with pytest.raises(InsufficientStockError):
        menu.execute(
            PostConsumption("C-1", "kitchen", [Line("MOZZ", D(1))], note="staff meal"), user=USER
        )
    with pytest.raises(InsufficientStockError):
        menu.execute(PostTransfer("T-1", "kitchen", "bar", [Line("MOZZ", D(1))]), user=USER)
    assert menu.head() == head


def test_a_transfer_in_settles_and_a_count_adjusts_to_counted_plus_owed(menu: Ledger) -> None:
    menu.execute(ticket("S-1", SaleLine("pizza", D(3), D(12))), user=USER)  # owes 0.15 MOZZ
    receive(menu, "R-B", "MOZZ", "0.1", "11.00", "main")
    moved = menu.execute(
        PostTransfer("T-1", "main", "kitchen", [Line("MOZZ", D("0.1"))]), user=USER
    )
    assert [m.kind for m in moved.movements] == ["TRANSFER_OUT", "TRANSFER_IN", "CONSUME"]
    assert owed(menu, "MOZZ", "kitchen") == D("0.05")
    counted = menu.execute(
        PostCount("K-1", "kitchen", [CountLine("MOZZ", D("0.3"))], note="shelf"), user=USER
    )
    assert [(m.kind, m.quantity) for m in counted.movements] == [
        ("ADJUSTMENT", D("0.350")),
        ("CONSUME", D("0.05")),
    ]
    assert owed(menu, "MOZZ", "kitchen") == 0
    assert state(menu, "MOZZ", "kitchen")[0] == D("0.300")


def test_a_void_takes_back_exactly_what_left_and_cancels_what_is_still_owed(menu: Ledger) -> None:
    menu.execute(ticket("S-1", SaleLine("pizza", D(3), D(12))), user=USER)
    menu.execute(ticket("S-2", SaleLine("pizza", D(1), D(12))), user=USER)
    receive(menu, "R-2", "MOZZ", "0.2", "12.00", "kitchen")  # settles S-1's 0.15, S-2's 0.05
    voided = menu.execute(VoidSale("V-1", "S-2", "sent back"), user=USER)
    assert [(m.sku, m.kind, m.quantity, m.value, m.document_type) for m in voided.movements] == [
        ("FLOUR", "VOID", D("0.200"), D("0.20"), "void"),
        ("MOZZ", "OWED_CANCELLED", D("0.05"), D(0), "sale"),
        ("MOZZ", "VOID", D("0.05"), D("0.60"), "void"),
    ]
    assert owed(menu, "MOZZ", "kitchen") == 0
    assert state(menu, "FLOUR", "kitchen") == (D("9.400"), D(0), D("9.40"))
    assert state(menu, "MOZZ", "kitchen") == (D("0.05"), D(0), D("0.60"))
    with pytest.raises(InvalidStateError) as twice:
        menu.execute(VoidSale("V-2", "S-2", "again", [0]), user=USER)
    assert twice.value.errors == [{"field": "lines[0]", "line": 0}]
    again = menu.execute(VoidSale("V-1", "S-2", "sent back"), user=USER)
    assert not again.created and again.movements == voided.movements


def test_a_void_names_what_it_cannot_do_and_records_nothing(menu: Ledger) -> None:
    menu.execute(ticket("S-1", SaleLine("pizza", D(1), D(12))), user=USER)
    head = menu.head()
    with pytest.raises(NotFoundError):
        menu.execute(VoidSale("V-1", "S-9", "no such"), user=USER)
    with pytest.raises(ValidationError) as refused:
        menu.execute(VoidSale("V-1", "S-1", "bad line", [0, 3]), user=USER)
    assert refused.value.errors == [{"field": "lines[1]"}]
    with pytest.raises(ValidationError):
        menu.execute(VoidSale("V-1", "S-1", " "), user=USER)
    assert menu.head() == head


def test_a_snapshot_of_an_owing_position_is_used_and_one_with_forged_owed_is_not(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    mozz = StockItem.create_id("MOZZ", "kitchen")
    with Ledger(settings) as ledger:
        receive(ledger, "R-M", "MOZZ", "0.1", "10.00", "kitchen")
        receive(ledger, "R-F", "FLOUR", "10", "1.00", "kitchen")
        ledger.put_recipe("pizza", PIZZA, user="chef")
        ledger.execute(ticket("S-1", SaleLine("pizza", D(3), D(12))), user=USER)  # owes 0.2
        ledger.take_snapshot(mozz)
        ledger.execute(ticket("S-2", SaleLine("pizza", D(1), D(12))), user=USER)  # owes 0.1
        plant_snapshot(ledger, mozz, owed=[])  # at the newest version: "owes nothing"
    with Ledger(settings) as restarted:
        item = restarted.get(StockItem, mozz)
        assert item is not None
        assert [(e["sale_id"], D(e["quantity"])) for e in item.owed] == [
            ("S-1", D("0.2")),
            ("S-2", D("0.1")),
        ]
        got = receive(restarted, "R-2", "MOZZ", "1", "10.00", "kitchen")
        assert [m.document_id for m in got.movements] == ["R-2", "S-1", "S-2"]
    refused = [r.getMessage() for r in caplog.records if "ignoring snapshot" in r.getMessage()]
    assert len(refused) == 1 and "owed differs from the events" in refused[0]  # the forged one
