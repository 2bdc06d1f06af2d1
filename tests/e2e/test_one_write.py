"""``serve``'s HTTP protocol (cli.wire): an answer's head and body leave in one socket write,
a refused request's answer still leaves before the connection closes, pipelined requests
are each answered, and a streamed answer's chunks leave as they come."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, StreamingResponse
from starlette.routing import Route

from cli.wire import OneWriteProtocol
from tests.pgserver import free_port

WRITES: list[bytes] = []  # every write that reached the real socket's transport


class _Counted(asyncio.Transport):
    """The real transport, each write recorded before it is made."""

    def __init__(self, inner: asyncio.Transport) -> None:
        super().__init__()
        self.inner = inner

    def write(self, data: Any) -> None:
        WRITES.append(bytes(data))
        self.inner.write(data)

    def __getattribute__(self, name: str) -> Any:
        if name in ("write", "inner", "__class__"):
            return object.__getattribute__(self, name)
        return getattr(object.__getattribute__(self, "inner"), name)


class _CountedProtocol(OneWriteProtocol):
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(_Counted(transport))  # type: ignore[arg-type]


async def _json(request: Request) -> JSONResponse:
    return JSONResponse({"path": request.url.path, "pad": "x" * 2000})


async def _stream(request: Request) -> StreamingResponse:
    async def chunks() -> Any:
        for n in range(3):
            yield f"chunk {n}\n".encode()
            await asyncio.sleep(0.05)

    return StreamingResponse(chunks(), media_type="text/plain")


@pytest.fixture
def server() -> Iterator[int]:
    app = Starlette(routes=[Route("/json", _json), Route("/stream", _stream)])
    port = free_port()
    config = uvicorn.Config(app, port=port, log_level="warning", http=_CountedProtocol)
    served = uvicorn.Server(config)
    thread = threading.Thread(target=served.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not served.started:
        assert time.monotonic() < deadline, "server started"
        time.sleep(0.02)
    yield port
    served.should_exit = True
    thread.join(10)


def _exchange(port: int, raw: bytes, until: bytes, count: int = 1) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
        conn.sendall(raw)
        got = b""
        while got.count(until) < count:
            chunk = conn.recv(65536)
            if not chunk:
                break
            got += chunk
        return got


def test_an_answer_leaves_in_one_write(server: int) -> None:
    WRITES.clear()
    got = _exchange(server, b"GET /json HTTP/1.1\r\nHost: x\r\n\r\n", b'"}')
    assert got.startswith(b"HTTP/1.1 200 OK") and got.endswith(b'"}')
    assert len(WRITES) == 1, [w[:40] for w in WRITES]
    assert WRITES[0] == got


def test_pipelined_requests_are_each_answered_whole(server: int) -> None:
    WRITES.clear()
    request = b"GET /json HTTP/1.1\r\nHost: x\r\n\r\n"
    got = _exchange(server, request * 3, b'"}', count=3)
    assert got.count(b"HTTP/1.1 200 OK") == 3
    assert all(w.startswith(b"HTTP/1.1 200 OK") and w.endswith(b'"}') for w in WRITES)


def test_a_refused_request_is_answered_before_the_connection_closes(server: int) -> None:
    got = _exchange(server, b"GARBAGE\r\n\r\n", b"received.")
    assert got.startswith(b"HTTP/1.1 400 Bad Request"), got
    assert b"connection: close" in got


def test_a_streamed_answer_leaves_chunk_by_chunk(server: int) -> None:
    WRITES.clear()
    got = _exchange(server, b"GET /stream HTTP/1.1\r\nHost: x\r\n\r\n", b"0\r\n\r\n")
    assert b"chunk 0" in got and b"chunk 2" in got
    bodies = [w for w in WRITES if b"chunk" in w]
    assert len(bodies) == 3, WRITES  # each awaited chunk in its own turn of the loop
