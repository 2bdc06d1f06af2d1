"""The home page: what needs attention now, each with a link to where it is dealt with —
positions at or below their reorder point, consumption sales owe (SPEC §17), read models
lagging or failing, failing webhooks (admin), and ended periods not yet closed (finance)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from console.projections import statuses
from console.session import Viewer
from console.web import ConsoleRoute, NavEntry, Visitor, feed_of, ledger_of, read_models, render
from domain.access import Role

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)
NAV = NavEntry("Home", "/dashboard", Role.VIEWER)
SHOWN = 10  # rows of each list; the page it links to has them all
LAGGING = 100  # events behind the ledger's head that make a read model worth a look


def _previous_month(now: datetime) -> str:
    year, month = (now.year, now.month - 1) if now.month > 1 else (now.year - 1, 12)
    return f"{year:04d}-{month:02d}"


def ready_to_close(request: Request) -> list[str]:
    """Ended periods with COGS activity after the last close, oldest first (periods close
    in calendar order)."""
    models = read_models(request)
    closes = ledger_of(request).books().closes
    last = max(closes) if closes else ""
    zone = models.cogs.projection.zone
    ended = _previous_month(datetime.now(zone))
    rows = models.cogs.cogs(None, ended, None, None, ["period"]).rows
    return sorted({str(r.period) for r in rows if r.period and r.period > last})


def attention(request: Request, who: Visitor) -> dict[str, Any]:
    models = read_models(request)
    low, _ = models.catalogue.low_stock(None)
    owed, _ = models.stock.owed(None)
    found = {
        "low": low,
        "owed": owed,
        "projections": [
            s for s in statuses(request) if s["state"] != "live" or int(s["lag"] or 0) >= LAGGING
        ],
        "webhooks": [],
        "periods": [],
    }
    if who.may(Role.ADMIN):
        hooks = feed_of(request).webhooks.all()
        found["webhooks"] = [h.public() for h in hooks if h.public()["status"] == "failing"]
    if who.may(Role.FINANCE):
        found["periods"] = ready_to_close(request)
    return found


@router.get("/dashboard")
def dashboard(request: Request, who: Viewer) -> HTMLResponse:
    items = {i.sku: i for i in read_models(request).catalogue.search(None, None, 1000, None).items}
    return render(
        request, who, "dashboard.html", shown=SHOWN, items=items, **attention(request, who)
    )
