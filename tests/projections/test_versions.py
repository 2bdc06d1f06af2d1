"""A rolling upgrade: processes on two versions of a projection's code at once."""

from __future__ import annotations

from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from application.commands import PostReceipt, ReceiptLine
from application.errors import ConcurrencyConflictError
from application.ledger import Ledger
from application.settings import Settings
from projections.balances import Balances
from projections.base import Batch
from projections.db import Session
from projections.registry import entry, rebuild_lock
from projections.service import ReadModels
from tests.projections.conftest import fill, folded_rows, live_rows, wait_until


def recording(version: int, written: list[str], zone: ZoneInfo) -> Balances:
    """Balances as built by code of ``version``, noting every table its runner writes."""

    class Recording(Balances):
        VERSION = version

        def apply(self, session: Session, table: str, batch: Batch) -> None:
            if batch:
                written.append(table)
            super().apply(session, table, batch)

    return Recording(zone)


def process(settings: Settings, ledger: Ledger, version: int, written: list[str]) -> ReadModels:
    """A ReadModels as a process running code of ``version`` for balances would have it."""
    models = ReadModels(settings, ledger)
    models.projections["balances"] = recording(version, written, models.zone)
    return models


def balances_state(models: ReadModels) -> tuple[int, int, str]:
    (state,) = [s for s in models.status() if s["name"] == "balances"]
    return state["version"], state["code_version"], state["state"]


def registry(models: ReadModels) -> tuple[int, int]:
    with models.db.session() as session:
        current = entry(session, "balances")
    assert current is not None
    return current.version, current.generation


def receive(ledger: Ledger, doc: str) -> int:
    line = ReceiptLine("F0001", Decimal(1), Decimal(1))
    return ledger.execute(PostReceipt(doc, "main", [line]), user="u").position


def steps_down_as_the_new_reads(ledger: Ledger, doc: str, old: ReadModels, new: ReadModels) -> None:
    """A receipt ``doc`` posted: the new code reads it and the old code's balances runner
    steps down."""
    posted = receive(ledger, doc)
    old.notify()
    new.notify()
    assert new.wait_for(posted, 30)
    (runner,) = [r for r in old._runners if r.projection.NAME == "balances"]
    wait_until(lambda: runner.superseded, 30, f"old runner steps down after {doc}")


def test_old_and_new_code_each_write_only_their_own_generation_and_report_the_truth(
    settings: Settings, ledger: Ledger
) -> None:
    fill(ledger, documents=6, lines=50)
    old_writes: list[str] = []
    new_writes: list[str] = []
    late_writes: list[str] = []
    v = Balances.VERSION  # the old code's version; the new code's is the next
    old = process(settings, ledger, v, old_writes)
    new = process(settings, ledger, v + 1, new_writes)
    late = process(settings, ledger, v, late_writes)
    try:
        old.start()
        assert old.wait_for(ledger.head(), 30)
        # Hold the rebuild lock: the new code's upgrade waits, so both versions run a while.
        with rebuild_lock(old.db, "balances", wait=True):
            new.start()
            during = receive(ledger, "DURING")
            old.notify()
            new.notify()
            # The old version keeps being maintained (by the old code) until the new is live.
            wait_until(lambda: old.positions()["balances"] >= during, 30, "old code applies")
            assert registry(old) == (v, 1)
            assert balances_state(old) == (v, v, "live")
            assert balances_state(new) == (v, v + 1, "rebuilding")
        wait_until(lambda: registry(old) == (v + 1, 2), 60, "the next version live")
        steps_down_as_the_new_reads(ledger, "AFTER", old, new)
        assert balances_state(old) == (v + 1, v, "live")
        assert balances_state(new) == (v + 1, v + 1, "live")
        # Old code started after the switch neither rebuilds back nor writes.
        late.start()
        steps_down_as_the_new_reads(ledger, "LATE", late, new)
        with pytest.raises(ConcurrencyConflictError):
            late.rebuild("balances")
        assert registry(new) == (v + 1, 2)
        assert set(old_writes) == {"rm_balances_g1"}
        assert late_writes == []
        assert "rm_balances_g1" not in new_writes
        assert live_rows(new, "balances") == folded_rows(ledger, new.projections["balances"])
        assert new.verify().ok
    finally:
        late.close()
        new.close()
        old.close()
