"""API keys (admin): every key with its user, role and state; create one (its secret is
shown once, on the answer to the form); revoke one."""

from __future__ import annotations

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from console.session import Admin, Form
from console.web import ConsoleRoute, NavEntry, Visitor, ledger_of, render
from domain.access import Role

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)
NAV = NavEntry("Keys", "/keys", Role.ADMIN)


def _page(request: Request, who: Visitor, created: tuple[str, str] | None = None) -> HTMLResponse:
    ring = ledger_of(request).keyring()
    keys = sorted(ring.keys.values(), key=lambda k: k.created_at, reverse=True)
    return render(
        request, who, "keys.html", keys=keys, roles=[r.value for r in Role], created=created
    )


@router.get("/keys")
def keys_page(request: Request, who: Admin) -> HTMLResponse:
    return _page(request, who)


@router.post("/keys")
def create_key(request: Request, who: Admin, form: Form) -> HTMLResponse:
    """Issues a key (the ledger checks the user and role); the answer shows its secret once
    and is never cached."""
    key_id, token = ledger_of(request).issue_key(
        form.get("user", "").strip(), form.get("role", ""), issued_by=who.user
    )
    return _page(request, who, (key_id, token))


@router.post("/keys/{key_id}/revoke")
def revoke_key(
    request: Request, who: Admin, form: Form, key_id: str = Path(pattern=r"^[0-9a-f]{12}$")
) -> RedirectResponse:
    ledger_of(request).revoke_key(key_id, revoked_by=who.user)
    return RedirectResponse("/keys", status_code=303)
