"""Productions (SPEC §16): a clerk posts one — a location, a prep recipe, a number of
batches and the actual output when it differs — and sees the movements it recorded; below,
the latest productions' movements from the journal. The production's id is proposed on the
page, so a form posted twice records once."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from application import plate_cost
from application.commands import PostProduction
from application.records import CommandResult
from console.forms import number
from console.session import Clerk, Form, Viewer
from console.web import ConsoleRoute, NavEntry, journal_of, ledger_of, read_models, render
from domain.access import Role, allows
from domain.movements import DocType
from domain.text import check_text

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)
NAV = NavEntry("Productions", "/productions", Role.VIEWER)
RECENT = 60  # movements of the latest productions shown


def proposed_id() -> str:
    return f"P-{datetime.now(UTC):%Y%m%d%H%M}-{secrets.token_hex(3)}"


def _page(
    request: Request,
    who: Viewer,
    chosen: dict[str, str],
    result: CommandResult | None = None,
    status: int = 200,
) -> HTMLResponse:
    listed, _ = plate_cost.recipes(ledger_of(request))
    preps = [x.recipe for x in listed if x.recipe.spec.produces is not None]
    locations, _ = read_models(request).catalogue.all_locations()
    recent = journal_of(request).journal(DocType.PRODUCTION.value, None, None, None, RECENT, None)
    return render(
        request,
        who,
        "productions.html",
        status,
        preps=preps,
        locations=locations,
        chosen=chosen,
        result=result,
        recent=recent.items,
        clerk=allows(who.role, Role.CLERK),
        production_id=proposed_id(),
    )


@router.get("/productions")
def productions_page(
    request: Request, who: Viewer, recipe: str | None = Query(None, max_length=64)
) -> HTMLResponse:
    return _page(request, who, {"recipe": recipe or ""})


@router.post("/productions")
def post_production(request: Request, who: Clerk, form: Form) -> HTMLResponse:
    """Posts the production on the ledger's path and answers the movements it recorded."""
    note = form.get("note", "").strip() or None
    if note is not None:
        check_text(note, "note")
    command = PostProduction(
        form.get("production_id", "").strip() or proposed_id(),
        form.get("location", "").strip(),
        form.get("recipe", "").strip(),
        number(form, "batches"),
        None,
        number(form, "actual_quantity"),
        note,
    )
    result = ledger_of(request).execute(command, user=who.user)
    chosen = {"recipe": command.recipe, "location": command.location}
    return _page(request, who, chosen, result, 201 if result.created else 200)
