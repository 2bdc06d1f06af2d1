"""One structured log line and the request metrics per request, as a pure ASGI middleware.

A pure ASGI middleware (not Starlette's ``BaseHTTPMiddleware``) only watches the messages
go by: no second task, no response body streamed through a queue, which cost a tenth of the
API's CPU per request. The line names the method, route, path, status, duration, user,
answer position and the process id (several API processes share one log); never a token.
It is not built at all when ``stockledger.http`` does not log INFO.
An exception no handler turned into a response becomes a logged 500 problem.

``LineBuffer`` is the log handler ``stockledger serve`` writes through: a stream handler
writing its lines in chunks (one write per chunk, not one write and flush per line). A chunk
goes out at ``MAX_LINES`` lines, ``LINGER`` seconds after its first line, when the last
request in flight has been answered (``RequestLog`` calls ``idle``: a server answering one
request at a time writes each line as it did), and when logging shuts down (``atexit``, the
way every process of serve ends but SIGKILL).
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from typing import IO, Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api import problems

log = logging.getLogger("stockledger.http")

MAX_LINES = 64
LINGER = 0.1  # ok-float: seconds a line may wait in a chunk


class LineBuffer(logging.StreamHandler):  # type: ignore[type-arg]
    """A stream handler writing whole lines in chunks (module docstring)."""

    def __init__(self, stream: IO[str] | None = None) -> None:
        super().__init__(stream)
        self._lines: list[str] = []
        self._due = threading.Condition(self.lock)
        self._writer = threading.Thread(target=self._linger, name="log-lines", daemon=True)
        self._writer.start()

    def emit(self, record: logging.LogRecord) -> None:
        try:
            line = self.format(record) + self.terminator
        except Exception:
            self.handleError(record)
            return
        self._lines.append(line)  # under self.lock: Handler.handle holds it
        if len(self._lines) >= MAX_LINES:
            self._write()
        elif len(self._lines) == 1:
            self._due.notify()

    def flush(self) -> None:
        with self._due:
            self._write()

    def close(self) -> None:
        # Writes what it holds, and keeps writing lines it is still sent, as a
        # StreamHandler does: logging.config.dictConfig (uvicorn's start) closes every
        # handler, those it leaves in place too.
        self.flush()
        super().close()

    def _write(self) -> None:
        if self._lines:
            text, self._lines = "".join(self._lines), []
            try:
                self.stream.write(text)
                self.stream.flush()
            except (OSError, ValueError):
                pass  # the stream is gone (a closed pipe): there is nowhere to write to

    def _linger(self) -> None:
        with self._due:
            while True:
                if not self._lines:
                    self._due.wait()
                    continue
                self._due.wait(LINGER)
                self._write()


def idle() -> None:
    """Writes out what the root logger's handlers hold: nothing is left in flight."""
    for handler in logging.getLogger().handlers:
        if isinstance(handler, LineBuffer):
            handler.flush()


class RequestLog:
    """Logs and counts every HTTP request the wrapped app answers."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.pid = os.getpid()
        self.in_flight = 0  # requests begun and not yet answered (the event loop's thread)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500
        answered = False
        self.in_flight += 1

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
        finally:
            self.in_flight -= 1
        self._record(scope, status, time.perf_counter() - started)
        if not self.in_flight:
            idle()

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
