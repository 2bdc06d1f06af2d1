"""A movement's document in words, as a person asks after it (issue 32): a sale's
ingredient line as "2 × Margherita" (the sale line's quantity and the dish's name), a
transfer with where it went or came from, every document by its type and id ("Receipt
R-1"), linked to where it can be read.

Read at render time from the ledger, each document and recipe once per page however many
movements name it (a page of history names a handful): no read model's shape changes.

Every page listing movements (an item's history, the journal, the COGS, food cost and AvT
drill-downs, a sale) passes its template ``words=words_of(request, moves)`` and writes each
movement's document cell with the ``ui.document(words[m.position], m)`` macro
(``templates/macros.html``), the raw reference in its tooltip.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from fastapi import Request

from application.ports import LedgerPort
from application.records import MovementRecord
from console.chart import plain
from console.web import ledger_of, read_models
from domain.documents import Document
from domain.movements import DocType, Kind
from domain.recipe import Recipe

DOCUMENT_WORDS: dict[str, str] = {
    DocType.RECEIPT: "Receipt",
    DocType.QUOTE: "Quote",
    DocType.DELIVERY: "Delivery",
    DocType.RETURN: "Return",
    DocType.TRANSFER: "Transfer",
    DocType.CONSUMPTION: "Consumption",
    DocType.WASTE: "Waste",
    DocType.ADJUSTMENT: "Adjustment",
    DocType.COUNT: "Count",
    DocType.COST: "Late cost",
    DocType.SALE: "Sale",
    DocType.VOID: "Void",
    DocType.PRODUCTION: "Production",
    DocType.PURCHASE_ORDER: "Purchase order",
    DocType.SUPPLIER_INVOICE: "Supplier invoice",
}
# Documents whose record says more than the movement does.
READ = frozenset({DocType.SALE, DocType.VOID, DocType.TRANSFER})


@dataclass(frozen=True)
class Words:
    """``what`` the line was ("2 × Margherita", "to Kitchen", or nothing more to say), the
    ``document`` ("Sale POS-1") and where to read it (``href``)."""

    what: str
    document: str
    href: str


def document_label(document_type: str, document_id: str) -> str:
    return f"{DOCUMENT_WORDS.get(document_type, document_type)} {document_id}"


def kind_label(kind: str) -> str:
    """``TRANSFER_OUT`` → ``Transfer out``."""
    return kind.replace("_", " ").capitalize()


def href_of(document_type: str, document_id: str) -> str:
    if document_type == DocType.SALE:
        return f"/sales/{document_id}"
    return "/journal?" + urlencode({"type": document_type, "document": document_id})


def count(quantity: Any) -> str:
    """A sale line's quantity as written: ``2``, ``1.5``."""
    return plain(Decimal(str(quantity)))


def _sale_line(sale: Document, movement_line: int, menu_item: str | None) -> dict[str, Any] | None:
    """The sale line a movement line of ``sale`` came from: by the lines' ``parts`` (the
    movement lines each expanded to); a sale recorded before them, by its menu item when
    only one line sold it."""
    if all("parts" in line for line in sale.lines):
        first = 0
        for line in sale.lines:
            if first <= movement_line < first + int(line["parts"]):
                return line
            first += int(line["parts"])
        return None
    same = [line for line in sale.lines if line.get("menu_item") == menu_item]
    return same[0] if len(same) == 1 else None


class Describer:
    """Words for the movements of one page: each document and recipe read once."""

    def __init__(self, ledger: LedgerPort, location_names: Mapping[str, str | None]) -> None:
        self.ledger = ledger
        self.location_names = location_names
        self.documents: dict[tuple[str, str], Document | None] = {}
        self.dishes: dict[str, str] = {}

    def _document(self, document_type: str, document_id: str) -> Document | None:
        key = (document_type, document_id)
        if key not in self.documents:
            self.documents[key] = self.ledger.get(
                Document, Document.create_id(document_type, document_id)
            )
        return self.documents[key]

    def dish(self, menu_item: str) -> str:
        """The recipe's name of a menu item (its code when it has none)."""
        if menu_item not in self.dishes:
            recipe = self.ledger.get(Recipe, Recipe.create_id(menu_item))
            self.dishes[menu_item] = recipe.spec.name if recipe is not None else menu_item
        return self.dishes[menu_item]

    def place(self, code: str) -> str:
        """A location's name (its code when it has none)."""
        return self.location_names.get(code) or code

    def what(self, move: MovementRecord) -> str:
        document = (
            self._document(move.document_type, move.document_id)
            if move.document_type in READ
            else None
        )
        if move.document_type == DocType.TRANSFER and document is not None:
            details = document.details
            if move.kind == Kind.TRANSFER_OUT and details.to_location:
                return f"to {self.place(details.to_location)}"
            if move.kind == Kind.TRANSFER_IN and details.from_location:
                return f"from {self.place(details.from_location)}"
            return ""
        if move.menu_item is None:
            return ""
        dish = self.dish(move.menu_item)
        if document is None:
            return dish
        if move.document_type == DocType.SALE:
            line = _sale_line(document, move.line, move.menu_item)
            return f"{count(line['quantity'])} × {dish}" if line else dish
        same = [ln for ln in document.lines if ln.get("menu_item") == move.menu_item]
        if len(same) == 1:  # a void: the sale line it takes back
            return f"{count(same[0]['quantity'])} × {dish} taken back"
        return dish

    def words(self, move: MovementRecord) -> Words:
        return Words(
            self.what(move),
            document_label(move.document_type, move.document_id),
            href_of(move.document_type, move.document_id),
        )


def describe(
    ledger: LedgerPort,
    moves: Sequence[MovementRecord],
    location_names: Mapping[str, str | None],
) -> dict[int, Words]:
    """Words for each of ``moves``, by ledger position."""
    describer = Describer(ledger, location_names)
    return {move.position: describer.words(move) for move in moves}


def words_of(request: Request, moves: Sequence[MovementRecord]) -> dict[int, Words]:
    """Words for a page's ``moves`` from the session's ledger, with the catalogue's location
    names (read only when a transfer needs them)."""
    names: dict[str, str | None] = {}
    if any(move.document_type == DocType.TRANSFER for move in moves):
        locations, _ = read_models(request).catalogue.all_locations()
        names = {place.code: place.name for place in locations}
    return describe(ledger_of(request), moves, names)
