"""The runners' shared reader: one read and one decode of each event for every projection."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from application.events import LedgerEvents, Recorded
from application.ledger import Ledger
from projections.event_reader import SharedReader
from projections.service import ReadModels
from tests.projections.conftest import fill, folded_rows, live_rows, wait_until


class CountedReads:
    """The ledger's events, counting the reads that reach the store."""

    def __init__(self, events: LedgerEvents) -> None:
        self.events = events
        self.reads = 0

    def read(
        self, after: int, limit: int, *, upto: int | None = None, topics: Collection[str] = ()
    ) -> list[Recorded]:
        self.reads += 1
        return self.events.read(after, limit, upto=upto, topics=topics)

    def head(self) -> int:
        return self.events.head()


def _positions(found: list[Any]) -> list[int]:
    return [r.position for r in found]


def test_readers_at_one_position_share_one_read_and_one_decoded_event(ledger: Ledger) -> None:
    fill(ledger, 6, 2)
    store = CountedReads(LedgerEvents(ledger))
    shared = SharedReader(store)
    first = shared.read(0, 1000)
    again = shared.read(0, 1000)
    assert store.reads == 1
    assert _positions(first) == _positions(store.events.read(0, 1000))
    assert all(a.event() is b.event() for a, b in zip(first, again, strict=True))
    middle = first[3].position
    assert _positions(shared.read(middle, 2)) == _positions(first[4:6])
    assert store.reads == 1


def test_a_read_past_the_kept_events_continues_them_without_skipping_any(ledger: Ledger) -> None:
    fill(ledger, 3, 1, prefix="A")
    store = CountedReads(LedgerEvents(ledger))
    shared = SharedReader(store, keep=4)
    head = shared.read(0, 1000)[-1].position
    assert shared.read(head, 1000) == []
    fill(ledger, 3, 1, prefix="B")
    newer = shared.read(head, 1000)
    assert _positions(newer) == _positions(store.events.read(head, 1000))
    older = shared.read(0, 1000)  # fell out of the kept four: read from the store again
    assert _positions(older) == _positions(store.events.read(0, 1000))


def test_reads_one_after_another_past_the_kept_window_stay_in_step(ledger: Ledger) -> None:
    fill(ledger, 8, 1)
    store = CountedReads(LedgerEvents(ledger))
    shared = SharedReader(store, keep=4)
    everything = _positions(store.events.read(0, 1000))
    seen: list[int] = []
    after = 0
    while found := shared.read(after, 3):  # each read continues the last: the window slides
        seen.extend(_positions(found))
        after = found[-1].position
    assert seen == everything
    for i, position in enumerate(everything[-4:-1]):  # inside the kept window: no store read
        reads = store.reads
        assert _positions(shared.read(position, 2)) == everything[-3 + i :][:2]
        assert store.reads == reads


def test_runners_on_the_shared_reader_build_the_rows_a_fold_of_the_ledger_gives(
    ledger: Ledger, models: ReadModels
) -> None:
    models.start()
    fill(ledger, 20, 3)
    head = ledger.head()
    wait_until(lambda: min(models.positions().values()) >= head, what="the runners")
    for name in ("balances", "movements", "cogs"):
        assert live_rows(models, name) == folded_rows(ledger, models.projections[name])
