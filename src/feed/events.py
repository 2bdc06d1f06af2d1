"""Stored events → feed events: the published schema, version 1 (docs/FEED.md).

An event is ``{"v": 1, "position", "type", "time", "data"}``. Only what matters downstream
is published: movements, posted documents, quote changes, item changes and period closes.
Keys, snapshots, rebuild requests and other internal records are never read into the feed
(they are filtered out by topic in the query, so a key hash cannot leak by a mapping mistake).

A page is every published event in ``(after, upto]`` up to ``limit`` of them, oldest first.
``upto`` is the head read *before* the page: on PostgreSQL the writer's table lock makes
commit order equal position order, so every event at or below a visible head is committed
and a page that is full never changes. Positions have gaps; the cursor is a position, never
a count.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from api.schemas.common import movement_body
from application.events import LedgerEvents, Recorded
from application.records import MovementRecord, QuoteRecord
from domain.books import Books
from domain.documents import Document
from domain.item import ITEM_TOPICS
from domain.movements import DocType
from domain.purchase_order import PurchaseOrder
from domain.quote import Quote
from domain.recipe import RECIPE_TOPICS
from domain.stock_item import MOVEMENT_TOPICS
from domain.supplier_invoice import ReceiptBilling
from present.money import with_places

VERSION = 1
# Decoded events kept per process: streams and webhooks near the head read the same events,
# which are immutable, so each is decoded once however many subscribers read it.
CACHED_EVENTS = 10_000
QUOTE_TOPICS = frozenset(
    cls.TOPIC
    for cls in (
        Quote.Created,
        Quote.Closed,
        Quote.DeliveryRecorded,
        Quote.ReturnRecorded,
        Quote.Cancelled,
    )
)
# Feed type → the stored topics published under it.
TYPES: dict[str, frozenset[str]] = {
    "movement.recorded": frozenset(MOVEMENT_TOPICS),
    "document.posted": frozenset({Document.Created.TOPIC}),
    "quote.changed": QUOTE_TOPICS,
    "period.closed": frozenset({Books.PeriodClosed.TOPIC}),
    "item.changed": ITEM_TOPICS,
    "recipe.changed": RECIPE_TOPICS,
    "purchase_order.posted": frozenset({PurchaseOrder.Created.TOPIC}),
    "purchase_order.received": frozenset({PurchaseOrder.Received.TOPIC}),
    "purchase_order.cancelled": frozenset({PurchaseOrder.Cancelled.TOPIC}),
    "supplier_invoice.posted": frozenset({ReceiptBilling.Billed.TOPIC}),
}
TYPE_OF_TOPIC = {topic: name for name, topics in TYPES.items() for topic in topics}


def topics_for(prefixes: Iterable[str] = ()) -> frozenset[str]:
    """The stored topics of every feed type starting with one of ``prefixes`` (all when
    none is given); an unknown prefix selects nothing."""
    chosen = list(prefixes)
    return frozenset(
        topic
        for name, topics in TYPES.items()
        if not chosen or any(name.startswith(p) for p in chosen)
        for topic in topics
    )


def _json(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dict):
        return {str(k): _json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


@dataclass(frozen=True)
class Page:
    items: list[dict[str, Any]]
    next: int
    head: int


class Feed:
    """The published events of one ledger (an eventsourcing Application)."""

    def __init__(self, ledger: Any, places: int) -> None:
        self.ledger = ledger
        self.source = LedgerEvents(ledger)
        self.places = places
        self._cache: OrderedDict[int, dict[str, Any]] = OrderedDict()
        self._guard = threading.Lock()

    def head(self) -> int:
        return self.source.head()

    def page(
        self, after: int, limit: int, prefixes: Iterable[str] = (), upto: int | None = None
    ) -> Page:
        """Up to ``limit`` published events after ``after``; ``next`` resumes after them."""
        head = self.source.head() if upto is None else upto
        topics = topics_for(prefixes)
        if after >= head:
            return Page([], after, head)
        if not topics:  # an unknown type: nothing will ever match
            return Page([], head, head)
        records = self.source.read(after, limit, upto=head, topics=topics)
        items = [self.event(r) for r in records]
        # A short page read everything up to the head: resume from there, skipping
        # unpublished events for good; a full page resumes after its last event.
        nxt = records[-1].position if len(records) == limit else head
        return Page(items, nxt, head)

    def event(self, recorded: Recorded) -> dict[str, Any]:
        with self._guard:
            cached = self._cache.get(recorded.position)
        if cached is not None:
            return cached
        event = self._decode(recorded)
        with self._guard:
            self._cache[recorded.position] = event
            if len(self._cache) > CACHED_EVENTS:
                self._cache.popitem(last=False)
        return event

    def _decode(self, recorded: Recorded) -> dict[str, Any]:
        kind = TYPE_OF_TOPIC[recorded.topic]
        stored = recorded.event()
        data = MAPPERS[kind](self, stored, recorded.position)
        return {
            "v": VERSION,
            "position": recorded.position,
            "type": kind,
            "time": stored.timestamp.isoformat(),
            "data": data,
        }

    # -- one function per feed type ----------------------------------------------------------

    def _movement(self, event: Any, position: int) -> dict[str, Any]:
        body = movement_body(MovementRecord.from_event(event, position))
        if event.variance is not None:  # a VARIANCE: the cost it expensed (SPEC §10)
            body["variance"] = event.variance
        return dict(_json(with_places(body, self.places)))

    def _document(self, event: Any, position: int) -> dict[str, Any]:
        body = {"type": event.doc_type, "id": event.doc_id, "user": event.user}
        if event.doc_type == DocType.COST:  # a late cost's allocation (SPEC §10)
            body["allocation"] = event.lines
        if event.doc_type == DocType.SALE:  # a sale's lines with their revenue (SPEC §9)
            body["lines"] = event.lines
        if event.doc_type == DocType.SUPPLIER_INVOICE:  # the match (SPEC §14)
            body["matched"] = event.lines
        return dict(_json(with_places(body, self.places)))

    def _quote(self, event: Any, position: int) -> dict[str, Any]:
        # The quote as it stood after this event: immutable, like the page holding it.
        quote = self.ledger.repository.get(event.originator_id, version=event.originator_version)
        record = QuoteRecord.from_quote(quote, position)
        return dict(_json(vars(record)))

    def _item(self, event: Any, position: int) -> dict[str, Any]:
        # The item as this event left it (events carry the whole spec), and who changed it.
        item = {"sku": event.sku, **event.spec, "version": event.originator_version}
        return dict(_json({**item, "position": position, "user": event.user}))

    def _recipe(self, event: Any, position: int) -> dict[str, Any]:
        # The recipe version this event made (events carry the whole spec), and who made it.
        spec = event.spec
        recipe = {
            "menu_item": event.menu_item,
            "name": spec["name"],
            "version": event.originator_version,
            "lines": spec["lines"],
        }
        return dict(_json({**recipe, "position": position, "user": event.user}))

    def _period(self, event: Any, position: int) -> dict[str, Any]:
        return dict(
            _json(
                with_places(
                    {
                        "period": event.period,
                        "closed_by": event.user,
                        "position": event.position,
                        "digest": event.digest,
                        "totals": event.totals,
                    },
                    self.places,
                )
            )
        )

    def _purchase_order(self, event: Any, position: int) -> dict[str, Any]:
        # The PO as this event left it (SPEC §14), and who did it.
        order = self.ledger.repository.get(event.originator_id, version=event.originator_version)
        return dict(_json({**order.summary(), "position": position, "user": event.user}))

    def _invoice(self, event: Any, position: int) -> dict[str, Any]:
        # What one supplier invoice billed of one receipt (one event per receipt it bills).
        billing = self.ledger.repository.get(event.originator_id, version=event.originator_version)
        lines = [
            {"sku": billing.lines[index].sku, "quantity": quantity, "billed_value": value}
            for index, quantity, value in event.lines
        ]
        body = {
            "invoice_id": event.invoice_id,
            "supplier": billing.supplier,
            "receipt_id": billing.receipt_id,
            "po_id": billing.po_id,
            "lines": lines,
            "user": event.user,
        }
        return dict(_json(body))


MAPPERS: dict[str, Callable[[Feed, Any, int], dict[str, Any]]] = {
    "movement.recorded": Feed._movement,
    "document.posted": Feed._document,
    "quote.changed": Feed._quote,
    "period.closed": Feed._period,
    "item.changed": Feed._item,
    "recipe.changed": Feed._recipe,
    "purchase_order.posted": Feed._purchase_order,
    "purchase_order.received": Feed._purchase_order,
    "purchase_order.cancelled": Feed._purchase_order,
    "supplier_invoice.posted": Feed._invoice,
}


def encode(event: dict[str, Any]) -> bytes:
    """The event's JSON as sent on every channel (compact, keys in schema order)."""
    return json.dumps(event, separators=(",", ":"), ensure_ascii=False).encode()
