"""No write transaction holds the writer lock unbounded (STOCKLEDGER_WRITE_TIMEOUT)."""

from __future__ import annotations

import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg
import pytest

from application.commands import PostReceipt, ReceiptLine
from application.errors import WriterBusyError
from application.ledger import Ledger
from application.settings import Settings
from store.writer import writer_ready

LINE = [ReceiptLine("AB-001", Decimal(5), Decimal("2.00"))]


def stall_after_lock(ledger: Ledger, statements: list[str]) -> None:
    """Makes the next write stall once it holds the writer lock (as the pipeline did)."""
    recorder: Any = ledger.recorder
    original = recorder._lock_table

    def stall(curs: Any) -> None:
        original(curs)
        recorder._lock_table = original
        for statement in statements:
            curs.execute(statement)

    recorder._lock_table = stall


@pytest.mark.parametrize(
    "statements",
    [
        # The server executes something long: statement_timeout ends it.
        pytest.param(["SELECT pg_sleep(60)"], id="server-statement"),
        # The server sits waiting with the lock and no timeout of its own (as when the
        # pipeline stalled in ClientRead): the client-side watchdog ends the session.
        pytest.param(["SET LOCAL statement_timeout = 0", "SELECT pg_sleep(60)"], id="watchdog"),
    ],
)
def test_a_stuck_write_is_abandoned_and_frees_the_writer_lock(
    pg_url: str, tmp_path: Path, statements: list[str]
) -> None:
    settings = Settings(database_url=pg_url, data_dir=tmp_path / "var", write_timeout=2)
    with Ledger(settings) as stuck, Ledger(settings) as other:
        stall_after_lock(stuck, statements)
        started = time.monotonic()
        with pytest.raises(WriterBusyError):
            stuck.execute(PostReceipt("R-STUCK", "main", LINE), user="ann")
        assert time.monotonic() - started < 10
        # Nothing was recorded, and the lock is free for every writer.
        assert stuck.head() == 0
        assert writer_ready(other.recorder, settings)
        assert other.execute(PostReceipt("R-NEXT", "main", LINE), user="ann").created
        assert stuck.execute(PostReceipt("R-AGAIN", "main", LINE), user="ann").created
        assert other.head() == stuck.head() > 0


def test_readiness_fails_while_another_session_holds_the_writer_lock(
    pg_settings: Settings,
) -> None:
    with Ledger(pg_settings) as ledger:
        assert writer_ready(ledger.recorder, pg_settings)
        with psycopg.connect(pg_settings.database_url or "") as holder:
            holder.execute("LOCK TABLE ledger_write_lock IN EXCLUSIVE MODE")
            assert not writer_ready(ledger.recorder, pg_settings)
        assert writer_ready(ledger.recorder, pg_settings)


def test_readiness_on_sqlite(tmp_path: Path) -> None:
    settings = Settings(database_url=None, data_dir=tmp_path / "var")
    with Ledger(settings) as ledger:
        assert writer_ready(ledger.recorder, settings)
