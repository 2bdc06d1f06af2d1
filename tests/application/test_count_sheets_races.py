"""Count sheets under concurrency on PostgreSQL, with threads and two ledgers on one store
(two API processes): two clerks entering the same line, and an approval racing a sale."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from application.commands import PostReceipt, PostSale, ReceiptLine, SaleLine
from application.count_sheets import (
    ApproveCountSheet,
    EnterCountLine,
    OpenCountSheet,
    SubmitCountSheet,
)
from application.ledger import Ledger
from application.settings import Settings
from domain.count_sheet import CountSheet
from domain.movements import Kind
from domain.recipe import Ingredient, RecipeSpec
from domain.storage_areas import NOT_IN_AREA
from tests.application.helpers import D, movements, state

pytestmark = pytest.mark.postgres


@pytest.fixture
def two(pg_settings: Settings) -> Iterator[tuple[Ledger, Ledger]]:
    first, second = Ledger(pg_settings), Ledger(pg_settings)
    yield first, second
    first.close()
    second.close()


def at_once(*calls: Callable[[], object]) -> list[BaseException]:
    barrier = threading.Barrier(len(calls))
    failed: list[BaseException] = []

    def run(call: Callable[[], object]) -> None:
        barrier.wait()
        try:
            call()
        except BaseException as exc:
            failed.append(exc)

    threads = [threading.Thread(target=run, args=(c,)) for c in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return failed


def test_two_clerks_entering_the_same_line_the_last_write_wins_and_both_see_it(
    two: tuple[Ledger, Ledger],
) -> None:
    one, other = two
    one.execute(OpenCountSheet("K-1", "main", "spot"), user="a")
    for round_ in range(5):
        failed = at_once(
            lambda n=round_: one.execute(EnterCountLine("K-1", "A", D(10 + n)), user="ann"),
            lambda n=round_: other.execute(EnterCountLine("K-1", "A", D(20 + n)), user="bob"),
        )
        assert failed == []
        entered = [
            e
            for e in one.events.get(CountSheet.create_id("K-1"))
            if isinstance(e, CountSheet.Entered)
        ]
        last = entered[-1]  # the later of the two in the ledger
        assert len(entered) == 2 * (round_ + 1)
        for ledger in (one, other):
            sheet = ledger.get(CountSheet, CountSheet.create_id("K-1"))
            assert sheet is not None
            entry = sheet.entries[(NOT_IN_AREA, "A")]
            assert entry is not None
            assert (entry["quantity"], entry["user"]) == (last.quantity, last.user)


def test_an_approval_racing_a_sale_adjusts_by_the_count_at_counted_at(
    two: tuple[Ledger, Ledger],
) -> None:
    one, other = two
    one.execute(PostReceipt("R-first", "main", [ReceiptLine("A", D(1), D(2))]), user="r")
    spec = RecipeSpec("plate", (Ingredient("A", Decimal(1)),))
    one.put_recipe("plate", spec, user="chef")
    for round_ in range(4):
        count_id = f"K-{round_}"
        one.execute(PostReceipt(f"R-{round_}", "main", [ReceiptLine("A", D(10), D(2))]), user="r")
        on_hand = state(one, "A")[0]
        counted_at = datetime.now(UTC)  # the shelf holds on_hand; one unit is missing
        one.execute(OpenCountSheet(count_id, "main", "spot", counted_at), user="c")
        one.execute(EnterCountLine(count_id, "A", on_hand - 1), user="c")
        one.execute(SubmitCountSheet(count_id), user="c")
        sale = PostSale(f"S-{round_}", "main", [SaleLine("plate", D(2), D(9))])
        failed = at_once(
            lambda: one.execute(ApproveCountSheet(count_id), user="fin"),  # noqa: B023
            lambda: other.execute(sale, user="pos"),  # noqa: B023
        )
        assert failed == []
        adjustments = [
            m
            for m in movements(one, "A")
            if m.kind == Kind.ADJUSTMENT and m.document_id == count_id
        ]
        assert [m.on_hand_delta for m in adjustments] == [D(-1)]
        assert state(one, "A")[0] == on_hand - 1 - 2
