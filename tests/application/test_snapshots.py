"""Flat cost as history grows: a long position is loaded from a snapshot, not replayed."""

from __future__ import annotations

from application.commands import PostConsumption, PostReceipt, ReceiptLine
from application.ledger import Ledger
from application.settings import Settings
from domain.movements import recompute_hash
from domain.stock_item import StockItem
from tests.application.helpers import USER, D, line, movements

LINES_PER_RECEIPT = 400


def test_a_position_with_1200_movements_is_loaded_from_a_snapshot(settings: Settings) -> None:
    item_id = StockItem.create_id("A", "main")
    with Ledger(settings) as ledger:
        interval = ledger.snapshotting_intervals[StockItem]
        for n in range(3):
            lines = [ReceiptLine("A", D(1), D("0.333333"))] * LINES_PER_RECEIPT
            ledger.execute(PostReceipt(f"r-{n}", "main", lines), user=USER)
        for n in range(5):
            ledger.execute(PostConsumption(f"c-{n}", "main", [line("A", "7")]), user=USER)
        expected = ledger.get(StockItem, item_id)
        assert expected is not None and expected.version == 1 + 3 * LINES_PER_RECEIPT + 5
        assert ledger.snapshots is not None
        snapshot_versions = [s.originator_version for s in ledger.snapshots.get(item_id)]
        assert snapshot_versions == list(range(interval, expected.version + 1, interval))
        newest = snapshot_versions[-1]
        assert expected.version - newest < interval

    with Ledger(settings) as fresh:
        assert fresh.repository.snapshot_store is not None
        latest = list(fresh.repository.snapshot_store.get(item_id, desc=True, limit=1))
        assert latest[0].originator_version == newest
        # what a load reads beyond the snapshot: the tail, not the whole history
        tail = list(fresh.events.get(item_id, gt=latest[0].originator_version))
        assert len(tail) == expected.version - newest
        loaded = fresh.get(StockItem, item_id)
        assert loaded is not None
        assert (loaded.version, loaded.on_hand, loaded.value, loaded.chain) == (
            expected.version,
            D(1165),
            expected.value,
            expected.chain,
        )
        assert loaded.value == D(1200) * D("0.33") - sum(
            (-m.value for m in movements(fresh, "A") if m.kind == "CONSUME"), D(0)
        )
        # the chain continues correctly from a snapshot-loaded position
        result = fresh.execute(PostConsumption("c-9", "main", [line("A", "1")]), user=USER)
        assert result.movements[0].on_hand_after == D(1164)
        newest = movements(fresh, "A")[-1]
        assert newest.prev_hash == expected.chain
        assert recompute_hash(newest) == newest.hash
