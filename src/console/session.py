"""Console sessions: sign in with an API key, a signed cookie naming that key, CSRF tokens.

The cookie is ``<key id>.<expiry>.<signature>``: a reference to the key, never its secret.
The signature is an HMAC, under the console secret, of the id, the expiry and the key's
stored secret hash, so it fits only that key. Every request re-checks the key against the
key ring (``Ledger.live_key``, the same cached ring as the API's authentication), so a
revoked key signs its sessions out at once, in every process.

CSRF: each session's token is an HMAC of its cookie; every POST must carry it. The sign-in
form, before any session, carries a random token that must equal a pre-session cookie.
Both cookies are HttpOnly and SameSite=Strict.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from collections.abc import Callable
from typing import Annotated
from urllib.parse import parse_qsl

from fastapi import Depends, Request, Response

from application.keys import well_formed
from application.ledger import Ledger
from console.web import Refused, SignInRequired, Visitor
from domain.access import Role

COOKIE = "stockledger_session"
SIGN_IN_COOKIE = "stockledger_sign_in"
LIFETIME = 12 * 3600  # seconds a session lasts without signing in again
FORM_LIMIT = 64 * 1024  # bytes of a console form


class Sessions:
    """Opens and checks sessions of one ledger under one secret."""

    def __init__(
        self, ledger: Ledger, secret: bytes, clock: Callable[[], float] = time.time
    ) -> None:
        self.ledger = ledger
        self.secret = secret
        self.clock = clock

    def _sign(self, message: str) -> str:
        digest = hmac.new(self.secret, message.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")

    def open(self, token: str) -> str | None:
        """The cookie of a new session for a valid, unrevoked ``token``, else None."""
        token = token.strip()
        if not well_formed(token) or self.ledger.authenticate(token) is None:
            return None
        key_id = token.split("_")[1]
        key = self.ledger.live_key(key_id)
        if key is None:
            return None
        expires = int(self.clock()) + LIFETIME
        return f"{key_id}.{expires}.{self._sign(f'{key_id}.{expires}.{key.secret_hash}')}"

    def check(self, cookie: str | None) -> Visitor | None:
        """Who the cookie signs in, when it is genuine, unexpired and its key still live."""
        if not cookie or cookie.count(".") != 2:
            return None
        key_id, expires, signature = cookie.split(".")
        if not expires.isdigit() or int(expires) < self.clock():
            return None
        key = self.ledger.live_key(key_id)
        if key is None:
            return None
        expected = self._sign(f"{key_id}.{expires}.{key.secret_hash}")
        if not hmac.compare_digest(expected, signature):
            return None
        return Visitor(key.user, key.role, key_id, self._sign(f"csrf.{cookie}"))


def sessions_of(request: Request) -> Sessions:
    found: Sessions = request.app.state.console_sessions
    return found


def set_cookie(response: Response, request: Request, name: str, value: str, age: int) -> None:
    response.set_cookie(
        name,
        value,
        max_age=age,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/",
    )


def current(request: Request) -> Visitor | None:
    """The visitor of the request's session, or None (also kept for error pages)."""
    visitor = sessions_of(request).check(request.cookies.get(COOKIE))
    request.state.visitor = visitor
    if visitor is not None:
        request.state.user = visitor.user  # for the request log, as the API does
    return visitor


def signed_in(request: Request) -> Visitor:
    visitor = current(request)
    if visitor is None:
        raise SignInRequired
    return visitor


def require(needed: Role) -> Callable[[Visitor], Visitor]:
    """A dependency admitting signed-in visitors whose role allows ``needed`` (as the API)."""

    def check(visitor: Visitor = Depends(signed_in)) -> Visitor:
        if not visitor.may(needed):
            raise Refused(f"role {visitor.role} may not do this; it needs {needed}")
        return visitor

    return check


async def read_form(request: Request) -> dict[str, str]:
    """The urlencoded form of a POST (last value of each field)."""
    body = await request.body()
    if len(body) > FORM_LIMIT:
        raise Refused("form too large")
    return dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))


async def checked_form(request: Request) -> dict[str, str]:
    """The form of a signed-in POST, refused unless it carries the session's CSRF token."""
    form = await read_form(request)
    visitor = sessions_of(request).check(request.cookies.get(COOKIE))
    if visitor is None:
        raise SignInRequired
    if not hmac.compare_digest(form.get("csrf", ""), visitor.csrf):
        raise Refused("the form's CSRF token is missing or wrong; reload the page")
    return form


def new_sign_in_token() -> str:
    return secrets.token_urlsafe(24)


Viewer = Annotated[Visitor, Depends(require(Role.VIEWER))]
Clerk = Annotated[Visitor, Depends(require(Role.CLERK))]
Finance = Annotated[Visitor, Depends(require(Role.FINANCE))]
Admin = Annotated[Visitor, Depends(require(Role.ADMIN))]
Form = Annotated[dict[str, str], Depends(checked_form)]
