"""The HTTP protocol ``serve`` gives uvicorn: its httptools protocol, with an answer's
head and body leaving in one socket write.

uvicorn writes an answer's status line and headers when the app sends
``http.response.start`` and the body when it sends ``http.response.body``: two ``send``
calls, two TCP segments on a ``TCP_NODELAY`` socket, two wake-ups of the client. Under
load that was 12 % of the API process (py-spy, docs/BENCHMARKS.md). Here the protocol's
transport holds what is written during one turn of the event loop and sends it at the end
of that turn (``loop.call_soon``), or at once before the connection is closed. A streamed
answer (SSE, CSV) awaits between its chunks, so each chunk still leaves in its own turn.

Built on uvicorn's public surface: ``Config(http=<protocol class>)`` and the asyncio
``Protocol``/``Transport`` interfaces; uvicorn is pinned in pyproject.toml.
"""

from __future__ import annotations

import asyncio
from typing import Any, cast

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol


class OneWriteTransport(asyncio.Transport):
    """A transport that gathers the writes of one event-loop turn into one."""

    def __init__(self, inner: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__()
        self._inner = inner
        self._loop = loop
        self._held: list[bytes] = []

    def write(self, data: bytes | bytearray | memoryview) -> None:
        if not self._held:
            self._loop.call_soon(self.flush)
        self._held.append(bytes(data))

    def flush(self) -> None:
        """Sends what is held (nothing if it was sent already)."""
        if self._held:
            held, self._held = self._held, []
            if not self._inner.is_closing():
                self._inner.write(held[0] if len(held) == 1 else b"".join(held))

    def close(self) -> None:
        self.flush()
        self._inner.close()

    def abort(self) -> None:
        self._held = []
        self._inner.abort()

    def is_closing(self) -> bool:
        return self._inner.is_closing()

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return self._inner.get_extra_info(name, default)

    def pause_reading(self) -> None:
        self._inner.pause_reading()

    def resume_reading(self) -> None:
        self._inner.resume_reading()

    def is_reading(self) -> bool:
        return self._inner.is_reading()

    def set_protocol(self, protocol: asyncio.BaseProtocol) -> None:
        self._inner.set_protocol(protocol)

    def get_protocol(self) -> asyncio.BaseProtocol:
        return self._inner.get_protocol()

    def can_write_eof(self) -> bool:
        return self._inner.can_write_eof()

    def write_eof(self) -> None:
        self.flush()
        self._inner.write_eof()

    def get_write_buffer_size(self) -> int:
        return self._inner.get_write_buffer_size() + sum(map(len, self._held))

    def set_write_buffer_limits(self, high: int | None = None, low: int | None = None) -> None:
        self._inner.set_write_buffer_limits(high, low)


class OneWriteProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol over a ``OneWriteTransport``."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports are asyncio.Transport in all but registration.
        inner = cast("asyncio.Transport", transport)
        super().connection_made(OneWriteTransport(inner, asyncio.get_running_loop()))
