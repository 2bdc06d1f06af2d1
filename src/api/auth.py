"""API keys as bearer tokens, and the role each operation needs (API.md).

viewer reads; clerk = viewer + post documents and quotes; finance = viewer + reports and
period close; admin does everything. A missing or unknown key is 401, a role too low 403.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.dependencies import get_ledger
from api.problems import ForbiddenError, UnauthorizedError
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
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise UnauthorizedError("an API key is required: Authorization: Bearer <key>")
    found = ledger.authenticate(credentials.credentials)
    if found is None:
        raise UnauthorizedError("unknown or revoked API key")
    user, role = found
    request.state.user = user
    return Principal(user, role)


def require(needed: Role) -> Callable[..., Coroutine[Any, Any, Principal]]:
    """A dependency admitting callers whose role allows ``needed``."""

    async def check(principal: Principal = Depends(authenticate)) -> Principal:
        if not allows(principal.role, needed):
            raise ForbiddenError(f"role {principal.role} may not do this; it needs {needed}")
        return principal

    check.__name__ = f"require_{needed}"
    return check


viewer = require(Role.VIEWER)
clerk = require(Role.CLERK)
finance = require(Role.FINANCE)
admin = require(Role.ADMIN)
