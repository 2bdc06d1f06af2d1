"""The document journal: everything posted, newest first, by document type (and id), day
and user; each movement links to its position's history and names its document in words
(``console.movement_words``)."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from console.movement_words import words_of
from console.params import Cursor
from console.session import Viewer
from console.web import ConsoleRoute, NavEntry, journal_of, render
from domain.access import Role
from domain.movements import DocType

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)
NAV = NavEntry("Journal", "/journal", Role.VIEWER)
PAGE_SIZE = 100
# The types the ledger knows, plus any a newer module posts (a sale, say): the filter is a
# free field with these as suggestions.
TYPES = [t.value for t in DocType]


@router.get("/journal")
def journal_page(
    request: Request,
    who: Viewer,
    type: str = Query("", max_length=32, pattern=r"^[a-z_]*$"),
    document: str = Query("", max_length=64),
    day: date | None = Query(None),
    user: str = Query("", max_length=64),
    cursor: Cursor = None,
) -> HTMLResponse:
    page = journal_of(request).journal(
        type or None, document or None, day, user or None, PAGE_SIZE, cursor
    )
    return render(
        request,
        who,
        "journal.html",
        page=page,
        words=words_of(request, page.items),
        types=TYPES,
        type=type,
        document=document,
        day=day.isoformat() if day else "",
        user=user,
    )
