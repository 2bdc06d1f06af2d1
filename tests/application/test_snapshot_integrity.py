"""Snapshots cannot lie: a planted or altered snapshot is never used for a decision."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest

from application.commands import PostConsumption, PostDelivery, PostReceipt, ReceiptLine
from application.ledger import Ledger
from application.settings import Settings
from domain.access import KeyRing
from domain.errors import InsufficientStockError
from domain.stock_item import StockItem
from store import backend
from tests.application.helpers import USER, D, line, receive, state
from tests.tamper import plant_snapshot

ITEM = StockItem.create_id("A", "main")


def test_a_snapshot_planted_at_the_current_version_is_ignored_after_a_restart(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    with Ledger(settings) as ledger:
        receive(ledger, "r-1", "A", "10", "2")
        version = plant_snapshot(ledger, ITEM, on_hand=D(1000), value=D(2000))
        assert version == 2
    with Ledger(settings) as restarted:
        with pytest.raises(InsufficientStockError):
            restarted.execute(PostDelivery("d-1", "main", [line("A", "500")]), user=USER)
        assert state(restarted, "A") == (D(10), D(0), D("20.00"))
        result = restarted.execute(PostDelivery("d-2", "main", [line("A", "4")]), user=USER)
        assert result.movements[0].on_hand_after == D(6)
    assert "ignoring snapshot" in caplog.text and "on_hand 1000" in caplog.text


def test_a_planted_snapshot_falls_back_to_an_older_genuine_one(settings: Settings) -> None:
    with Ledger(settings) as ledger:
        ledger.execute(PostReceipt("r-1", "main", [ReceiptLine("A", D(1), D(1))] * 99), user=USER)
        ledger.execute(PostConsumption("c-1", "main", [line("A", "9")]), user=USER)
        plant_snapshot(ledger, ITEM, reserved=D(50))  # at v101, above the genuine v100
    with Ledger(settings) as restarted:
        item = restarted.get(StockItem, ITEM)
        assert item is not None
        assert (item.version, item.on_hand, item.reserved) == (101, D(90), D(0))
        assert restarted.snapshots is not None
        newest = list(restarted.snapshots.get(ITEM, desc=True, limit=1))
        assert [s.originator_version for s in newest] == [100]


def test_a_snapshot_of_anything_but_a_stock_position_is_ignored(settings: Settings) -> None:
    with Ledger(settings) as ledger:
        key_id, _ = ledger.issue_key("alice", "clerk", issued_by="admin")
        plant_snapshot(ledger, KeyRing.create_id(), keys={})
    with Ledger(settings) as restarted:
        assert key_id in restarted.keyring().keys


def _genuine_snapshot(settings: Settings) -> None:
    with Ledger(settings) as ledger:
        ledger.execute(PostReceipt("r-1", "main", [ReceiptLine("A", D(1), D(1))] * 99), user=USER)
        assert ledger.snapshots is not None
        assert [s.originator_version for s in ledger.snapshots.get(ITEM)] == [100]


def test_postgres_refuses_to_update_a_snapshot(pg_settings: Settings) -> None:
    _genuine_snapshot(pg_settings)
    assert pg_settings.database_url is not None
    with psycopg.connect(pg_settings.database_url, autocommit=True) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only"):
            conn.execute("UPDATE ledger_snapshots SET state = state")
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only"):
            conn.execute("UPDATE ledger_snapshots SET originator_version = 1")


def test_sqlite_refuses_to_update_a_snapshot(tmp_path: Path) -> None:
    settings = Settings(database_url=None, data_dir=tmp_path / "var")
    _genuine_snapshot(settings)
    with closing(sqlite3.connect(backend.sqlite_path(settings))) as conn:
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            conn.execute("UPDATE stored_snapshots SET state = state")
        conn.rollback()


def test_a_snapshot_planted_at_a_future_version_does_not_fail_the_command_that_reaches_it(
    settings: Settings,
) -> None:
    with Ledger(settings) as ledger:
        ledger.execute(PostReceipt("r-1", "main", [ReceiptLine("A", D(1), D(1))] * 98), user=USER)
        # the state at v99 planted one version ahead, where the library will snapshot next
        assert plant_snapshot(ledger, ITEM, version=100) == 100
    with Ledger(settings) as restarted:
        assert receive(restarted, "r-2", "A", "1", "1").created
        result = restarted.execute(PostConsumption("c-1", "main", [line("A", "1")]), user=USER)
        assert result.created
        assert state(restarted, "A")[0] == Decimal(98)
        versions = [e.originator_version for e in restarted.events.get(ITEM)]
        assert versions == list(range(1, 102))  # no gap where the planted one claimed v100
