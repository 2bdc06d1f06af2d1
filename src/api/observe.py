"""One structured log line and the request metrics per request, as a pure ASGI middleware.

A pure ASGI middleware (not Starlette's ``BaseHTTPMiddleware``) only watches the messages
go by: no second task, no response body streamed through a queue, which cost a tenth of the
API's CPU per request. The line names the method, route, path, status, duration, user,
answer position and the process id (several API processes share one log); never a token.
It is not built at all when ``stockledger.http`` does not log INFO.
An exception no handler turned into a response becomes a logged 500 problem.
"""

from __future__ import annotations

import json
import logging
import os
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api import problems

log = logging.getLogger("stockledger.http")


class RequestLog:
    """Logs and counts every HTTP request the wrapped app answers."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.pid = os.getpid()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500
        answered = False

        async def watched(message: Message) -> None:
            nonlocal status, answered
            if message["type"] == "http.response.start":
                status = message["status"]
                answered = True
            await send(message)

        try:
            await self.app(scope, receive, watched)
        except Exception:
            log.exception("unhandled error on %s %s", scope["method"], scope["path"])
            if answered:
                raise  # the status line is out: nothing left to do but drop the connection
            status = 500
            await problems.internal_error()(scope, receive, send)
        self._record(scope, status, time.perf_counter() - started)

    def _record(self, scope: Scope, status: int, elapsed: float) -> None:  # ok-float: seconds
        route = getattr(scope.get("route"), "path", None)
        state: dict[str, Any] = scope.get("state") or {}
        scope["app"].state.metrics.observe(scope["method"], route, status, elapsed)
        if not log.isEnabledFor(logging.INFO):
            return
        line = {
            "method": scope["method"],
            "route": route,
            "path": scope["path"],
            "status": status,
            "duration_ms": round(elapsed * 1000, 2),
            "user": state.get("user"),
            "position": state.get("position"),
            "pid": self.pid,
        }
        # The record is made here, not by ``log.info``: its caller look-up (a walk up the
        # stack, a path normalised per frame) was most of the line's cost, and the line's
        # place in the code is always this one.
        record = log.makeRecord(log.name, logging.INFO, __file__, 0, json.dumps(line), (), None)
        log.handle(record)
