"""API keys as bearer tokens, and the role each operation needs (API.md).

viewer reads; clerk = viewer + post documents and quotes; finance = viewer + reports and
period close; admin does everything. A missing or unknown key is 401, a role too low 403.
A handler asks for its caller at a role in one word (``who: Clerk``); a router whose every
route needs one role may declare it once: ``APIRouter(dependencies=[Depends(finance)])``.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from fastapi.security.utils import get_authorization_scheme_param

from api.dependencies import get_ledger
from api.problems import ForbiddenError, UnauthorizedError
from application.keys import Accepted
from application.ledger import Ledger
from domain.access import Role, allows

bearer = HTTPBearer(auto_error=False, description="An API key: `Authorization: Bearer <key>`")


@dataclass(frozen=True)
class Principal:
    """Who is calling: the key's user (recorded on every event) and role."""

    user: str
    role: Role


def authenticate(
    request: Request,
    credentials: HTTPAuthorizationCredentials | None = Depends(bearer),
    ledger: Ledger = Depends(get_ledger),
) -> Principal:
    """The caller of a valid key; refuses a missing, malformed, unknown or revoked one."""
    return identify(request, credentials.credentials if credentials else None, ledger)


def token_of(request: Request) -> str | None:
    """The bearer token of the request, read as ``bearer`` reads it (None: no token)."""
    authorization = request.headers.get("Authorization")
    scheme, token = get_authorization_scheme_param(authorization)
    if not (authorization and scheme and token) or scheme.lower() != "bearer":
        return None
    return token


def identify(request: Request, token: str | None, ledger: Ledger) -> Principal:
    """The caller of ``token`` (one probe of the key ring: call it off the event loop)."""
    if token is None:
        raise UnauthorizedError("an API key is required: Authorization: Bearer <key>")
    found = ledger.authenticate(token)
    if found is None:
        raise UnauthorizedError("unknown or revoked API key")
    user, role = found
    request.state.user = user
    return Principal(user, role)


def accept(
    request: Request, token: str | None, ledger: Ledger
) -> tuple[Principal, Accepted | None]:
    """The caller of ``token`` as the cached key ring has it, without asking the store,
    and the ``Accepted`` that the request must then check (application.keys); when the
    copy does not accept the token, as ``identify`` finds it (and None)."""
    found = ledger.api_keys.accept(token) if token is not None else None
    if found is None:
        return identify(request, token, ledger), None
    request.state.user = found.user
    return Principal(found.user, found.role), found


def admit(principal: Principal, needed: Role) -> Principal:
    """``principal`` when its role allows ``needed``, else 403."""
    if not allows(principal.role, needed):
        raise ForbiddenError(f"role {principal.role} may not do this; it needs {needed}")
    return principal


def require(needed: Role) -> Callable[..., Coroutine[Any, Any, Principal]]:
    """A dependency admitting callers whose role allows ``needed``."""

    async def check(principal: Principal = Depends(authenticate)) -> Principal:
        return admit(principal, needed)

    check.__name__ = f"require_{needed}"
    return check


viewer = require(Role.VIEWER)
clerk = require(Role.CLERK)
finance = require(Role.FINANCE)
admin = require(Role.ADMIN)

Viewer = Annotated[Principal, Depends(viewer)]
Clerk = Annotated[Principal, Depends(clerk)]
Finance = Annotated[Principal, Depends(finance)]
Admin = Annotated[Principal, Depends(admin)]
# The caller at each role, as a parameter's annotation (api.command_route declares its
# FastAPI endpoint with it).
AT_ROLE: dict[Role, Any] = {
    Role.VIEWER: Viewer,
    Role.CLERK: Clerk,
    Role.FINANCE: Finance,
    Role.ADMIN: Admin,
}
