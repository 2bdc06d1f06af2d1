"""One signed delivery attempt, to an address checked just before (feed.destinations).

``attempt`` checks the webhook's URL and resolves its host (``Destinations.check``), then
connects to one of the addresses that check answered — never resolving the name again, so
DNS rebinding cannot swap the address between check and connection — and sends the request
with the URL's own ``Host`` header and, for https, its name as SNI and for the certificate.
No proxy from the environment is used, and redirects are never followed (a 3xx is a failed
attempt). The receiver's answer is read only as far as its status code: its reason phrase,
headers and body are never kept.

Whatever goes wrong — a malformed stored URL, a refused destination, a name that does not
resolve, a refused connection, a timeout, a TLS error — comes back as ``(None, reason)``:
an attempt the deliverer records, never an exception that ends its thread.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import http.client
import socket
import ssl
import time
from typing import Any

from feed.destinations import Destinations, RefusedDestinationError, Target, UrlError
from feed.events import encode
from feed.webhooks import signing_key

Outcome = tuple[int | None, str]  # (status code, or None when nothing answered; reason)


def sign(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """Standard Webhooks ``v1`` signature of ``id.timestamp.body``."""
    signed = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(signing_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


@functools.cache
def _tls() -> ssl.SSLContext:
    """Certificates verified against the system's authorities, the URL's name checked."""
    return ssl.create_default_context()


class _PinnedConnection(http.client.HTTPConnection):
    """An HTTP(S) connection to ``address``, whatever ``target.host`` resolves to now."""

    def __init__(
        self,
        target: Target,
        address: str,
        timeout: float,  # ok-float: seconds
        tls: ssl.SSLContext,
    ) -> None:
        super().__init__(target.host, target.port, timeout=timeout)
        self.address = address
        self.target = target
        self.tls = tls

    def connect(self) -> None:
        sock = socket.create_connection((self.address, self.target.port), self.timeout)
        if self.target.scheme == "https":
            try:
                sock = self.tls.wrap_socket(sock, server_hostname=self.target.host)
            except BaseException:
                sock.close()
                raise
        self.sock = sock


def _reason(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:500]


def post(
    target: Target,
    addresses: list[str],
    headers: dict[str, str],
    body: bytes,
    timeout: float,  # ok-float: seconds per connect, send and read
    tls: ssl.SSLContext | None = None,
) -> Outcome:
    """Posts ``body`` to the first of ``addresses`` that accepts a connection; https is
    verified with ``tls`` (the system's authorities unless told)."""
    failure = "no address to connect to"
    for address in addresses:
        connection = _PinnedConnection(target, address, timeout, tls or _tls())
        try:
            try:
                connection.connect()
            except OSError as error:  # refused, unreachable, timed out: try the next one
                failure = _reason(error)
                continue
            connection.request("POST", target.path, body, {"Host": target.host_header, **headers})
            code = connection.getresponse().status
        except (OSError, http.client.HTTPException) as error:
            return None, _reason(error)
        finally:
            connection.close()
        if 200 <= code < 300:
            return code, ""
        if 300 <= code < 400:
            return code, f"HTTP {code} (redirects are not followed)"
        return code, f"HTTP {code}"
    return None, failure


def attempt(
    destinations: Destinations,
    url: str,
    secret: str,
    event: dict[str, Any],
    timeout: float,  # ok-float: seconds per request
    tls: ssl.SSLContext | None = None,
) -> Outcome:
    """One signed delivery of ``event`` to ``url``, checked first; never raises."""
    try:
        try:
            target, addresses = destinations.check(url)
        except (UrlError, RefusedDestinationError) as refused:
            return None, f"not sent: {refused}"
        except OSError as error:
            return None, f"not sent: cannot resolve the host ({_reason(error)})"
        body = encode(event)
        msg_id = f"evt_{event['position']}"
        stamp = int(time.time())
        headers = {
            "content-type": "application/json",
            "user-agent": "StockLedger-Webhooks/1",
            "webhook-id": msg_id,
            "webhook-timestamp": str(stamp),
            "webhook-signature": sign(secret, msg_id, stamp, body),
        }
        return post(target, addresses, headers, body, timeout, tls)
    except Exception as error:  # anything else is an attempt that failed, with its reason
        return None, _reason(error)
