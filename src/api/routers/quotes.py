"""Quotes: draft, close (reserve every line or none), cancel (release), read."""

from __future__ import annotations

from typing import Any

from api.command_route import Commands
from api.dependencies import FreshReadModels, LedgerDep
from api.params import code
from api.route_table import Routes
from api.schemas import QuoteCreate, QuotePublic, QuoteResultPublic, quote_body
from application.commands import CancelQuote, CloseQuote, CreateQuote
from domain.access import Role

router = Routes("/api/quotes", "quotes")

QuoteId = code("Q-1")
REPEAT = "Same quote again, or already in that state: nothing recorded"
CREATE = "Create a draft quote (no stock effect)"
CLOSE = "Close a draft quote: one RESERVE per line, all or nothing"
CANCEL = "Cancel a quote, releasing its undelivered reservations"
QUOTE = "/quotes/{quote_id}"

commands = Commands("quotes", Role.CLERK, REPEAT, QuoteResultPublic)
commands.add("/quotes", QuoteCreate, CreateQuote, CREATE, 409)
commands.add(QUOTE + "/close", None, CloseQuote, CLOSE, 404, 409, quote_id=QuoteId)
commands.add(QUOTE + "/cancel", None, CancelQuote, CANCEL, 404, 409, quote_id=QuoteId)


@router.read("/{quote_id}", QuotePublic, 404, 503)
def get_quote(ledger: LedgerDep, read_models: FreshReadModels, quote_id: str = QuoteId) -> Any:
    """A quote with each line's reserved, delivered and returned quantities"""
    return quote_body(ledger.get_quote(quote_id))
