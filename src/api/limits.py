"""Request size caps (SPEC §7): a body of at most 1 MiB, else 413 problem+json.

A pure ASGI middleware: a declared ``Content-Length`` over the cap is refused before any
byte is read; a body without one (chunked) is counted as its chunks arrive and refused as
soon as the count passes the cap, so an unbounded body never sits in memory.
"""

from __future__ import annotations

from fastapi import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api import problems

MAX_BODY_BYTES = 1 << 20  # 1 MiB


class BodyTooLargeError(HTTPException):
    """Raised while the body streams in; FastAPI passes HTTP errors on to the handlers."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body is larger than {limit} bytes (1 MiB)")


class BodyLimit:
    def __init__(self, app: ASGIApp, limit: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            refusal = problems.problem_response(
                413,
                "payload_too_large",
                "Request Entity Too Large",
                f"the request body is larger than {self.limit} bytes (1 MiB)",
            )
            await refusal(scope, receive, send)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise BodyTooLargeError(self.limit)
            return message

        await self.app(scope, counted, send)
