"""Counts are observations (SPEC §3): the adjustment is c − on_hand(t) at the count's time."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from application.commands import (
    CountLine,
    PostConsumption,
    PostCount,
    PostDelivery,
    PostReceipt,
    ReceiptLine,
)
from application.ledger import Ledger
from domain.errors import ValidationError
from domain.movements import Kind
from tests.application.conftest import Clock
from tests.application.helpers import USER, D, line, receive, state


def test_a_count_is_compared_with_the_stock_at_its_observation_time(
    timed_ledger: Ledger, clock: Clock
) -> None:
    receive(timed_ledger, "r-1", "A", "10", "2")
    counted_at = clock.advance(minutes=5)
    clock.advance(minutes=5)
    timed_ledger.execute(PostDelivery("d-1", "main", [line("A", "2")]), user=USER)  # while counting
    clock.advance(minutes=5)
    result = timed_ledger.execute(
        PostCount("k-1", "main", [CountLine("A", D(9))], "shelf count", counted_at=counted_at),
        user=USER,
    )
    (adjustment,) = result.movements
    assert (adjustment.kind, adjustment.on_hand_delta, adjustment.value) == (
        Kind.ADJUSTMENT,
        D(-1),
        D("-2.00"),
    )
    assert adjustment.document_type == "count" and adjustment.note == "shelf count"
    assert adjustment.recorded_at > counted_at
    assert state(timed_ledger, "A") == (D(7), D(0), D("14.00"))


def test_a_count_without_a_time_is_compared_with_the_stock_now(
    timed_ledger: Ledger, clock: Clock
) -> None:
    receive(timed_ledger, "r-1", "A", "10", "2")
    timed_ledger.execute(PostDelivery("d-1", "main", [line("A", "2")]), user=USER)
    result = timed_ledger.execute(
        PostCount("k-1", "main", [CountLine("A", D(9))], "recount"), user=USER
    )
    assert [m.on_hand_delta for m in result.movements] == [D(1)]
    assert state(timed_ledger, "A") == (D(9), D(0), D("18.00"))


def test_a_count_line_with_no_difference_posts_no_movement(
    timed_ledger: Ledger, clock: Clock
) -> None:
    receive(timed_ledger, "r-1", "A", "10", "2")
    receive(timed_ledger, "r-2", "B", "4", "1")
    counted_at = clock.advance(minutes=1)
    clock.advance(minutes=1)
    timed_ledger.execute(PostConsumption("c-1", "main", [line("A", "3")]), user=USER)
    result = timed_ledger.execute(
        PostCount(
            "k-1",
            "main",
            [CountLine("A", D(10)), CountLine("B", D(5))],
            "month end",
            counted_at=counted_at,
        ),
        user=USER,
    )
    assert [(m.sku, m.on_hand_delta) for m in result.movements] == [("B", D(1))]
    assert state(timed_ledger, "A") == (D(7), D(0), D("14.00"))


def test_a_count_before_any_stock_compares_with_zero(timed_ledger: Ledger, clock: Clock) -> None:
    before = clock.advance(seconds=1)
    clock.advance(seconds=1)
    receive(timed_ledger, "r-1", "A", "10", "2")
    result = timed_ledger.execute(
        PostCount("k-1", "main", [CountLine("A", D(3))], "late count", counted_at=before), user=USER
    )
    assert [m.on_hand_delta for m in result.movements] == [D(3)]
    assert state(timed_ledger, "A") == (D(13), D(0), D("26.00"))


def test_a_count_in_the_future_or_without_offset_is_refused(
    timed_ledger: Ledger, clock: Clock
) -> None:
    receive(timed_ledger, "r-1", "A", "10", "2")
    head = timed_ledger.head()
    with pytest.raises(ValidationError):
        timed_ledger.execute(
            PostCount(
                "k-1",
                "main",
                [CountLine("A", D(9))],
                "early",
                counted_at=clock.now + timedelta(hours=1),
            ),
            user=USER,
        )
    with pytest.raises(ValidationError):
        timed_ledger.execute(
            PostCount(
                "k-2", "main", [CountLine("A", D(9))], "naive", counted_at=datetime(2025, 1, 1)
            ),
            user=USER,
        )
    with pytest.raises(ValidationError):
        timed_ledger.execute(
            PostCount("k-3", "main", [CountLine("A", D(-1))], "negative"), user=USER
        )
    assert timed_ledger.head() == head


def test_a_count_reaches_back_past_hundreds_of_later_movements(
    timed_ledger: Ledger, clock: Clock
) -> None:
    receive(timed_ledger, "r-1", "A", "10", "2")
    counted_at = clock.advance(minutes=1)
    clock.advance(minutes=1)
    timed_ledger.execute(
        PostReceipt("r-2", "main", [ReceiptLine("A", D(1), D(2))] * 450), user=USER
    )  # 450 movements after the count, more than one page of history
    result = timed_ledger.execute(
        PostCount("k-1", "main", [CountLine("A", D(8))], "count", counted_at=counted_at), user=USER
    )
    assert [m.on_hand_delta for m in result.movements] == [D(-2)]
    assert state(timed_ledger, "A") == (D(458), D(0), D("916.00"))
