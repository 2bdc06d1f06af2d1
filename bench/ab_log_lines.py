"""In-process A/B of the handler ``stockledger serve`` writes its log lines through.

``python -m bench.ab_log_lines [LINES] [ROUNDS]`` (default 20,000 lines, 5 rounds) times,
with ``time.process_time``, what ``api.observe.RequestLog`` costs after each answer (the
metrics' ``observe`` and the JSON line) with the root handler ``logging.basicConfig``
makes (a ``StreamHandler``: one write and flush per line) and with ``api.observe.LineBuffer``
(``cli.serve.buffer_log_lines``: chunks), both writing to the same file, in turn each round.
Under ``serve`` at load the requests overlap, so the idle flush rarely fires; here it is not
called (the worst case for StreamHandler's rival is a flush per line: that is the first
variant). Prints µs per line and the writes each made, median of the rounds.
"""

from __future__ import annotations

import logging
import os
import statistics
import sys
import tempfile
import time
from types import SimpleNamespace
from typing import Any, cast

from api.metrics import Metrics
from api.observe import LineBuffer, RequestLog
from bench.ab_request_log import scope_of


class Counting:
    """A text stream over a file that counts its writes."""

    def __init__(self, path: str) -> None:
        self.file = open(path, "a", encoding="utf-8")  # noqa: SIM115 (closed by close)
        self.writes = 0

    def write(self, text: str) -> int:
        self.writes += 1
        return self.file.write(text)

    def flush(self) -> None:
        self.file.flush()

    def close(self) -> None:
        self.file.close()


def one(handler_of: str, lines: int, path: str) -> tuple[float, int]:
    """µs per line and the writes made, through a fresh root handler of ``handler_of``."""
    stream = Counting(path)
    handler: logging.Handler
    if handler_of == "StreamHandler":
        handler = logging.StreamHandler(cast(Any, stream))
    else:
        handler = LineBuffer(cast(Any, stream))
    handler.setFormatter(logging.Formatter("%(message)s"))
    root = logging.getLogger()
    root.handlers, root.level = [handler], logging.INFO
    middleware = RequestLog(cast(Any, None))
    scope = scope_of(Metrics(cast(Any, SimpleNamespace())))
    started = time.process_time()
    for _ in range(lines):
        middleware._record(scope, 201, 0.00123)
    handler.flush()
    spent = time.process_time() - started
    root.handlers = []
    handler.close()
    stream.close()
    return spent * 1e6 / lines, stream.writes


def main(argv: list[str]) -> None:
    lines = int(argv[0]) if argv else 20_000
    rounds = int(argv[1]) if len(argv) > 1 else 5
    variants = ("StreamHandler", "LineBuffer")
    found: dict[str, list[tuple[float, int]]] = {name: [] for name in variants}
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, "serve.log")
        for _ in range(rounds):
            for name in variants:
                found[name].append(one(name, lines, path))
    for name, runs in found.items():
        cost = statistics.median(r[0] for r in runs)
        writes = statistics.median(r[1] for r in runs)
        print(f"{name}: {cost:.2f} µs per line, {writes:.0f} writes for {lines} lines")
    base = statistics.median(r[0] for r in found[variants[0]])
    this = statistics.median(r[0] for r in found[variants[1]])
    print(f"LineBuffer / StreamHandler: {this / base:.2f}")


if __name__ == "__main__":
    main(sys.argv[1:])
