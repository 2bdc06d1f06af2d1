"""Where a webhook may deliver: strict URLs, and no destination inside (SSRF).

A webhook URL is ``http`` or ``https`` with a host, in printable ASCII (no space, CR, LF or
other control character: percent-encode them), without credentials (``user:pass@``). Its
host may be spelled any way the system resolver understands (``2130706433``,
``0x7f000001``, ``[::ffff:127.0.0.1]``, a name): what is checked is every address it
resolves to. An address that is not public — loopback, private, link-local, unspecified,
shared (CGNAT), multicast, reserved, documentation, and an IPv6 address embedding one of
these (IPv4-mapped, 6to4, NAT64) — is refused unless ``STOCKLEDGER_WEBHOOK_ALLOWED_NETWORKS``
holds it. A name is refused when ANY of its addresses is.

``Destinations.admit`` checks a URL when a webhook is registered (a name that does not
resolve now is accepted: it is checked again at each delivery); ``Destinations.check`` runs
before every delivery and answers the addresses the sender then connects to, so a second
resolution (DNS rebinding) cannot swap them.

UrlError                   the URL itself is not acceptable (a ValueError: schemas raise it)
RefusedDestinationError    the URL's destination is not public and not allowed
"""

from __future__ import annotations

import contextlib
import ipaddress
import re
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
# host, port → the addresses it resolves to, as text (raises OSError when it does not)
Resolver = Callable[[str, int], list[str]]

# RFC 3986 never allows these unencoded; browsers and servers disagree on what they mean.
_UNSAFE = set(' "<>\\^`{|}')
_LABEL = re.compile(r"^(?!-)[a-z0-9_-]{1,63}(?<!-)$")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_SHARED = ipaddress.ip_network("100.64.0.0/10")
SETTING = "STOCKLEDGER_WEBHOOK_ALLOWED_NETWORKS"


class UrlError(ValueError):
    """The webhook URL is malformed, not http(s), or carries credentials."""


class RefusedDestinationError(Exception):
    """The URL's host is, or resolves to, an address webhooks may not reach."""


@dataclass(frozen=True)
class Target:
    """A parsed webhook URL: what to connect to and what to send."""

    scheme: str
    host: str  # as the resolver and TLS (SNI, certificate) take it: no brackets
    port: int
    path: str  # the request target: path and query
    host_header: str  # the ``Host`` header: bracketed IPv6, the port when not the default


def parse(url: str) -> Target:
    """The ``Target`` of ``url``, or ``UrlError`` saying what is wrong with it."""
    if any(not 0x21 <= ord(c) <= 0x7E or c in _UNSAFE for c in url):
        msg = (
            "url must be printable ASCII without spaces, control characters or any of "
            '" < > \\ ^ ` { | } (percent-encode them)'
        )
        raise UrlError(msg)
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise UrlError(f"url is not a valid URL: {error}") from None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise UrlError("url must be an absolute http:// or https:// URL")
    if "@" in parts.netloc:
        msg = "url must not carry credentials (user:password@): authenticate with the signature"
        raise UrlError(msg)
    host = parts.hostname or ""
    if parts.netloc.startswith("["):
        try:
            ipaddress.IPv6Address(host)
            if "%" in host:
                raise ValueError(host)  # a zone: meaningful on this machine only
        except ValueError:
            raise UrlError(f"url has an invalid IPv6 address [{host}]") from None
    elif not _is_name(host):
        raise UrlError(f"url has an invalid host name {host!r}")
    default = 443 if parts.scheme == "https" else 80
    if port == 0:
        raise UrlError("url has port 0")
    port = port or default
    shown = f"[{host}]" if ":" in host else host
    return Target(
        scheme=parts.scheme,
        host=host,
        port=port,
        path=(parts.path or "/") + (f"?{parts.query}" if parts.query else ""),
        host_header=shown if port == default else f"{shown}:{port}",
    )


def _is_name(host: str) -> bool:
    name = host.removesuffix(".")
    return 0 < len(name) <= 253 and all(_LABEL.match(label) for label in name.split("."))


def system_resolver(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to (numeric spellings as the C library reads them)."""
    found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    return list(dict.fromkeys(str(info[4][0]) for info in found))


def _embedded(address: IPAddress) -> IPAddress:
    """The IPv4 address an IPv6 one stands for (mapped, 6to4, NAT64), else itself."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return address.ipv4_mapped
        if address.sixtofour is not None:
            return address.sixtofour
        if address in _NAT64:
            return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return address


def _kind(address: IPAddress) -> str | None:
    """Why ``address`` is not public (None when it is)."""
    checks = (
        ("unspecified", address.is_unspecified),
        ("loopback", address.is_loopback),
        ("link-local", address.is_link_local),
        ("multicast", address.is_multicast),
        ("shared (carrier-grade NAT)", address in _SHARED),
        ("private", address.is_private),
        ("reserved", address.is_reserved),
        ("not globally routable", not address.is_global),
    )
    return next((kind for kind, hit in checks if hit), None)


class Destinations:
    """The rule for one process: public addresses, and the allowed networks."""

    def __init__(
        self, allowed: Sequence[IPNetwork] = (), resolve: Resolver = system_resolver
    ) -> None:
        self.allowed = tuple(allowed)
        self.resolve = resolve

    def refusal(self, address: IPAddress) -> str | None:
        """Why ``address`` may not be reached (None when it may). An IPv6 address standing
        for an IPv4 one is judged as that IPv4 address."""
        inner = _embedded(address)
        if any(
            a in net for net in self.allowed for a in (address, inner) if a.version == net.version
        ):
            return None
        kind = _kind(inner)
        if kind is None:
            return None
        return f"{'an' if kind[0] in 'aeiou' else 'a'} {kind} address"

    def check(self, url: str) -> tuple[Target, list[str]]:
        """The target of ``url`` and the addresses to connect to, every one of them allowed;
        ``UrlError``, ``RefusedDestinationError``, or ``OSError`` when it does not resolve."""
        target = parse(url)
        literal = _literal(target.host)
        if literal is not None:
            addresses = [str(literal)]
        else:
            addresses = self.resolve(target.host, target.port)
        if not addresses:
            raise OSError(f"{target.host} resolves to no address")
        for text in addresses:
            why = self.refusal(ipaddress.ip_address(text))
            if why is not None:
                # A name's addresses are not shown: they would map an internal network.
                where = f"{text} is" if literal is not None else f"{target.host} resolves to"
                msg = f"destination refused: {where} {why} (not in {SETTING})"
                raise RefusedDestinationError(msg)
        return target, addresses

    def admit(self, url: str) -> None:
        """The check at registration: as ``check``, but a name that does not resolve now is
        accepted (DNS may be down; every delivery checks it again)."""
        with contextlib.suppress(OSError):
            self.check(url)


def _literal(host: str) -> IPAddress | None:
    """``host`` as an address when it is one in the canonical spelling."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None
