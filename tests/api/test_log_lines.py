"""The log handler of ``stockledger serve`` (api.observe.LineBuffer): whole lines, written
in chunks, none held longer than LINGER, none lost when logging shuts down, and each
request's line out once nothing is in flight."""

from __future__ import annotations

import io
import json
import logging
import threading
from collections.abc import Iterator

import pytest

from api import observe
from api.observe import LINGER, MAX_LINES, LineBuffer
from tests.api.conftest import Api
from tests.e2e.conftest import wait_until


class Counted(io.StringIO):
    """A stream that counts its writes."""

    def __init__(self) -> None:
        super().__init__()
        self.writes = 0
        self.lock = threading.Lock()

    def write(self, text: str) -> int:
        with self.lock:
            self.writes += 1
            return super().write(text)


@pytest.fixture
def buffered() -> Iterator[tuple[logging.Logger, LineBuffer, Counted]]:
    stream = Counted()
    handler = LineBuffer(stream)
    handler.setFormatter(logging.Formatter("%(message)s"))
    logger = logging.getLogger("test.log_lines")
    logger.propagate = False
    logger.setLevel(logging.INFO)
    logger.addHandler(handler)
    yield logger, handler, stream
    logger.removeHandler(handler)
    handler.close()


def test_a_full_chunk_is_written_at_once_in_one_write(
    buffered: tuple[logging.Logger, LineBuffer, Counted],
) -> None:
    logger, _, stream = buffered
    for n in range(MAX_LINES):
        logger.info(json.dumps({"n": n}))
    assert stream.writes == 1
    lines = stream.getvalue().splitlines()
    assert [json.loads(line)["n"] for line in lines] == list(range(MAX_LINES))


def test_a_line_waits_no_longer_than_its_linger(
    buffered: tuple[logging.Logger, LineBuffer, Counted],
) -> None:
    logger, _, stream = buffered
    logger.info("one")
    logger.info("two")
    wait_until(lambda: stream.getvalue() == "one\ntwo\n", 10 * LINGER + 5, "lines written")
    assert stream.writes == 1


def test_closing_writes_what_is_held_and_lines_after_it_still_go_out(
    buffered: tuple[logging.Logger, LineBuffer, Counted],
) -> None:
    logger, handler, stream = buffered
    logger.info("last words")
    handler.close()
    assert stream.getvalue() == "last words\n"
    # Still written, as by a closed StreamHandler: dictConfig closes handlers it keeps.
    logger.info("after the close")
    handler.flush()
    assert stream.getvalue() == "last words\nafter the close\n"


def test_each_request_line_is_out_once_no_request_is_in_flight(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    stream = Counted()
    handler = LineBuffer(stream)
    handler.setFormatter(logging.Formatter("%(message)s"))
    monkeypatch.setattr(observe, "LINGER", 3600.0)  # only the idle flush can write them
    root = logging.getLogger()
    root.addHandler(handler)
    http = logging.getLogger("stockledger.http")
    level = http.level
    http.setLevel(logging.INFO)
    try:
        for n in range(3):
            assert api.get("/health").status_code == 200
            lines = [json.loads(line) for line in stream.getvalue().splitlines()]
            assert [line["route"] for line in lines] == ["/health"] * (n + 1)
    finally:
        http.setLevel(level)
        root.removeHandler(handler)
        handler.close()
    assert "Bearer" not in stream.getvalue()
