"""A real local webhook receiver (http.server in a thread) that verifies Standard Webhooks
signatures and records what it got; its answers are scripted per test."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


def verify(secret: str, headers: Any, body: bytes) -> bool:
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    return any(
        hmac.compare_digest(part.removeprefix("v1,"), expected)
        for part in headers["webhook-signature"].split()
    )


class Receiver:
    """Answers ``answer(n)`` to the n-th request (0-based); 200 by default."""

    def __init__(self, answer: Callable[[int], int] | None = None, delay: float = 0.0) -> None:
        self.answer = answer or (lambda n: 200)
        self.delay = delay
        self.secret = ""
        self.requests: list[dict[str, Any]] = []  # every request, in arrival order
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
                    status = receiver.answer(n)
                    if 200 <= status < 300:
                        receiver.acknowledged.append(event["position"])
                self.send_response(status)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
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
