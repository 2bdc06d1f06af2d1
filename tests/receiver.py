"""A real local webhook receiver (http.server in a thread) that verifies Standard Webhooks
signatures and records what it got; its answers are scripted per test. It listens on
loopback, which webhooks may reach only when STOCKLEDGER_WEBHOOK_ALLOWED_NETWORKS allows it
(``allow_loopback``)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import ssl
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from application.settings import Settings

LOOPBACK = "127.0.0.0/8,::1/128"


def allow_loopback(settings: Settings) -> Settings:
    """``settings`` with webhooks allowed to reach this machine's loopback receivers."""
    return settings.model_copy(update={"webhook_allowed_networks": LOOPBACK})


def verify(secret: str, headers: Any, body: bytes) -> bool:
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    return any(
        hmac.compare_digest(part.removeprefix("v1,"), expected)
        for part in headers["webhook-signature"].split()
    )


class Receiver:
    """Answers ``answer(n)`` to the n-th request (0-based); 200 by default. Listens on
    ``host`` (any loopback address) and ``port`` (0: any free one), with https when given a
    server ``tls`` context; a 3xx answer sends ``Location: location``."""

    def __init__(
        self,
        answer: Callable[[int], int] | None = None,
        delay: float = 0.0,
        host: str = "127.0.0.1",
        port: int = 0,
        location: str = "",
        tls: ssl.SSLContext | None = None,
    ) -> None:
        self.answer = answer or (lambda n: 200)
        self.delay = delay
        self.location = location
        self.secret = ""
        self.requests: list[dict[str, Any]] = []  # every request, in arrival order
        self.hosts: list[str] = []  # the Host header of every request
        self.acknowledged: list[int] = []  # positions answered 2xx
        self.bad_signatures = 0
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["content-length"]))
                if receiver.delay:
                    time.sleep(receiver.delay)  # a slow receiver, by design of the test
                event = json.loads(body)
                with receiver.lock:
                    n = len(receiver.requests)
                    if not verify(receiver.secret, self.headers, body):
                        receiver.bad_signatures += 1
                    assert self.headers["webhook-id"] == f"evt_{event['position']}"
                    receiver.requests.append(event)
                    receiver.hosts.append(str(self.headers["host"]))
                    status = receiver.answer(n)
                    if 200 <= status < 300:
                        receiver.acknowledged.append(event["position"])
                self.send_response(status)
                if 300 <= status < 400 and receiver.location:
                    self.send_header("location", receiver.location)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer((host, port), Handler)
        self.server.daemon_threads = True
        if tls is not None:  # https: the handshake happens in each request's own thread
            self.server.socket = tls.wrap_socket(
                self.server.socket, server_side=True, do_handshake_on_connect=False
            )
        self.port = int(self.server.server_address[1])
        self.url = f"{'https' if tls else 'http'}://{host}:{self.port}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def positions(self) -> list[int]:
        with self.lock:
            return [e["position"] for e in self.requests]


def wait_for(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.02)  # polling interval of the condition, not synchronisation
    raise AssertionError(f"timed out waiting for {what}")
