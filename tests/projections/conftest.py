"""Fixtures and helpers for the read side: a ledger, its read models, and ways to read rows."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from application.commands import Line, PostConsumption, PostReceipt, ReceiptLine
from application.events import LedgerEvents
from application.ledger import Ledger
from application.settings import Settings
from projections.base import Projection, Rows
from projections.event_reader import read_events
from projections.registry import entry
from projections.service import ReadModels

SRC = Path(__file__).resolve().parents[2] / "src"


class Clock:
    """An injectable ledger clock the test moves by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def models(settings: Settings, ledger: Ledger) -> Iterator[ReadModels]:
    read = ReadModels(settings, ledger)
    yield read
    read.close()


@contextmanager
def store(settings: Settings, clock: Clock | None = None) -> Iterator[tuple[Ledger, ReadModels]]:
    """A ledger on ``settings`` (and ``clock``) and its read models (not started), both
    closed afterwards."""
    ledger = Ledger(settings, clock=clock)
    models = ReadModels(settings, ledger)
    try:
        yield ledger, models
    finally:
        models.close()
        ledger.close()


@contextmanager
def scratch_store(clock: Clock) -> Iterator[tuple[Ledger, ReadModels]]:
    """A SQLite store of its own and its read models: one per example of a property test,
    where a fixture would serve every example at once."""
    with (
        tempfile.TemporaryDirectory() as scratch,
        store(Settings(database_url=None, data_dir=Path(scratch)), clock) as opened,
    ):
        yield opened


def live_rows(models: ReadModels, name: str) -> Rows:
    """Every row of the projection's live table, by key."""
    projection = models.projections[name]
    with models.db.session() as session:
        current = entry(session, name)
        assert current is not None
        rows = projection.select(session, projection.table(current.generation))
    return {projection.key_from(r): r for r in rows}


def folded_rows(ledger: Ledger, projection: Projection, upto: int | None = None) -> Rows:
    """The projection's rows computed in memory straight from the ledger."""
    rows: Rows = {}
    position = 0
    while True:
        events = LedgerEvents(ledger)
        last, batch, count = read_events(events, position, 1000, topics=projection.TOPICS)
        for event_position, event in batch:
            if upto is None or event_position <= upto:
                projection.fold(rows, event, event_position)
        if count == 0:
            projection.complete(rows)
            return rows
        position = last


def wait_until(condition: Callable[[], bool], timeout: float = 30.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or condition}")
        time.sleep(0.01)


def fill(ledger: Ledger, documents: int, lines: int, prefix: str = "F") -> int:
    """Receipts and consumptions with many lines each: a fast way to make many events."""
    position = 0
    for n in range(documents):
        skus = [f"{prefix}{i:04d}" for i in range(lines)]
        if n % 2 == 0:
            result = ledger.execute(
                PostReceipt(
                    f"{prefix}R{n}",
                    "main",
                    [ReceiptLine(s, Decimal("3"), Decimal("1.25")) for s in skus],
                ),
                user="filler",
            )
        else:
            result = ledger.execute(
                PostConsumption(f"{prefix}C{n}", "main", [Line(s, Decimal("1")) for s in skus]),
                user="filler",
            )
        position = result.position
    return position


def worker(settings: Settings, *args: str) -> subprocess.Popen[bytes]:
    """``python -m projections ARGS`` configured through the environment, as in production."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("STOCKLEDGER_")}
    env["STOCKLEDGER_DATA_DIR"] = str(settings.data_dir)
    env["STOCKLEDGER_TIMEZONE"] = settings.timezone
    if settings.database_url:
        env["STOCKLEDGER_DATABASE_URL"] = settings.database_url
    env["PYTHONPATH"] = os.pathsep.join([str(SRC), env.get("PYTHONPATH", "")])
    return subprocess.Popen(
        [sys.executable, "-m", "projections", *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]
