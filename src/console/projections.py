"""Projections: each read model's version, generation, position, lag and state, refreshed
live while the page is open; admins start a blue/green rebuild and watch its progress."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from application.errors import NotFoundError
from console.session import Admin, Form, Viewer
from console.web import ConsoleRoute, NavEntry, Visitor, ledger_of, read_models, render
from domain.access import Role
from projections.registry import entry

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)
NAV = NavEntry("Projections", "/projections", Role.VIEWER)


def statuses(request: Request) -> list[dict[str, Any]]:
    """The API's status of each projection, with its live generation (a finished rebuild
    moves it on)."""
    models = read_models(request)
    found = models.status()
    with models.db.session() as session:
        for status in found:
            current = entry(session, status["name"])
            status["generation"] = current.generation if current else None
    return found


def _page(request: Request, who: Visitor, template: str) -> HTMLResponse:
    return render(request, who, template, statuses=statuses(request))


@router.get("/projections")
def projections_page(request: Request, who: Viewer) -> HTMLResponse:
    return _page(request, who, "projections.html")


@router.get("/projections/live")
def projections_live(request: Request, who: Viewer) -> HTMLResponse:
    """The status table alone, polled by the page (static/console.js)."""
    return _page(request, who, "projections_table.html")


@router.post("/projections/{name}/rebuild")
def rebuild(
    request: Request, who: Admin, form: Form, name: str = Path(max_length=64)
) -> RedirectResponse:
    """As ``POST /api/projections/{name}/rebuild``: recorded in the ledger; the runner that
    owns the projection starts it."""
    models = read_models(request)
    if name not in models.projections:
        raise NotFoundError(f"no projection named {name}")
    ledger_of(request).request_rebuild(name, user=who.user)
    models.notify()
    return RedirectResponse("/projections", status_code=303)
