"""The account map editor (admin, SPEC §15): the map in force with who set it and when, and
a form of its rules (one row per rule; blank rows ignored) that records a new version
through the same register as PUT /api/accounts/map."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from api.problems import ProjectionLaggingError
from application.accounts import account_map, set_map
from console.session import Admin, Form
from console.web import ConsoleRoute, NavEntry, ledger_of, read_models, render
from domain.access import Role
from domain.journal import ROLES
from present.gl_journal import locations_in_use

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)
NAV = NavEntry("Accounts", "/accounts", Role.ADMIN)
BLANK_ROWS = 4


@router.get("/accounts")
def accounts_page(request: Request, who: Admin) -> HTMLResponse:
    register = account_map(ledger_of(request))
    current = register.versions[-1] if register.versions else None
    rules: list[dict[str, Any]] = [r.as_dict() for r in current.rules] if current else []
    if not rules:
        rules = [
            {"role": role, "account": "", "location": None, "category": None} for role in ROLES
        ]
    rules += [{"role": "", "account": "", "location": None, "category": None}] * BLANK_ROWS
    return render(
        request,
        who,
        "accounts.html",
        current=current,
        rules=rules,
        roles=ROLES,
        versions=list(reversed(register.versions)),
    )


def _row(role: str) -> dict[str, Any]:
    return {"role": role, "account": "", "location": None, "category": None}


@router.post("/accounts")
def save_map(request: Request, who: Admin, form: Form) -> RedirectResponse:
    """Records the rows as the new map; refusals (an unknown role, an empty code, a role
    left unresolved at a location) come back with the API's status and title."""
    rows = []
    n = 0
    while f"role_{n}" in form:
        role, account = form.get(f"role_{n}", "").strip(), form.get(f"account_{n}", "").strip()
        if role or account:
            rows.append(
                {
                    "role": role,
                    "account": account,
                    "location": form.get(f"location_{n}", "").strip() or None,
                    "category": form.get(f"category_{n}", "").strip() or None,
                }
            )
        n += 1
    ledger = ledger_of(request)
    locations = locations_in_use(read_models(request), ledger)
    if locations is None:
        raise ProjectionLaggingError("the read models are behind the ledger; retry shortly")
    set_map(ledger, rows, locations, who.user)
    return RedirectResponse("/accounts", status_code=303)
