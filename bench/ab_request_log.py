"""In-process A/B of the request log line and the request metrics, CPU per request.

``python -m bench.ab_request_log [CALLS] [ROUNDS]`` (default 20,000 calls, 5 rounds) times,
with ``time.process_time`` in this process, what ``api.observe.RequestLog`` does after each
answer: the metrics' ``observe`` and the JSON log line, through a root handler set up as
``stockledger serve`` sets it up (``%(message)s`` on a stream, here /dev/null). Variants, in
turn each round: ``labels + log.info`` (the metrics' label look-up per request and
``log.info``, the code before issue 33), ``series + log.info`` (child series cached per
(method, route, status), ``log.info``), ``this tree`` (``RequestLog`` as it is), and
``this tree, INFO off`` (``stockledger.http`` at WARNING). Prints µs per request, median.
"""

from __future__ import annotations

import json
import logging
import os
import statistics
import sys
import time
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any, cast

from api.metrics import Metrics
from api.observe import RequestLog

log = logging.getLogger("stockledger.http")
QUIET = "this tree, INFO off"


def scope_of(metrics: Metrics) -> dict[str, Any]:
    app = SimpleNamespace(state=SimpleNamespace(metrics=metrics))
    return {
        "type": "http",
        "method": "POST",
        "path": "/api/deliveries",
        "route": SimpleNamespace(path="/api/deliveries"),
        "state": {"user": "bench", "position": 123456},
        "app": app,
    }


def old_line(scope: dict[str, Any], status: int, elapsed: float) -> dict[str, Any]:
    state = scope["state"]
    return {"method": scope["method"], "route": scope["route"].path, "path": scope["path"],
            "status": status, "duration_ms": round(elapsed * 1000, 2),
            "user": state.get("user"), "position": state.get("position"),
            "pid": os.getpid()}  # fmt: skip


def variants(metrics: Metrics) -> dict[str, Callable[[dict[str, Any]], None]]:
    middleware = RequestLog(cast(Any, None))

    def labels(scope: dict[str, Any]) -> None:
        metrics.requests.labels("POST", "/api/deliveries", "201").inc()
        metrics.latency.labels("POST", "/api/deliveries").observe(0.004)
        metrics.commands.labels("delivery", "created").inc()
        log.info(json.dumps(old_line(scope, 201, 0.004)))

    def series(scope: dict[str, Any]) -> None:
        metrics.observe("POST", "/api/deliveries", 201, 0.004)
        log.info(json.dumps(old_line(scope, 201, 0.004)))

    def this(scope: dict[str, Any]) -> None:
        middleware._record(scope, 201, 0.004)

    return {"labels + log.info": labels, "series + log.info": series, "this tree": this,
            QUIET: this}  # fmt: skip


def main(argv: list[str]) -> None:
    calls = int(argv[0]) if argv else 20_000
    rounds = int(argv[1]) if len(argv) > 1 else 5
    sink = open(os.devnull, "w")  # noqa: SIM115 - lives as long as the process
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sink)
    metrics = Metrics(cast(Any, SimpleNamespace()))
    scope = scope_of(metrics)
    timed: dict[str, list[float]] = {}
    for _ in range(rounds):
        for name, one in variants(metrics).items():
            log.setLevel(logging.WARNING if name == QUIET else logging.NOTSET)
            began = time.process_time()
            for _ in range(calls):
                one(scope)
            timed.setdefault(name, []).append((time.process_time() - began) / calls * 1e6)
    first = statistics.median(timed["labels + log.info"])
    for name, values in timed.items():
        mid = statistics.median(values)
        print(f"{name:>22}: {mid:6.1f} µs CPU per request (median of {rounds}; "
              f"{mid / first:.2f} of the first)")  # fmt: skip


if __name__ == "__main__":
    main(sys.argv[1:])
