"""A reader never sees a command's unsaved change (store.owned: guard).

The library's ``Repository.get`` fast-forwards a cached aggregate in place and then copies
it. Commands take cached aggregates without a copy (``Owned.take``) and change them in place,
so a read interleaved with a command could answer with a version that was never recorded
(the soak run found ``GET /api/purchase-orders`` answering 500: no position for that
version). Readers and ``take`` share a lock per aggregate id.
"""

from __future__ import annotations

import threading

import pytest

from application import purchasing
from application.commands import PostReceipt, ReceiptLine
from application.ledger import Ledger
from application.settings import Settings
from domain.purchase_order import OverReceiptError, PurchaseOrder
from tests.application.helpers import USER, D
from tests.application.test_purchasing import post_po, setup_catalogue


def test_a_read_of_a_cached_aggregate_waits_while_its_guard_is_held(ledger: Ledger) -> None:
    setup_catalogue(ledger)
    post_po(ledger, crates="3")
    order_id = PurchaseOrder.create_id("PO-1")
    assert ledger.get(PurchaseOrder, order_id) is not None  # now cached
    done = threading.Event()

    def read() -> None:
        ledger.get(PurchaseOrder, order_id)
        done.set()

    with ledger.owned.guard(order_id):
        reader = threading.Thread(target=read)
        reader.start()
        assert not done.wait(0.3)  # the reader cannot copy while a command takes it
    reader.join(5)
    assert done.is_set()


@pytest.mark.postgres
def test_reads_racing_receipts_against_a_purchase_order_only_see_recorded_versions(
    pg_settings: Settings,
) -> None:
    with Ledger(pg_settings) as ledger:
        setup_catalogue(ledger)
        post_po(ledger, crates="40")
        stop = threading.Event()
        failures: list[BaseException] = []

        def receive(n: int) -> None:
            for i in range(12):
                line = [ReceiptLine("TOM", D(1), None, "crate")]
                try:
                    ledger.execute(PostReceipt(f"R-{n}-{i}", "main", line, po_id="PO-1"), user=USER)
                except OverReceiptError:
                    return

        def read() -> None:
            while not stop.is_set():
                try:
                    order = purchasing.purchase_order(ledger, "PO-1")
                    # Every version a reader is given was recorded: it has a position.
                    ledger.positions([(order.id, order.version)])
                except BaseException as error:
                    failures.append(error)
                    return

        writers = [threading.Thread(target=receive, args=(n,)) for n in range(3)]
        readers = [threading.Thread(target=read) for _ in range(3)]
        for thread in [*readers, *writers]:
            thread.start()
        for thread in writers:
            thread.join(120)
        stop.set()
        for thread in readers:
            thread.join(30)
        assert failures == []
        assert purchasing.purchase_order(ledger, "PO-1").lines[0].received == D(36 * 6)
