"""What one attempt of a command touches (application.posting): the aggregates it takes and
keeps, in save order; the catalogue it reads (application.measures); the movements, lines
and details its document will record; and whether anything it relied on went stale.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from application.commands import Command
from application.known_codes import check_new_position
from application.measures import Measured, Measures
from application.ports import LedgerPort
from domain.codes import check_code
from domain.documents import DocumentDetails
from domain.movements import Source
from domain.quote import Quote
from domain.sale import SaleRecord
from domain.stock_item import Movement, StockItem


class Work:
    """What one attempt of a command touches and what its document will record."""

    def __init__(self, ledger: LedgerPort, command: Command, user: str, print_: str) -> None:
        self.ledger = ledger
        self.command = command
        self.user = user
        self.fingerprint = print_
        self.at = ledger.clock()
        self.places = ledger.places
        self.touched: dict[UUID, Aggregate] = {}
        # Aggregates taken from the cache (store.owned), and the version of those
        # taken on trust (not read: this process wrote their last known version).
        self.taken: dict[UUID, Aggregate] = {}
        self.trusted: dict[UUID, int] = {}
        self.refs: list[list[Any]] = []
        self._noted: dict[UUID, int] = {}  # pending events of an item already noted
        # The document record's lines (a delivery's shipped lines) and details.
        self.shipped: list[dict[str, Any]] = []
        self.details = DocumentDetails()
        # The quote a quote command answers with.
        self.quote: Quote | None = None
        # The items and locations of this attempt (SPEC §8), read through the catalogue
        # cache: the save is checked against the versions read.
        self.measures = Measures(ledger, cached=True)

    def item(self, sku: str, location: str) -> StockItem:
        check_code(sku, "sku")
        check_code(location, "location")
        self.measures.require(sku, location)
        item_id = StockItem.create_id(sku, location)
        if item_id not in self.touched:
            found = self.take(item_id)
            if found is None:
                check_new_position(self.ledger, sku, location)
            self.touched[item_id] = found or StockItem(sku, location)
        item = self.touched[item_id]
        assert isinstance(item, StockItem)
        return item

    def take(self, aggregate_id: UUID) -> Aggregate | None:
        """The aggregate for this attempt to change, from the cache without a copy (and
        without a read when this process wrote it last); None if it was never created.
        The handler still ``keep``s it for the save, where its changes belong in order."""
        if aggregate_id not in self.taken:
            found, trusted = self.ledger.owned.take(aggregate_id)
            if found is None:
                return None
            self.taken[aggregate_id] = found
            if trusted:
                self.trusted[aggregate_id] = found.version
        return self.taken[aggregate_id]

    def stale(self, *, unchanged_only: bool = False) -> bool:
        """Whether an aggregate taken on trust, or a catalogue entry read from the cache,
        was written elsewhere meanwhile (then the attempt runs again on fresh state). A
        save checks its changed aggregates by their keys and its catalogue reads with them
        (``save_reads``), so ``unchanged_only`` (asked before a save) skips those."""
        taken = {
            i: v
            for i, v in self.trusted.items()
            if not (unchanged_only and self.taken[i].pending_events)
        }
        if taken and self.ledger.owned.stale(taken):
            return True
        return not unchanged_only and self.measures.stale()

    def save_reads(self) -> dict[str, Any]:
        """The save's keyword arguments: the catalogue versions it depends on, if any."""
        return {"reads": self.measures.reads} if self.measures.reads else {}

    def give_back(self, *, written: bool) -> None:
        """Returns what was taken from the cache (store.owned); once saved, also
        what the attempt created (a new position, a new quote), as written here."""
        given = {**self.taken, **self.touched} if written else self.taken
        self.ledger.owned.give_back(given.values(), written=written)

    def keep(self, aggregate: Aggregate) -> None:
        self.touched.setdefault(aggregate.id, aggregate)

    def moved(self, item: StockItem) -> None:
        """Notes the movements just made on ``item`` for the document record: the one the
        handler asked for and the settlements of owed consumption it caused (SPEC §17),
        each also recorded on its sale's ``SaleRecord`` in the same save."""
        pending = item.pending_events
        for event in pending[self._noted.get(item.id, 0) :]:
            if isinstance(event, Movement):
                self.refs.append([str(item.id), event.originator_version])
            if type(event) is StockItem.Settled:
                record = self.sale_record(event.document_id)
                ref = [str(item.id), event.originator_version]
                record.settle(event.line, event.quantity, -event.value, ref)
        self._noted[item.id] = len(pending)

    def sale_record(self, sale_id: str) -> SaleRecord:
        """The sale's record of settlements and voids, taken for this save (created with
        the first thing that happens to the sale after its posting)."""
        record_id = SaleRecord.create_id(sale_id)
        record = self.touched.get(record_id) or self.take(record_id) or SaleRecord(sale_id)
        assert isinstance(record, SaleRecord)
        self.keep(record)
        return record

    def measure(self, sku: str, quantity: Decimal, unit: str | None, field: str) -> Measured:
        """A line's quantity in base units (Measures.measure)."""
        check_code(sku, "sku")
        return self.measures.measure(sku, quantity, unit, field)

    def src(self, line: int, note: str | None = None, measured: Measured | None = None) -> Source:
        """The source of a movement made for ``line`` of this command's document, with the
        unit figures of the line (``measured``)."""
        command, key = self.command, self.ledger.anchor_key
        unit, entered = (measured.unit, measured.entered) if measured else (None, None)
        return Source(
            command.doc_type.value,
            command.doc_id,
            line,
            self.user,
            note,
            anchor_key=key,
            unit=unit,
            entered=entered,
        )
