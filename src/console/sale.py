"""A sale in depth (SPEC §17): look one up; its lines (each at its outlet), revenue, every
movement it caused — at posting, the settlements of what it owed, its voids — what it still
owes, and its voids; a clerk voids lines from here (the void's id is proposed on the page,
so a form posted twice records once)."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from api.schemas.common import CODE_PATTERN
from application.commands import VoidSale
from application.sale_view import sale_state
from console.movement_words import words_of
from console.session import Clerk, Form, Viewer
from console.web import ConsoleRoute, NavEntry, ledger_of, render
from domain.access import Role, allows
from domain.errors import ValidationError

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)
NAV = NavEntry("Sales", "/sales", Role.VIEWER)
SaleId = Path(pattern=CODE_PATTERN)


def proposed_void_id() -> str:
    return f"V-{datetime.now(UTC):%Y%m%d%H%M}-{secrets.token_hex(3)}"


@router.get("/sales", response_model=None)
def find_sale(
    request: Request, who: Viewer, sale_id: str | None = Query(None, max_length=64)
) -> HTMLResponse | RedirectResponse:
    if sale_id:
        return RedirectResponse(f"/sales/{sale_id.strip()}", status_code=303)
    return render(request, who, "sale_find.html")


@router.get("/sales/{sale_id}")
def sale_page(request: Request, who: Viewer, sale_id: str = SaleId) -> HTMLResponse:
    sale = sale_state(ledger_of(request), sale_id)
    clerk = allows(who.role, Role.CLERK)
    return render(
        request,
        who,
        "sale.html",
        sale=sale,
        clerk=clerk,
        void_id=proposed_void_id(),
        words=words_of(request, sale.movements),
    )


@router.post("/sales/{sale_id}/void")
def void_sale(request: Request, who: Clerk, form: Form, sale_id: str = SaleId) -> RedirectResponse:
    """Voids the lines ticked (none ticked: every line not yet voided)."""
    lines = sorted(
        int(name[5:]) for name in form if name.startswith("line-") and name[5:].isdigit()
    )
    void_id = form.get("void_id", "").strip() or proposed_void_id()
    note = form.get("note", "").strip()
    if not note:
        raise ValidationError("a void needs a note (why it was sent back)", [{"field": "note"}])
    command = VoidSale(void_id, sale_id, note, lines or None)
    ledger_of(request).execute(command, user=who.user)
    return RedirectResponse(f"/sales/{sale_id}", status_code=303)
