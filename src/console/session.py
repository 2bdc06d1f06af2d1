"""Console sessions: sign in with an API key, a signed cookie naming that key, CSRF tokens.

The cookie is ``[<tenant>.]<key id>.<expiry>.<signature>~<nonce>``: a reference to the
key, never its secret. As in the API, the key's tenant prefix (``acme.sl_…``) picks the store (the
composition ``Tenancy`` holds), and no prefix is the home store's. The signature is an HMAC,
under the console secret, of the tenant, the id, the expiry, the nonce and the key's stored
secret hash, so it fits only that key of that tenant: a cookie whose tenant is changed is no
session. Every request re-checks the key against its store's key ring (``Ledger.live_key``,
the same cached ring as the API's authentication), so a revoked key signs its sessions out
at once, in every process; the request then reads that store alone
(``request.state.composition``, read by ``console.web``).

Signing out ends the session on the server too: the key ring records it
(``KeyRing.SessionEnded``, named by a digest of the cookie, kept until the cookie would have
expired), and the same re-check refuses it from the next request on, in every process and
replica; a copied cookie stops working with the sign-out. Other sessions of the key go on.

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
from typing import TYPE_CHECKING, Annotated, TypeVar
from urllib.parse import parse_qsl

from anyio import to_thread
from fastapi import Depends, Request, Response

from application import registers
from application.keys import TENANT_NAME, TOKEN
from console.web import Refused, SignInRequired, Visitor
from domain.access import KeyRing, Role

if TYPE_CHECKING:
    from tenancy.compositions import Composition, Tenancy

COOKIE = "stockledger_session"
SIGN_IN_COOKIE = "stockledger_sign_in"
LIFETIME = 12 * 3600  # seconds a session lasts without signing in again
FORM_LIMIT = 64 * 1024  # bytes of a console form


class Sessions:
    """Opens and checks sessions of the stores ``tenancy`` serves, under one secret."""

    def __init__(
        self, tenancy: Tenancy, secret: bytes, clock: Callable[[], float] = time.time
    ) -> None:
        self.tenancy = tenancy
        self.secret = secret
        self.clock = clock

    def _sign(self, message: str) -> str:
        digest = hmac.new(self.secret, message.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")

    def open(self, token: str) -> str | None:
        """The cookie of a new session for a valid, unrevoked ``token``, else None."""
        match = TOKEN.fullmatch(token.strip())
        if match is None:
            return None
        tenant = match["tenant"]
        composition = self.tenancy.get(tenant)
        if composition is None or composition.ledger.authenticate(match[0]) is None:
            return None
        key_id = match["key"].split("_")[1]
        key = composition.ledger.live_key(key_id)
        if key is None:
            return None
        body = f"{tenant + '.' if tenant else ''}{key_id}.{int(self.clock()) + LIFETIME}"
        # A nonce makes every session its own (two sign-ins in one second, one of them
        # signed out): it rides after the signature, which covers it.
        nonce = secrets.token_urlsafe(12)
        return f"{body}.{self._sign(f'{body}.{nonce}.{key.secret_hash}')}~{nonce}"

    def check(self, cookie: str | None) -> tuple[Visitor, Composition] | None:
        """Who the cookie signs in, and into which store, when it is genuine, unexpired and
        its key still live in that store."""
        parts = (cookie or "").split(".")
        if len(parts) not in (3, 4):
            return None
        tenant = parts.pop(0) if len(parts) == 4 else None
        key_id, expires, signature = parts
        if not expires.isdigit() or int(expires) < self.clock():
            return None
        if tenant is not None and TENANT_NAME.fullmatch(tenant) is None:
            return None
        composition = self.tenancy.get(tenant)
        if composition is None:
            return None
        key = composition.ledger.live_key(key_id)
        if key is None:
            return None
        body = cookie.rpartition(".")[0] if cookie else ""
        signature, _, nonce = signature.partition("~")
        signed = f"{body}.{nonce}.{key.secret_hash}" if nonce else f"{body}.{key.secret_hash}"
        if not hmac.compare_digest(self._sign(signed), signature):
            return None
        if cookie and session_name(cookie) in key.ended:
            return None  # signed out
        visitor = Visitor(key.user, key.role, key_id, self._sign(f"csrf.{cookie}"), tenant)
        return visitor, composition

    def end(self, cookie: str, user: str) -> None:
        """Ends the session of ``cookie`` (a genuine one) in every process: recorded on its
        store's key ring, which every request's ``check`` reads through ``live_key``."""
        signed = self.check(cookie)
        if signed is None:
            return
        key_id, expires = cookie.split(".")[-3:-1]
        name = session_name(cookie)

        def end(ring: KeyRing) -> None:
            ring.end_session(key_id, name, int(expires), user)

        registers.change(signed[1].ledger, KeyRing, end)


def session_name(cookie: str) -> str:
    """A session's name on the key ring: a digest of its cookie (never the cookie)."""
    return hashlib.sha256(cookie.encode()).hexdigest()[:32]


def tenant_in(cookie: str | None) -> str | None:
    """The tenant a session cookie names (None: the home store's, or no session)."""
    parts = (cookie or "").split(".")
    return parts[0] if len(parts) == 4 else None


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
    """The visitor of the request's session, or None (also kept for error pages); its
    store becomes the request's (may open a tenant's store: call it off the event loop)."""
    signed = sessions_of(request).check(request.cookies.get(COOKIE))
    visitor = signed[0] if signed else None
    request.state.visitor = visitor
    if signed is not None:
        request.state.composition = signed[1]
        request.state.user = signed[0].user  # for the request log, as the API does
    return visitor


T = TypeVar("T")


async def off_loop(request: Request, tenant: str | None, work: Callable[[], T]) -> T:
    """``work`` on the event loop when ``tenant``'s store is open (look-ups in memory), else
    in a worker thread (a registry read, perhaps opening the tenant's store), as the API's
    ``api.dependencies`` does."""
    if sessions_of(request).tenancy.is_open(tenant):
        return work()
    return await to_thread.run_sync(work)


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
    tenant = tenant_in(request.cookies.get(COOKIE))
    visitor = await off_loop(request, tenant, lambda: current(request))
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
