"""StockItem on its own (SPEC §3): every movement kind, its deltas, values and refusals."""

from __future__ import annotations

import dataclasses
import itertools
from decimal import Decimal

import pytest

from domain.errors import InsufficientStockError, NoCostBasisError, ValidationError
from domain.movements import GENESIS_HASH, Kind, recompute_hash
from domain.stock_item import StockItem
from tests.domain.helpers import AT, PLACES, D, last, src, stocked


def assert_state(item: StockItem, on_hand: str, reserved: str, value: str) -> None:
    assert (item.on_hand, item.reserved, item.value) == (D(on_hand), D(reserved), D(value))


# --- RECEIVE -----------------------------------------------------------------------------------


def test_a_receipt_adds_its_quantity_at_its_rounded_value() -> None:
    item = stocked("3", "3.333333")
    event = last(item)
    assert event.kind == Kind.RECEIVE
    assert (event.quantity, event.on_hand_delta, event.reserved_delta) == (D(3), D(3), D(0))
    assert event.unit_cost == D("3.333333")
    assert event.value == D("10.00")
    assert (event.on_hand_after, event.reserved_after, event.value_after) == (
        D(3),
        D(0),
        D("10.00"),
    )
    assert_state(item, "3", "0", "10.00")


@pytest.mark.parametrize(
    ("quantity", "cost"),
    [("0", "1"), ("-2", "1"), ("1.0005", "1"), ("1", "-0.01"), ("1", "1.0000001")],
)
def test_a_receipt_with_a_bad_quantity_or_cost_is_refused_and_records_nothing(
    quantity: str, cost: str
) -> None:
    item = StockItem("SKU-1", "main")
    with pytest.raises(ValidationError):
        item.receive(D(quantity), D(cost), src(), AT, PLACES)
    assert len(item.pending_events) == 1  # only Created
    assert_state(item, "0", "0", "0")


@pytest.mark.parametrize("code", ["", "has space", "x" * 65, "é", "a/b"])
def test_sku_and_location_codes_are_checked(code: str) -> None:
    with pytest.raises(ValidationError):
        StockItem(code, "main")
    with pytest.raises(ValidationError):
        StockItem("SKU-1", code)


def test_the_position_id_is_derived_from_sku_and_location() -> None:
    assert StockItem("A", "main").id == StockItem.create_id("A", "main")
    assert StockItem.create_id("A", "main") != StockItem.create_id("A", "bar")


# --- RESERVE / RELEASE -------------------------------------------------------------------------


def test_a_reservation_raises_reserved_only_and_carries_no_value() -> None:
    item = stocked("5", "2")
    item.reserve(D(2), src("quote", "q-1"), AT)
    event = last(item)
    assert (event.kind, event.on_hand_delta, event.reserved_delta, event.value) == (
        Kind.RESERVE,
        D(0),
        D(2),
        D(0),
    )
    assert_state(item, "5", "2", "10.00")
    assert item.available == D(3)


def test_a_reservation_beyond_available_stock_is_refused() -> None:
    item = stocked("5", "2")
    item.reserve(D(4), src("quote", "q-1"), AT)
    with pytest.raises(InsufficientStockError) as refused:
        item.reserve(D("1.001"), src("quote", "q-2"), AT)
    assert refused.value.errors[0]["available"] == "1"
    assert_state(item, "5", "4", "10.00")


def test_a_release_lowers_reserved_and_cannot_release_more_than_is_reserved() -> None:
    item = stocked("5", "2")
    item.reserve(D(3), src("quote", "q-1"), AT)
    item.release(D(2), src("quote", "q-1"), AT)
    assert (last(item).kind, last(item).reserved_delta) == (Kind.RELEASE, D(-2))
    assert_state(item, "5", "1", "10.00")
    with pytest.raises(InsufficientStockError):
        item.release(D(2), src("quote", "q-1"), AT)


# --- outbound movements ------------------------------------------------------------------------


def test_a_direct_shipment_draws_on_available_stock_at_the_average() -> None:
    item = stocked("4", "2.50")
    value = item.ship(D(1), src("delivery", "d-1"), AT, PLACES)
    event = last(item)
    assert value == D("-2.50")
    assert (event.kind, event.on_hand_delta, event.reserved_delta) == (Kind.SHIP, D(-1), D(0))
    assert (event.unit_cost, event.value) == (D("2.5"), D("-2.50"))
    assert_state(item, "3", "0", "7.50")


def test_a_direct_shipment_cannot_take_reserved_units() -> None:
    item = stocked("4", "1")
    item.reserve(D(3), src("quote", "q-1"), AT)
    with pytest.raises(InsufficientStockError):
        item.ship(D(2), src("delivery", "d-1"), AT, PLACES)
    assert_state(item, "4", "3", "4.00")


def test_a_shipment_against_a_quote_consumes_its_reservation() -> None:
    item = stocked("4", "1")
    item.reserve(D(3), src("quote", "q-1"), AT)
    item.ship(D(3), src("delivery", "d-1"), AT, PLACES, reserved=D(3))
    event = last(item)
    assert (event.on_hand_delta, event.reserved_delta, event.value) == (D(-3), D(-3), D("-3.00"))
    assert_state(item, "1", "0", "1.00")


def test_a_shipment_against_a_quote_cannot_consume_more_than_is_reserved() -> None:
    item = stocked("4", "1")
    item.reserve(D(1), src("quote", "q-1"), AT)
    with pytest.raises(InsufficientStockError):
        item.ship(D(2), src("delivery", "d-1"), AT, PLACES, reserved=D(2))
    assert_state(item, "4", "1", "4.00")


@pytest.mark.parametrize(
    ("command", "kind"),
    [("consume", Kind.CONSUME), ("waste", Kind.WASTE), ("transfer_out", Kind.TRANSFER_OUT)],
)
def test_each_outbound_kind_takes_stock_and_value_by_the_outbound_rule(
    command: str, kind: Kind
) -> None:
    item = stocked("3", "3.333333")
    getattr(item, command)(D(1), src(command, "x-1", note="spoiled"), AT, PLACES)
    event = last(item)
    assert (event.kind, event.on_hand_delta, event.reserved_delta) == (kind, D(-1), D(0))
    assert event.value == D("-3.33")
    assert event.unit_cost == D("3.333333")
    assert_state(item, "2", "0", "6.67")


@pytest.mark.parametrize("command", ["consume", "waste", "transfer_out", "ship"])
def test_no_outbound_movement_may_take_the_stock_below_zero(command: str) -> None:
    item = stocked("2", "1")
    with pytest.raises(InsufficientStockError):
        getattr(item, command)(D("2.001"), src(command, "x-1", note="n"), AT, PLACES)
    assert_state(item, "2", "0", "2.00")
    assert len(item.pending_events) == 2


def test_an_outbound_movement_on_a_position_that_never_held_stock_is_refused() -> None:
    item = StockItem("SKU-1", "main")
    with pytest.raises(InsufficientStockError):
        item.consume(D(1), src("consumption", "c-1"), AT, PLACES)


@pytest.mark.parametrize("note", [None, "", "   "])
def test_waste_needs_a_non_blank_note(note: str | None) -> None:
    item = stocked("2", "1")
    with pytest.raises(ValidationError):
        item.waste(D(1), src("waste", "w-1", note=note), AT, PLACES)
    assert_state(item, "2", "0", "2.00")


# --- valuation with awkward prices -------------------------------------------------------------


def test_three_units_for_ten_shipped_one_by_one_leave_exactly_zero_value() -> None:
    item = stocked("3", "3.333333")
    values = [item.ship(D(1), src("delivery", f"d-{n}"), AT, PLACES) for n in range(3)]
    assert values == [D("-3.33"), D("-3.34"), D("-3.33")]
    assert sum(values) == D("-10.00")
    assert_state(item, "0", "0", "0")


def test_many_tiny_consumptions_leave_exactly_zero_value_at_the_end() -> None:
    item = stocked("1.000", "0.07")
    taken = D(0)
    for n in range(1000):
        item.consume(D("0.001"), src("consumption", f"c-{n}"), AT, PLACES)
        taken += last(item).value
        assert item.value >= 0
    assert item.on_hand == 0
    assert item.value == 0
    assert taken == D("-0.07")


def test_receipts_at_different_costs_are_averaged_and_fully_drained() -> None:
    item = stocked("1", "1.00")
    item.receive(D(2), D("0.335"), src(doc_id="doc-2"), AT, PLACES)  # 0.67
    assert item.value == D("1.67")
    assert item.average == D("0.556667")
    for n in range(3):
        item.consume(D(1), src("consumption", f"c-{n}"), AT, PLACES)
    assert [event.value for event in item.pending_events[-3:]] == [
        D("-0.56"),
        D("-0.56"),
        D("-0.55"),
    ]
    assert_state(item, "0", "0", "0")


# --- RETURN / TRANSFER -------------------------------------------------------------------------


def test_a_return_adds_the_units_back_with_the_value_it_is_given() -> None:
    item = stocked("3", "3.333333")
    item.ship(D(3), src("delivery", "d-1"), AT, PLACES)
    item.take_back(D(1), D("3.33"), src("return", "r-1"), AT)
    event = last(item)
    assert (event.kind, event.on_hand_delta, event.value) == (Kind.RETURN, D(1), D("3.33"))
    assert_state(item, "1", "0", "3.33")
    with pytest.raises(ValidationError):
        item.take_back(D(1), D("-1"), src("return", "r-2"), AT)


def test_a_transfer_moves_exactly_the_value_that_left_the_source() -> None:
    source = stocked("3", "3.333333", location="main")
    target = stocked("1", "5", location="bar")
    before = source.value + target.value
    value = source.transfer_out(D(1), src("transfer", "t-1"), AT, PLACES)
    target.transfer_in(D(1), -value, src("transfer", "t-1"), AT)
    assert value == D("-3.33")
    assert (last(target).kind, last(target).value) == (Kind.TRANSFER_IN, D("3.33"))
    assert last(target).value == -last(source).value
    assert source.value + target.value == before
    assert_state(target, "2", "0", "8.33")


# --- ADJUSTMENT ---------------------------------------------------------------------------------


@pytest.mark.parametrize("note", [None, " "])
def test_an_adjustment_needs_a_note(note: str | None) -> None:
    item = stocked("2", "1")
    with pytest.raises(ValidationError):
        item.adjust(D(1), None, src("adjustment", "a-1", note=note), AT, PLACES)


def test_an_adjustment_of_zero_is_refused() -> None:
    item = stocked("2", "1")
    with pytest.raises(ValidationError):
        item.adjust(D(0), None, src("adjustment", "a-1", note="why"), AT, PLACES)


def test_a_negative_adjustment_follows_the_outbound_rule_and_cannot_go_below_available() -> None:
    item = stocked("3", "3.333333")
    item.adjust(D(-1), None, src("adjustment", "a-1", note="broken"), AT, PLACES)
    event = last(item)
    assert (event.kind, event.on_hand_delta, event.value) == (Kind.ADJUSTMENT, D(-1), D("-3.33"))
    item.reserve(D(1), src("quote", "q-1"), AT)
    with pytest.raises(InsufficientStockError):
        item.adjust(D(-2), None, src("adjustment", "a-2", note="lost"), AT, PLACES)


def test_a_positive_adjustment_uses_the_given_unit_cost() -> None:
    item = stocked("2", "1")
    item.adjust(D("1.5"), D("2.333333"), src("adjustment", "a-1", note="found"), AT, PLACES)
    assert (last(item).unit_cost, last(item).value) == (D("2.333333"), D("3.50"))
    assert_state(item, "3.5", "0", "5.50")


def test_a_positive_adjustment_without_cost_uses_the_current_average() -> None:
    item = stocked("3", "3.333333")
    item.adjust(D(1), None, src("adjustment", "a-1", note="found"), AT, PLACES)
    assert (last(item).unit_cost, last(item).value) == (D("3.333333"), D("3.33"))
    assert_state(item, "4", "0", "13.33")


def test_a_positive_adjustment_of_an_empty_position_uses_its_last_average() -> None:
    item = stocked("2", "4.25")
    item.consume(D(2), src("consumption", "c-1"), AT, PLACES)
    assert item.average is None
    item.adjust(D(2), None, src("adjustment", "a-1", note="found"), AT, PLACES)
    assert (last(item).unit_cost, last(item).value) == (D("4.25"), D("8.50"))


def test_a_positive_adjustment_of_a_position_that_never_held_stock_needs_a_cost() -> None:
    item = StockItem("SKU-1", "main")
    with pytest.raises(NoCostBasisError):
        item.adjust(D(1), None, src("adjustment", "a-1", note="found"), AT, PLACES)
    item.adjust(D(1), D("0.50"), src("adjustment", "a-1", note="found"), AT, PLACES)
    assert_state(item, "1", "0", "0.50")


# --- hash chain ---------------------------------------------------------------------------------


def test_each_movement_links_to_the_previous_one_from_the_genesis_hash() -> None:
    item = stocked("3", "1")
    item.reserve(D(1), src("quote", "q-1"), AT)
    item.consume(D(1), src("consumption", "c-1"), AT, PLACES)
    movements = item.pending_events[1:]
    assert movements[0].prev_hash == GENESIS_HASH
    for before, after in itertools.pairwise(movements):
        assert after.prev_hash == before.hash
    for event in movements:
        assert recompute_hash(event) == event.hash
    assert item.chain == movements[-1].hash


def test_tampering_any_recorded_field_changes_the_hash() -> None:
    item = stocked("3", "1")
    event = last(item)
    for name, forged in [("value", D("2.00")), ("quantity", D(4)), ("user", "mallory")]:
        tampered = dataclasses.replace(event, **{name: forged})
        assert recompute_hash(tampered) != event.hash


def test_a_movement_records_its_source_document_user_and_note() -> None:
    item = stocked("3", "1")
    item.waste(D(1), src("waste", "w-9", line=4, note="dropped"), AT, PLACES)
    event = last(item)
    assert (event.document_type, event.document_id, event.line, event.user, event.note) == (
        "waste",
        "w-9",
        4,
        "alice",
        "dropped",
    )
    assert (event.sku, event.location, event.timestamp) == ("SKU-1", "main", AT)
    assert isinstance(event.quantity, Decimal)
