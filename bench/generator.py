"""Fills a ledger with a realistic history quickly, through the real event store.

The domain aggregates (StockItem, Quote, Document) run their real commands in memory, so
every event is a real event class with real values, balances after, and hash chain. The
events are then written in big chronological batches with ``Ledger.save`` (one transaction
per batch instead of one per command) and snapshots are taken where the application would
take them (every 500 StockItem events). A rebuild therefore reads exactly what production
would have written, only faster to produce.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from application import commands
from application.ledger import Ledger
from domain.documents import Document, fingerprint
from domain.movements import Source
from domain.quote import Quote
from domain.stock_item import Movement, StockItem

LOCATIONS = ("main", "kitchen", "bar", "store2", "store3", "store4", "store5", "store6")
START = datetime(2025, 1, 1, tzinfo=UTC)
USER = "bench"
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class HistorySpec:
    """N movements over ``skus`` × ``locations`` positions, spread evenly over ``days``."""

    movements: int
    skus: int = 1_000
    locations: int = 10
    days: int = 365
    batch: int = 5_000
    seed: int = 1
    start: datetime = START
    prefix: str = "SKU"

    @property
    def positions(self) -> int:
        return self.skus * self.locations


@dataclass
class Filled:
    events: int = 0
    movements: int = 0
    documents: int = 0
    seconds: float = 0.0
    head: int = 0
    kinds: dict[str, int] = field(default_factory=dict)

    @property
    def events_per_s(self) -> float:
        return self.events / self.seconds if self.seconds else 0.0


def location_names(count: int) -> list[str]:
    return [LOCATIONS[i] if i < len(LOCATIONS) else f"loc{i}" for i in range(count)]


class _Writer:
    """Collects events in the order they happen and saves them in big batches."""

    def __init__(self, ledger: Ledger, batch: int, progress: Progress | None, total: int) -> None:
        self.ledger = ledger
        self.batch = batch
        self.progress = progress
        self.total = total
        self.pending: list[Any] = []
        self.filled = Filled()
        self.interval = ledger.snapshotting_intervals.get(StockItem)

    def collect(self, *aggregates: Any) -> None:
        for aggregate in aggregates:
            self.pending.extend(aggregate.collect_events())
        if len(self.pending) >= self.batch:
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        recordings = self.ledger.save(*self.pending)
        self.filled.events += len(recordings)
        self.filled.head = max(r.notification.id for r in recordings)
        if self.interval:
            for event in self.pending:
                version = event.originator_version
                if isinstance(event, Movement) and version % self.interval == 0:
                    self.ledger.take_snapshot(event.originator_id, version=version)
        self.pending = []
        if self.progress:
            self.progress(self.filled.movements, self.total)


class _History:
    """The command mix: receipts, direct deliveries, quotes (reserve + ship), transfers,
    consumption and waste, each with its Document record as the application writes it."""

    def __init__(self, ledger: Ledger, writer: _Writer, seed: int, tag: str) -> None:
        self.ledger = ledger
        self.places = ledger.places
        self.writer = writer
        self.rng = random.Random(seed)
        self.items: dict[tuple[str, str], StockItem] = {}
        self.serial = 0
        self.tag = tag  # keeps document ids unique across fills of one store
        self.recent: list[tuple[Document, StockItem, Decimal]] = []  # returnable deliveries

    def item(self, sku: str, location: str) -> StockItem:
        key = (sku, location)
        found = self.items.get(key)
        if found is None:
            found = self.items[key] = StockItem(sku, location)
        return found

    def _doc_id(self, kind: str) -> str:
        self.serial += 1
        return f"{kind}-{self.tag}-{self.serial}"

    def _moved(self, count: int, kind: str) -> None:
        filled = self.writer.filled
        filled.movements += count
        filled.kinds[kind] = filled.kinds.get(kind, 0) + count

    def _document(
        self,
        command: commands.Command,
        items: list[StockItem],
        lines: list[dict[str, Any]],
        details: dict[str, Any],
    ) -> Document:
        refs = [[str(item.id), item.version] for item in items]
        self.writer.filled.documents += 1
        print_ = fingerprint(command.payload())
        doc_type = command.doc_type.value
        return Document(doc_type, command.doc_id, print_, USER, refs, lines, details)

    def receipt(self, sku: str, location: str, at: datetime, quantity: Decimal) -> None:
        doc_id = self._doc_id("R")
        cost = Decimal(self.rng.randint(100, 5_000)) / 100
        item = self.item(sku, location)
        item.receive(quantity, cost, Source("receipt", doc_id, 0, USER), at, self.places)
        command = commands.PostReceipt(
            doc_id, location, [commands.ReceiptLine(sku, quantity, cost)]
        )
        doc = self._document(command, [item], [], {"location": location})
        self._moved(1, "RECEIVE")
        self.writer.collect(item, doc)

    def delivery(self, item: StockItem, at: datetime, quantity: Decimal) -> None:
        doc_id = self._doc_id("D")
        src = Source("delivery", doc_id, 0, USER)
        value = item.ship(quantity, src, at, self.places)
        doc = self._ship_document(doc_id, item, quantity, value, None)
        self.recent = [*self.recent[-49:], (doc, item, quantity)]

    def give_back(self, at: datetime) -> None:
        """RETURN of part of a recent direct delivery, at that delivery's cost."""
        if not self.recent:
            return
        delivery, item, shipped = self.recent.pop(self.rng.randrange(len(self.recent)))
        return_id = self._doc_id("RT")
        quantity = min(shipped, Decimal(1))
        parts = delivery.allocate_return(item.sku, quantity, self.places)
        delivery.record_return(return_id, parts, USER)
        for _, part_qty, value in parts:
            item.take_back(part_qty, value, Source("return", return_id, 0, USER), at)
        command = commands.PostReturn(
            return_id, delivery.doc_id, [commands.Line(item.sku, quantity)]
        )
        details = {"location": item.location, "delivery_id": delivery.doc_id}
        doc = self._document(command, [item], [], details)
        self._moved(len(parts), "RETURN")
        self.writer.collect(item, delivery, doc)

    def adjust(self, item: StockItem, at: datetime, delta: Decimal) -> None:
        """ADJUSTMENT at the current average (admin correction with a note)."""
        doc_id = self._doc_id("A")
        note = "recount"
        item.adjust(delta, None, Source("adjustment", doc_id, 0, USER, note), at, self.places)
        command = commands.PostAdjustment(doc_id, item.sku, item.location, delta, note)
        doc = self._document(command, [item], [], {"location": item.location})
        self._moved(1, "ADJUSTMENT")
        self.writer.collect(item, doc)

    def _ship_document(
        self, doc_id: str, item: StockItem, quantity: Decimal, value: Decimal, quote_id: str | None
    ) -> Document:
        command = commands.PostDelivery(
            doc_id, item.location, [commands.Line(item.sku, quantity)], quote_id
        )
        shipped = [
            {
                "sku": item.sku,
                "quantity": quantity,
                "value": -value,
                "returned_qty": Decimal(0),
                "returned_value": Decimal(0),
            }
        ]
        details = {"location": item.location, "quote_id": quote_id}
        doc = self._document(command, [item], shipped, details)
        self._moved(1, "SHIP")
        self.writer.collect(item, doc)
        return doc

    def quote(self, item: StockItem, at: datetime, quantity: Decimal) -> None:
        quote_id = self._doc_id("Q")
        price = Decimal(self.rng.randint(100, 9_000)) / 100
        priced = [commands.PricedLine(item.sku, quantity, price)]
        draft = commands.CreateQuote(quote_id, "ACME", item.location, priced)
        lines = [asdict(line) for line in draft.lines]
        print_ = fingerprint(draft.payload())
        quote = Quote.draft(quote_id, "ACME", item.location, lines, USER, print_)
        quote.close(USER)
        item.reserve(quantity, Source("quote", quote_id, 0, USER), at)
        self._moved(1, "RESERVE")
        self.writer.collect(item, quote)
        doc_id = self._doc_id("D")
        quote.record_delivery(doc_id, [quantity], USER)
        src = Source("delivery", doc_id, 0, USER)
        value = item.ship(quantity, src, at, self.places, reserved=quantity)
        self.writer.collect(quote)
        self._ship_document(doc_id, item, quantity, value, quote_id)

    def transfer(self, source: StockItem, target: StockItem, at: datetime, q: Decimal) -> None:
        doc_id = self._doc_id("T")
        src = Source("transfer", doc_id, 0, USER)
        value = source.transfer_out(q, src, at, self.places)
        target.transfer_in(q, -value, src, at)
        command = commands.PostTransfer(
            doc_id, source.location, target.location, [commands.Line(source.sku, q)]
        )
        details = {"from_location": source.location, "to_location": target.location}
        doc = self._document(command, [source, target], [], details)
        self._moved(2, "TRANSFER")
        self.writer.collect(source, target, doc)

    def outflow(self, item: StockItem, at: datetime, q: Decimal, kind: str) -> None:
        doc_id = self._doc_id(kind[0].upper())
        note = "spoiled" if kind == "waste" else None
        src = Source(kind, doc_id, 0, USER, note)
        if kind == "waste":
            item.waste(q, src, at, self.places)
        else:
            item.consume(q, src, at, self.places)
        outflow = commands.PostWaste if kind == "waste" else commands.PostConsumption
        command = outflow(doc_id, item.location, [commands.Line(item.sku, q)], note)
        doc = self._document(command, [item], [], {"location": item.location})
        self._moved(1, kind.upper())
        self.writer.collect(item, doc)


def fill(ledger: Ledger, spec: HistorySpec, progress: Progress | None = None) -> Filled:
    """Writes about ``spec.movements`` movements (a little more: the last command completes)."""
    started = time.perf_counter()
    writer = _Writer(ledger, spec.batch, progress, spec.movements)
    history = _History(ledger, writer, spec.seed, spec.prefix)
    rng = history.rng
    skus = [f"{spec.prefix}-{i:06d}" for i in range(spec.skus)]
    locations = location_names(spec.locations)
    step = timedelta(days=spec.days) / max(spec.movements, 1)
    at = spec.start
    while writer.filled.movements < spec.movements:
        at = spec.start + step * writer.filled.movements
        sku = rng.choice(skus)
        location = rng.choice(locations)
        item = history.item(sku, location)
        quantity = Decimal(rng.randint(1, 12))
        if rng.random() < 0.25:
            quantity += Decimal(rng.randint(0, 999)) / 1000  # kg and litres
        roll = rng.random()
        if item.available < quantity or roll < 0.22:
            history.receipt(sku, location, at, quantity * rng.randint(5, 20))
        elif roll < 0.55:
            history.delivery(item, at, quantity)
        elif roll < 0.70:
            history.quote(item, at, quantity)
        elif roll < 0.82 and spec.locations > 1:
            other = rng.choice([loc for loc in locations if loc != location])
            history.transfer(item, history.item(sku, other), at, quantity)
        elif roll < 0.92:
            history.outflow(item, at, quantity, "consumption")
        elif roll < 0.95:
            history.outflow(item, at, quantity, "waste")
        elif roll < 0.98:
            history.give_back(at)
        else:
            history.adjust(item, at, -quantity if rng.random() < 0.7 else quantity)
    writer.flush()
    writer.filled.seconds = time.perf_counter() - started
    return writer.filled


def fill_position(
    ledger: Ledger,
    sku: str,
    location: str,
    movements: int,
    *,
    batch: int = 5_000,
    start: datetime = START,
    progress: Progress | None = None,
) -> Filled:
    """A deep history on one position: alternating receipts and deliveries."""
    started = time.perf_counter()
    writer = _Writer(ledger, batch, progress, movements)
    history = _History(ledger, writer, seed=7, tag=sku)
    item = history.item(sku, location)
    step = timedelta(seconds=30)
    while writer.filled.movements < movements:
        at = start + step * writer.filled.movements
        if item.available < 5:
            history.receipt(sku, location, at, Decimal(50))
        else:
            history.delivery(item, at, Decimal(5))
    writer.flush()
    writer.filled.seconds = time.perf_counter() - started
    return writer.filled
