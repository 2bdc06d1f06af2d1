"""Fixtures the operations tests share."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator

import pytest

from tests.processes import stop


@pytest.fixture
def processes() -> Iterator[list[subprocess.Popen[bytes]]]:
    """Processes a test started, each stopped afterwards."""
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for process in started:
        stop(process)
