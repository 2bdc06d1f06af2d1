"""Late costs (SPEC §10): the cost documents posted forward against receipts, newest
first, each with its allocation — the share of every receipt line, what went to stock (a
REVALUE) and what to the period's COGS (a cost variance) — as the ledger recorded it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from console.params import Cursor
from console.session import Finance
from console.web import ConsoleRoute, NavEntry, journal_of, ledger_of, render
from domain.access import Role
from domain.documents import Document
from domain.movements import DocType

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)
NAV = NavEntry("Late costs", "/late-costs", Role.FINANCE)
PAGE_SIZE = 100  # movements read per page; the cost documents they belong to are shown


@dataclass(frozen=True)
class CostDocument:
    cost_id: str
    recorded_at: datetime
    user: str
    note: str | None
    allocation: list[dict[str, Any]]


@router.get("/late-costs")
def late_costs_page(request: Request, who: Finance, cursor: Cursor = None) -> HTMLResponse:
    page = journal_of(request).journal(DocType.COST.value, None, None, None, PAGE_SIZE, cursor)
    ledger = ledger_of(request)
    documents: dict[str, CostDocument] = {}
    for movement in page.items:
        cost_id = movement.document_id
        if cost_id in documents:
            continue
        stored = ledger.get(Document, Document.create_id(DocType.COST.value, cost_id))
        documents[cost_id] = CostDocument(
            cost_id,
            movement.recorded_at,
            movement.user,
            movement.note,
            list(stored.lines) if stored is not None else [],
        )
    return render(request, who, "late_costs.html", documents=list(documents.values()), page=page)
