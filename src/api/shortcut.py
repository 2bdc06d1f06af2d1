"""Command routes reached without walking the router again, once the router has found them.

Starlette finds a request's route by trying the routes in order, then FastAPI wraps the
call in its request object, two exit stacks and the exception handling: under the HTTP
load that was a seventh of the API process's CPU per command, spent finding the same
route for the same path every time (docs/BENCHMARKS.md "A command reaches its route
directly"). ``Shortcut`` sits inside the app's other middleware (the request log, the
body cap) and outside the router. When the router has served a request with a command
route in one hop (``api.one_hop``) at a path without parameters, it remembers that
method and path; the next request for them goes straight to the same handler, with the
same route in its scope and the same exception handlers (Starlette's own wrapper), so
every answer, error and log line is the one the router's path gives.

Nothing else is remembered: a path with parameters, any other route, and every request
while ``app.dependency_overrides`` is set go through the router as before.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from fastapi import Request, Response
from starlette._exception_handler import wrap_app_handling_exceptions
from starlette.types import ASGIApp, Receive, Scope, Send

# The scope key where a one-hop handler names itself (api.routing.DecimalRoute).
SERVED = "stockledger.one_hop"

Handler = Callable[[Request], Coroutine[Any, Any, Response]]


@dataclass(frozen=True)
class Learned:
    """What the router put in the scope of a request it sent to a one-hop handler."""

    handler: Handler
    route: Any
    endpoint: Any
    router: Any
    exception_handlers: Any


class Shortcut:
    """Serves a remembered (method, path) of a one-hop command route without the router."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.known: dict[tuple[str, str, str], Learned] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        key = (scope["method"], scope.get("root_path", ""), scope["path"])
        learned = self.known.get(key)
        if learned is None or scope["app"].dependency_overrides:
            await self.app(scope, receive, send)
            self._learn(key, scope)
            return
        scope["route"], scope["endpoint"] = learned.route, learned.endpoint
        scope["router"], scope["path_params"] = learned.router, {}
        scope["starlette.exception_handlers"] = learned.exception_handlers
        request = Request(scope, receive)

        async def serve(scope: Scope, receive: Receive, send: Send) -> None:
            response = await learned.handler(request)
            await response(scope, receive, send)

        await wrap_app_handling_exceptions(serve, request)(scope, receive, send)

    def _learn(self, key: tuple[str, str, str], scope: Scope) -> None:
        """Remembers the route of a request a one-hop handler served at a fixed path."""
        handler = scope.get(SERVED)
        if handler is None or scope.get("path_params") or key in self.known:
            return
        self.known[key] = Learned(
            handler,
            scope["route"],
            scope.get("endpoint"),
            scope.get("router"),
            scope["starlette.exception_handlers"],
        )
