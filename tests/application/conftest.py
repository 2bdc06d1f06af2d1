"""Fixtures for the command side: a clock the test controls and a Ledger that reads it (the
plain `ledger` fixture is in tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from application.ledger import Ledger
from application.settings import Settings


class Clock:
    """A settable clock; each reading moves it on by a microsecond so times stay ordered."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        self.now += timedelta(microseconds=1)
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2025, 3, 14, 9, 0, tzinfo=UTC))


@pytest.fixture
def timed_ledger(settings: Settings, clock: Clock) -> Iterator[Ledger]:
    """A Ledger whose recorded times come from ``clock``."""
    app = Ledger(settings, clock=clock)
    yield app
    app.close()
