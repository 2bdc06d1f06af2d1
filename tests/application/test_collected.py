"""application.collected: a process's lists from rare creation events read on from where
they ended (not the whole ledger again), each value once, in ledger order, on both backends."""

from __future__ import annotations

from typing import Any, ClassVar

from application import purchasing
from application.collected import Collected, collected
from application.commands import PostReceipt, ReceiptLine
from application.events import LedgerEvents
from application.ledger import Ledger
from domain.supplier import Supplier, SupplierSpec
from tests.application.helpers import USER, D


class CountingReads(LedgerEvents):
    """LedgerEvents that notes the ``after`` of every read."""

    afters: ClassVar[list[int]] = []

    def read(self, after: int, limit: int, **kwargs: Any) -> Any:
        CountingReads.afters.append(after)
        return super().read(after, limit, **kwargs)


def test_a_list_reads_on_from_the_head_it_last_read(ledger: Ledger, monkeypatch: Any) -> None:
    monkeypatch.setattr("application.collected.LedgerEvents", CountingReads)
    CountingReads.afters = []
    purchasing.put_supplier(ledger, "GREEN", SupplierSpec("Green", 1, ()), "admin")
    receipt = PostReceipt("R-1", "main", [ReceiptLine("TOM", D(5), D(2))])
    ledger.execute(receipt, user=USER)
    assert [s.supplier for s in purchasing.suppliers(ledger)] == ["GREEN"]
    head = ledger.head()
    assert CountingReads.afters[0] == 0
    CountingReads.afters = []
    purchasing.put_supplier(ledger, "BLUE", SupplierSpec("Blue", 1, ()), "admin")
    purchasing.put_supplier(ledger, "GREEN", SupplierSpec("Green farm", 2, ()), "admin")
    # Only what was recorded since: the second read starts at the head the first one read,
    # past the receipt's movements; a changed supplier is listed once.
    assert [s.supplier for s in purchasing.suppliers(ledger)] == ["BLUE", "GREEN"]
    assert CountingReads.afters[0] == head
    assert collected(ledger, {Supplier.Created.TOPIC}, lambda e: e.supplier) == ["GREEN", "BLUE"]


def test_a_head_below_what_was_read_starts_the_list_again(ledger: Ledger) -> None:
    purchasing.put_supplier(ledger, "GREEN", SupplierSpec("Green", 1, ()), "admin")
    seen = Collected({Supplier.Created.TOPIC}, lambda e: e.supplier)
    assert seen.read(ledger) == ["GREEN"]
    seen.after, seen.values = ledger.head() + 100, {"GONE": None}  # as after a restore
    assert seen.read(ledger) == ["GREEN"]
    assert seen.after == ledger.head()
