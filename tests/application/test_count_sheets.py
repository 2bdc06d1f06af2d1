"""Count sheets (SPEC §13) on the posting path: nothing reaches the ledger before approval,
approval posts one count document with §3's semantics in the same save, all or nothing."""

from __future__ import annotations

import pytest

from application.commands import CountLine, PostCount, PostDelivery
from application.count_sheets import (
    ApproveCountSheet,
    EnterCountLine,
    OpenCountSheet,
    RejectCountSheet,
    SubmitCountSheet,
    areas_of,
    set_areas,
)
from application.errors import NotFoundError
from application.ledger import Ledger
from domain.count_sheet import CountSheet, UncountedLinesError
from domain.documents import Document
from domain.errors import DocumentConflictError, InvalidStateError, ValidationError
from domain.item import ItemSpec, PackUnit
from domain.movements import Kind
from domain.storage_areas import NOT_IN_AREA, Area
from tests.application.conftest import Clock
from tests.application.helpers import USER, D, line, movements, receive, state


def sheet(ledger: Ledger, count_id: str) -> CountSheet:
    found = ledger.get(CountSheet, CountSheet.create_id(count_id))
    assert found is not None
    return found


def walk(ledger: Ledger) -> None:
    set_areas(ledger, "main", [Area("walk-in", ("A", "B")), Area("dry store", ("C", "A"))], USER)


def test_a_full_sheet_lists_the_areas_in_walking_order_then_stocked_skus_in_no_area(
    ledger: Ledger,
) -> None:
    walk(ledger)
    ledger.execute(OpenCountSheet("k-1", "main", "full", stocked=("Z", "A", "Y")), user=USER)
    found = sheet(ledger, "k-1")
    assert found.order == [
        ("walk-in", "A"),
        ("walk-in", "B"),
        ("dry store", "C"),
        ("dry store", "A"),
        (NOT_IN_AREA, "Y"),
        (NOT_IN_AREA, "Z"),
    ]
    assert found.progress() == {"walk-in": (0, 2), "dry store": (0, 2), NOT_IN_AREA: (0, 2)}
    assert areas_of(ledger, "main")[0][0] == Area("walk-in", ("A", "B"))


def test_a_spot_sheet_lists_only_its_areas(ledger: Ledger) -> None:
    walk(ledger)
    ledger.execute(OpenCountSheet("k-1", "main", "spot", stocked=("Z",)), user=USER)
    assert [sku for _, sku in sheet(ledger, "k-1").order] == ["A", "B", "C", "A"]


def test_opening_again_with_the_same_payload_answers_the_sheet_and_another_payload_is_refused(
    ledger: Ledger,
) -> None:
    first = ledger.execute(OpenCountSheet("k-1", "main", "spot"), user=USER)
    again = ledger.execute(OpenCountSheet("k-1", "main", "spot", stocked=("X",)), user=USER)
    assert first.created and not again.created and again.position == first.position
    with pytest.raises(DocumentConflictError):
        ledger.execute(OpenCountSheet("k-1", "main", "full"), user=USER)


def test_a_counted_at_in_the_future_is_refused(timed_ledger: Ledger, clock: Clock) -> None:
    later = clock.now.replace(year=2030)
    with pytest.raises(ValidationError) as refused:
        timed_ledger.execute(OpenCountSheet("k-1", "main", "full", later), user=USER)
    assert refused.value.errors == [{"field": "counted_at"}]


def test_nothing_reaches_the_ledger_before_approval_and_approval_posts_the_summed_difference(
    timed_ledger: Ledger, clock: Clock
) -> None:
    ledger = timed_ledger
    receive(ledger, "r-1", "A", "10", "2")
    walk(ledger)
    counted_at = clock.advance(minutes=1)
    ledger.execute(OpenCountSheet("k-1", "main", "spot", counted_at), user=USER)
    clock.advance(minutes=5)
    ledger.execute(PostDelivery("d-1", "main", [line("A", "2")]), user=USER)  # while counting
    ledger.execute(EnterCountLine("k-1", "A", D(4), area="walk-in"), user=USER)
    ledger.execute(EnterCountLine("k-1", "A", D(5), area="walk-in"), user=USER)  # replaces
    ledger.execute(EnterCountLine("k-1", "A", D(4), area="dry store"), user=USER)
    ledger.execute(SubmitCountSheet("k-1"), user=USER)
    assert [m.kind for m in movements(ledger, "A")] == [Kind.RECEIVE, Kind.SHIP]
    result = ledger.execute(ApproveCountSheet("k-1"), user="fin")
    # counted 9 at counted_at, when the book held 10: −1, whatever was shipped since
    (adjustment,) = result.movements
    assert (adjustment.kind, adjustment.on_hand_delta, adjustment.document_type) == (
        Kind.ADJUSTMENT,
        D(-1),
        "count",
    )
    assert state(ledger, "A") == (D(7), D(0), D("14.00"))
    found = sheet(ledger, "k-1")
    assert found.state == "approved"
    # the sheet's Approved event is the save's last aggregate event, after the adjustment
    (approved,) = ledger.positions([(found.id, found.version)])
    assert approved > adjustment.position
    again = ledger.execute(ApproveCountSheet("k-1"), user="fin")
    assert not again.created and again.movements == result.movements


def test_a_full_count_with_uncounted_lines_is_refused_naming_them_unless_zero(
    ledger: Ledger,
) -> None:
    receive(ledger, "r-1", "A", "10", "2")
    receive(ledger, "r-2", "B", "3", "1")
    ledger.execute(OpenCountSheet("k-1", "main", "full", stocked=("A", "B")), user=USER)
    ledger.execute(EnterCountLine("k-1", "A", D(10)), user=USER)
    ledger.execute(SubmitCountSheet("k-1"), user=USER)
    with pytest.raises(UncountedLinesError) as refused:
        ledger.execute(ApproveCountSheet("k-1"), user="fin")
    assert refused.value.errors == [{"sku": "B", "area": NOT_IN_AREA}]
    assert ledger.get(Document, Document.create_id("count", "k-1")) is None
    result = ledger.execute(ApproveCountSheet("k-1", "zero"), user="fin")
    assert [(m.sku, m.on_hand_delta) for m in result.movements] == [("B", D(-3))]


def test_entering_a_line_on_an_approved_sheet_is_refused(ledger: Ledger) -> None:
    ledger.execute(OpenCountSheet("k-1", "main", "spot"), user=USER)
    ledger.execute(EnterCountLine("k-1", "A", D(0)), user=USER)
    ledger.execute(SubmitCountSheet("k-1"), user=USER)
    ledger.execute(ApproveCountSheet("k-1"), user="fin")
    with pytest.raises(InvalidStateError):
        ledger.execute(EnterCountLine("k-1", "A", D(1)), user=USER)


def test_a_rejected_sheet_is_open_again_and_can_be_corrected(ledger: Ledger) -> None:
    receive(ledger, "r-1", "A", "10", "2")
    ledger.execute(OpenCountSheet("k-1", "main", "spot"), user=USER)
    ledger.execute(EnterCountLine("k-1", "A", D(1)), user=USER)
    ledger.execute(SubmitCountSheet("k-1"), user=USER)
    ledger.execute(RejectCountSheet("k-1", "one box? recount the walk-in"), user="fin")
    assert sheet(ledger, "k-1").state == "open"
    ledger.execute(EnterCountLine("k-1", "A", D(10)), user=USER)
    ledger.execute(SubmitCountSheet("k-1"), user=USER)
    result = ledger.execute(ApproveCountSheet("k-1"), user="fin")
    assert result.movements == [] and state(ledger, "A")[0] == D(10)


def test_approval_is_all_or_nothing_when_the_count_id_was_used_by_a_plain_count(
    ledger: Ledger,
) -> None:
    receive(ledger, "r-1", "A", "10", "2")
    ledger.execute(PostCount("k-1", "main", [CountLine("A", D(9))], "plain"), user=USER)
    ledger.execute(OpenCountSheet("k-1", "main", "spot"), user=USER)
    ledger.execute(EnterCountLine("k-1", "A", D(3)), user=USER)
    ledger.execute(SubmitCountSheet("k-1"), user=USER)
    with pytest.raises(DocumentConflictError):
        ledger.execute(ApproveCountSheet("k-1"), user="fin")
    assert sheet(ledger, "k-1").state == "submitted" and state(ledger, "A")[0] == D(9)


def test_a_step_on_a_sheet_never_opened_is_not_found(ledger: Ledger) -> None:
    with pytest.raises(NotFoundError):
        ledger.execute(SubmitCountSheet("nope"), user=USER)


def test_a_pack_unit_entry_is_counted_in_base_units(ledger: Ledger) -> None:
    ledger.put_item("BEER", ItemSpec("Pils", "each", units=(PackUnit("case", D(24)),)), user="a")
    receive(ledger, "r-1", "BEER", "50", "1")
    ledger.execute(OpenCountSheet("k-1", "main", "spot"), user=USER)
    ledger.execute(EnterCountLine("k-1", "BEER", D(2), "case"), user=USER)
    entry = sheet(ledger, "k-1").entries[(NOT_IN_AREA, "BEER")]
    assert entry is not None and entry["quantity"] == D(48) and entry["unit"] == "each"
    assert entry["entered"] == {"quantity": D(2), "unit": "case", "factor": D(24)}
    ledger.execute(SubmitCountSheet("k-1"), user=USER)
    result = ledger.execute(ApproveCountSheet("k-1"), user="fin")
    assert [m.on_hand_delta for m in result.movements] == [D(-2)]
