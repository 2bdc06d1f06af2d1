"""How the console writes figures for a person: column headings in words (with the
currency or %), times at minute precision with the full value in a tooltip, and the
catalogue's names and units beside codes. Templates reach these through ``console.web``'s
environment (``heading``, ``when``, ``item_of``)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from markupsafe import Markup, escape

if TYPE_CHECKING:
    from fastapi import Request

# Words of a field name, where its parts alone would not say it.
WORDS = {
    "sku": "SKU",
    "cogs": "COGS",
    "qty": "quantity",
    "pct": "%",
    "avt": "AvT",
    "id": "id",
}
NAMED = {
    "net_cogs": "Net COGS",
    "food_cost_pct": "Food cost %",
    "variance_pct": "Variance %",
    "sold_qty": "Sold",
    "on_hand": "On hand",
    "menu_item": "Menu item",
}
CATALOGUE_PAGES = 20  # pages of 1000 items read for names and units, at most


def heading(name: str, currency: str = "") -> str:
    """``opening_value`` → ``Opening value (EUR)``; ``consumed_qty`` → ``Consumed
    quantity``; ``food_cost_pct`` → ``Food cost %``."""
    if name in NAMED:
        text = NAMED[name]
    else:
        words = [WORDS.get(part, part) for part in name.split("_")]
        text = " ".join(words)
        text = text[0].upper() + text[1:] if text else text
    money = name.endswith(("_value", "_cogs", "revenue", "cost")) or name in ("value", "share")
    return f"{text} ({currency})" if money and currency else text


def when(moment: datetime | None, zone: Any = None) -> Markup:
    """A time as a person reads it: to the minute in the ledger's zone, the full value
    (to the microsecond, with its offset) in a tooltip and the machine-readable attribute."""
    if moment is None:
        return Markup("")
    local = moment.astimezone(zone) if zone is not None and moment.tzinfo else moment
    full = escape(moment.isoformat())
    shown = escape(local.strftime("%Y-%m-%d %H:%M"))
    return Markup(f'<time datetime="{full}" title="{full}">{shown}</time>')


def items_of(request: Request) -> dict[str, Any]:
    """The catalogue's items by SKU, read once per request (names and base units)."""
    found: dict[str, Any] | None = getattr(request.state, "console_items", None)
    if found is not None:
        return found
    composition = getattr(request.state, "composition", None)
    found = {}
    if composition is not None:
        catalogue = composition.read_models.catalogue
        cursor = None
        for _ in range(CATALOGUE_PAGES):
            page = catalogue.search(None, None, 1000, cursor)
            found.update({item.sku: item for item in page.items})
            cursor = page.next_cursor
            if cursor is None:
                break
    request.state.console_items = found
    return found


def one_unit(request: Request, skus: list[Any]) -> str | None:
    """The base unit the rows' SKUs share, or None when they differ (or a row has no SKU,
    or an item is unknown): a quantity total only adds up in one unit."""
    items = items_of(request)
    units = {items[s].base_unit if s in items else None for s in skus}
    if len(units) != 1 or None in units or not skus:
        return None
    return str(units.pop())
