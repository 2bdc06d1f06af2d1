"""The ledger application: one method per command of API.md.

Each command loads the aggregates it needs, runs their commands (which enforce SPEC §3–4),
and records every event it caused — movements, quote changes and the document record — in a
single ``save``: all or nothing. A concurrent writer shows up as an IntegrityError on a
version or on the document id; the command is then re-run on fresh state, a bounded number
of times with jitter. A document id seen before answers with the original result.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import EventStore, IntegrityError, JSONTranscoder, Recording

from application import registers, store
from application.commands import CountLine, Line, QuoteLineIn, ReceiptLine, as_payload
from application.errors import ConcurrencyConflictError, QuoteNotFoundError
from application.keys import ApiKeys
from application.periods import ClosePeriod, Periods
from application.records import CommandResult, MovementRecord, QuoteRecord
from application.settings import Settings
from application.snapshots import CheckedSnapshotStore
from application.writer import WriterGuard
from domain import bounds
from domain.access import KeyRing, Role
from domain.books import Books, PeriodClose
from domain.documents import Document, fingerprint
from domain.errors import (
    DocumentConflictError,
    DomainError,
    InsufficientStockError,
    ValidationError,
)
from domain.movements import DocType, Source
from domain.operations import Operations
from domain.quote import Quote, QuoteStatus
from domain.stock_item import Movement, StockItem, check_code, require_note

MAX_ATTEMPTS = 30
T = TypeVar("T", bound=Aggregate)
Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


class Work:
    """The aggregates one attempt of a command touches, loaded once each, in save order."""

    def __init__(self, ledger: Ledger, at: datetime, user: str) -> None:
        self.ledger = ledger
        self.at = at
        self.user = user
        self.touched: dict[UUID, Aggregate] = {}
        self.refs: list[list[Any]] = []

    def item(self, sku: str, location: str) -> StockItem:
        check_code(sku, "sku")
        check_code(location, "location")
        item_id = StockItem.create_id(sku, location)
        if item_id not in self.touched:
            self.touched[item_id] = self.ledger.get(StockItem, item_id) or StockItem(sku, location)
        found = self.touched[item_id]
        assert isinstance(found, StockItem)
        return found

    def keep(self, aggregate: Aggregate) -> None:
        self.touched.setdefault(aggregate.id, aggregate)

    def moved(self, item: StockItem) -> None:
        """Notes the movement just made on ``item`` for the document record."""
        self.refs.append([str(item.id), item.version])

    def src(self, doc_type: DocType, doc_id: str, line: int, note: str | None = None) -> Source:
        key = self.ledger.anchor_key
        return Source(doc_type.value, doc_id, line, self.user, note, anchor_key=key)


class Ledger(Application[UUID]):
    """The command side of StockLedger."""

    name = store.APP_NAME
    # A cold load reads the newest snapshot and at most this many events after it.
    snapshotting_intervals = {StockItem: 100}  # noqa: RUF012 (library's class attribute)

    def __init__(self, settings: Settings, clock: Clock | None = None) -> None:
        self.settings = settings
        self.places = settings.currency_decimals
        # The key new movements are anchored with (the first ledger key), if any.
        self.anchor_key: bytes | None = next(iter(settings.ledger_keys), None)
        self.clock: Clock = clock or utc_now
        self.is_postgres = settings.is_postgres
        with store.schema_lock(settings):
            super().__init__(env=store.ledger_env(settings))
            if settings.create_schema:
                store.install_append_only_guard(self.recorder, settings)
            store.serialise_writers_on_lock_table(self.recorder, settings)
        self._writer = WriterGuard(self.recorder, settings)
        self.periods = Periods(self)
        self.api_keys = ApiKeys(self)

    def construct_snapshot_store(self) -> EventStore[UUID]:
        """Snapshots are used only when they agree with the events (application.snapshots)."""
        recorder = self.factory.aggregate_recorder(purpose="snapshots")
        return CheckedSnapshotStore(self.mapper, recorder, self.events)

    # -- plumbing -----------------------------------------------------------------------------

    def save(self, *objs: Any, **kwargs: Any) -> list[Recording[UUID]]:
        """The library's save, bounded by STOCKLEDGER_WRITE_TIMEOUT (see application.writer)."""
        with self._writer.bounded():
            return super().save(*objs, **kwargs)

    def get(self, cls: type[T], aggregate_id: UUID) -> T | None:
        try:
            found: Aggregate = self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            return None
        assert isinstance(found, cls)
        return found

    def positions(self, refs: Sequence[tuple[UUID, int]]) -> list[int]:
        return store.positions_of(self.recorder, refs, self.is_postgres)

    def head(self) -> int:
        return self.recorder.max_notification_id() or 0

    def _attempts(self) -> Any:
        for attempt in range(MAX_ATTEMPTS):
            yield attempt
            time.sleep(random.uniform(0, min(0.05, 0.002 * 2**attempt)))
        raise ConcurrencyConflictError("too many concurrent changes; try again")

    def _post(
        self,
        doc_type: DocType,
        doc_id: str,
        payload: dict[str, Any],
        user: str,
        build: Callable[[Work], tuple[list[dict[str, Any]], dict[str, Any]]],
    ) -> CommandResult:
        """Runs ``build`` and records its events with the document record, exactly once."""
        check_code(doc_id, f"{doc_type.value}_id")
        print_ = fingerprint(payload)
        doc_uuid = Document.create_id(doc_type.value, doc_id)
        # The document record is read only when the command cannot be recorded as new —
        # refused by a rule, or beaten by a writer on the same ids — which saves a read on
        # every first post. A repeat is answered before any refusal: a delivery posted
        # again must not be refused for want of the stock it took the first time.
        for _ in self._attempts():
            work = Work(self, self.clock(), user)
            try:
                lines, details = build(work)
            except DomainError:
                repeat = self._repeat(doc_uuid, print_)
                if repeat is not None:
                    return repeat
                raise
            document = Document(doc_type.value, doc_id, print_, user, work.refs, lines, details)
            try:
                recordings = self.save(*work.touched.values(), document)
            except IntegrityError:
                repeat = self._repeat(doc_uuid, print_)
                if repeat is not None:
                    return repeat
                continue
            return self._result(doc_type.value, doc_id, recordings, created=True)
        raise AssertionError("unreachable")  # pragma: no cover

    def _repeat(self, doc_uuid: UUID, print_: str) -> CommandResult | None:
        """The original result when the document was posted before with this payload;
        DocumentConflictError when with another; None when it was never posted."""
        existing = self.get(Document, doc_uuid)
        if existing is None:
            return None
        existing.check_repeat(print_)
        return self._replay(existing)

    def _save_all(self, work: Work) -> list[Any] | None:
        try:
            return self.save(*work.touched.values())
        except IntegrityError:
            return None

    @staticmethod
    def _result(
        doc_type: str,
        doc_id: str,
        recordings: Sequence[Any],
        *,
        created: bool,
        quote: QuoteRecord | None = None,
    ) -> CommandResult:
        movements = [
            MovementRecord.from_event(r.domain_event, r.notification.id)
            for r in recordings
            if isinstance(r.domain_event, Movement)
        ]
        position = max(r.notification.id for r in recordings)
        return CommandResult(doc_type, doc_id, movements, position, created, quote)

    def _replay(self, document: Document) -> CommandResult:
        """The original result of a posted document, read back from the ledger."""
        refs = [(UUID(oid), version) for oid, version in document.movements]
        positions = self.positions([*refs, (document.id, 1)])
        movements = []
        for (oid, version), position in zip(refs, positions, strict=False):
            (event,) = self.events.get(oid, gt=version - 1, lte=version)
            assert isinstance(event, Movement)
            movements.append(MovementRecord.from_event(event, position))
        return CommandResult(
            document.doc_type, document.doc_id, movements, max(positions), created=False
        )

    # -- receipts and outbound documents ----------------------------------------------------

    def post_receipt(
        self,
        receipt_id: str,
        location: str,
        lines: list[ReceiptLine],
        note: str | None = None,
        *,
        user: str,
    ) -> CommandResult:
        """RECEIVE per line at its unit cost."""
        payload = {"location": location, "lines": as_payload(lines), "note": note}
        _need_lines(lines)

        def build(work: Work) -> tuple[list[dict[str, Any]], dict[str, Any]]:
            for index, line in enumerate(lines):
                item = work.item(line.sku, location)
                item.receive(
                    line.quantity,
                    line.unit_cost,
                    work.src(DocType.RECEIPT, receipt_id, index, note),
                    work.at,
                    self.places,
                )
                work.moved(item)
            return [], {"location": location}

        return self._post(DocType.RECEIPT, receipt_id, payload, user, build)

    def post_consumption(
        self,
        consumption_id: str,
        location: str,
        lines: list[Line],
        note: str | None = None,
        *,
        user: str,
    ) -> CommandResult:
        """CONSUME per line; refuses a line short of available stock (all or nothing)."""
        return self._outbound(
            DocType.CONSUMPTION, consumption_id, location, lines, note, user, StockItem.consume
        )

    def post_waste(
        self, waste_id: str, location: str, lines: list[Line], note: str | None, *, user: str
    ) -> CommandResult:
        """WASTE per line, with a required note."""
        require_note(note)
        return self._outbound(DocType.WASTE, waste_id, location, lines, note, user, StockItem.waste)

    def _outbound(
        self,
        doc_type: DocType,
        doc_id: str,
        location: str,
        lines: list[Line],
        note: str | None,
        user: str,
        command: Callable[..., Any],
    ) -> CommandResult:
        payload = {"location": location, "lines": as_payload(lines), "note": note}
        _need_lines(lines)

        def build(work: Work) -> tuple[list[dict[str, Any]], dict[str, Any]]:
            for index, line in enumerate(lines):
                item = work.item(line.sku, location)
                command(
                    item,
                    line.quantity,
                    work.src(doc_type, doc_id, index, note),
                    work.at,
                    self.places,
                )
                work.moved(item)
            return [], {"location": location}

        return self._post(doc_type, doc_id, payload, user, build)

    def post_delivery(
        self,
        delivery_id: str,
        location: str,
        lines: list[Line],
        quote_id: str | None = None,
        *,
        user: str,
    ) -> CommandResult:
        """SHIP per line. Against a quote each line ships ≤ its outstanding quantity and
        consumes the reservation; without one it draws on available stock."""
        payload = {"location": location, "lines": as_payload(lines), "quote_id": quote_id}
        _need_lines(lines)

        def build(work: Work) -> tuple[list[dict[str, Any]], dict[str, Any]]:
            quote = self._delivery_quote(work, quote_id, location, delivery_id, lines)
            shipped = []
            for index, line in enumerate(lines):
                item = work.item(line.sku, location)
                src = work.src(DocType.DELIVERY, delivery_id, index)
                reserved = line.quantity if quote is not None else Decimal(0)
                value = item.ship(line.quantity, src, work.at, self.places, reserved=reserved)
                work.moved(item)
                shipped.append(
                    {
                        "sku": line.sku,
                        "quantity": line.quantity,
                        "value": -value,
                        "returned_qty": Decimal(0),
                        "returned_value": Decimal(0),
                    }
                )
            return shipped, {"location": location, "quote_id": quote_id}

        return self._post(DocType.DELIVERY, delivery_id, payload, user, build)

    def _delivery_quote(
        self,
        work: Work,
        quote_id: str | None,
        location: str,
        delivery_id: str,
        lines: list[Line],
    ) -> Quote | None:
        if quote_id is None:
            return None
        quote = self.get(Quote, Quote.create_id(quote_id))
        if quote is None:
            raise ValidationError(f"quote {quote_id} not found", [{"field": "quote_id"}])
        if quote.location != location:
            raise ValidationError(
                f"quote {quote_id} is at {quote.location}, not {location}",
                [{"field": "location"}],
            )
        quantities = [Decimal(0)] * len(quote.lines)
        for index, line in enumerate(lines):
            at = quote.line_index(line.sku)
            if at is None:
                raise ValidationError(
                    f"sku {line.sku} is not on quote {quote_id}",
                    [{"line": index, "field": "sku"}],
                )
            quantities[at] += line.quantity
        quote.record_delivery(delivery_id, quantities, work.user)
        work.keep(quote)
        return quote

    def post_return(
        self,
        return_id: str,
        delivery_id: str,
        lines: list[Line],
        note: str | None = None,
        *,
        user: str,
    ) -> CommandResult:
        """RETURN per line against a delivery, taking back its value proportionally;
        never more than the delivery shipped and has not had back."""
        payload = {"delivery_id": delivery_id, "lines": as_payload(lines), "note": note}
        _need_lines(lines)

        def build(work: Work) -> tuple[list[dict[str, Any]], dict[str, Any]]:
            delivery = self.get(Document, Document.create_id(DocType.DELIVERY.value, delivery_id))
            if delivery is None:
                raise ValidationError(
                    f"delivery {delivery_id} not found", [{"field": "delivery_id"}]
                )
            location = delivery.details["location"]
            quote_id = delivery.details.get("quote_id")
            quote = self.get(Quote, Quote.create_id(quote_id)) if quote_id else None
            per_quote_line = [Decimal(0)] * (len(quote.lines) if quote else 0)
            for index, line in enumerate(lines):
                parts = delivery.allocate_return(line.sku, line.quantity, self.places)
                delivery.record_return(return_id, parts, work.user)
                item = work.item(line.sku, location)
                for _, quantity, value in parts:
                    item.take_back(
                        quantity, value, work.src(DocType.RETURN, return_id, index, note), work.at
                    )
                    work.moved(item)
                if quote is not None:
                    at = quote.line_index(line.sku)
                    if at is not None:
                        per_quote_line[at] += line.quantity
            work.keep(delivery)
            if quote is not None and any(per_quote_line):
                quote.record_return(return_id, per_quote_line, work.user)
                work.keep(quote)
            return [], {"location": location, "delivery_id": delivery_id}

        return self._post(DocType.RETURN, return_id, payload, user, build)

    def post_transfer(
        self,
        transfer_id: str,
        from_location: str,
        to_location: str,
        lines: list[Line],
        note: str | None = None,
        *,
        user: str,
    ) -> CommandResult:
        """TRANSFER_OUT at the source and TRANSFER_IN at the destination per line, carrying
        exactly the value that left; atomic over every line."""
        payload = {
            "from_location": from_location,
            "to_location": to_location,
            "lines": as_payload(lines),
            "note": note,
        }
        _need_lines(lines)
        if from_location == to_location:
            raise ValidationError(
                "a transfer needs two different locations", [{"field": "to_location"}]
            )

        def build(work: Work) -> tuple[list[dict[str, Any]], dict[str, Any]]:
            for index, line in enumerate(lines):
                src = work.src(DocType.TRANSFER, transfer_id, index, note)
                source = work.item(line.sku, from_location)
                value = source.transfer_out(line.quantity, src, work.at, self.places)
                work.moved(source)
                target = work.item(line.sku, to_location)
                target.transfer_in(line.quantity, -value, src, work.at)
                work.moved(target)
            return [], {"from_location": from_location, "to_location": to_location}

        return self._post(DocType.TRANSFER, transfer_id, payload, user, build)

    def post_adjustment(
        self,
        adjustment_id: str,
        sku: str,
        location: str,
        quantity: Decimal,
        note: str | None,
        unit_cost: Decimal | None = None,
        *,
        user: str,
    ) -> CommandResult:
        """One ADJUSTMENT by a signed quantity ≠ 0, with a note (admin)."""
        require_note(note)
        payload = {
            "sku": sku,
            "location": location,
            "quantity": quantity,
            "note": note,
            "unit_cost": unit_cost,
        }

        def build(work: Work) -> tuple[list[dict[str, Any]], dict[str, Any]]:
            item = work.item(sku, location)
            item.adjust(
                quantity,
                unit_cost,
                work.src(DocType.ADJUSTMENT, adjustment_id, 0, note),
                work.at,
                self.places,
            )
            work.moved(item)
            return [], {"location": location}

        return self._post(DocType.ADJUSTMENT, adjustment_id, payload, user, build)

    def post_count(
        self,
        count_id: str,
        location: str,
        lines: list[CountLine],
        note: str | None,
        counted_at: datetime | None = None,
        *,
        user: str,
    ) -> CommandResult:
        """ADJUSTMENT per line by counted − on_hand at the observation time, computed from
        the ledger at that time; a line with no difference posts nothing."""
        require_note(note)
        _need_lines(lines)
        skus = [line.sku for line in lines]
        if len(set(skus)) != len(skus):
            raise ValidationError("a count lists each sku once", [{"field": "lines"}])
        for index, line in enumerate(lines):
            bounds.check_quantity(line.counted, f"lines[{index}].counted", allow_zero=True)
        if counted_at is not None and counted_at.tzinfo is None:
            raise ValidationError("counted_at needs a UTC offset", [{"field": "counted_at"}])
        payload = {
            "location": location,
            "lines": as_payload(lines),
            "note": note,
            "counted_at": counted_at.isoformat() if counted_at else None,
        }

        def build(work: Work) -> tuple[list[dict[str, Any]], dict[str, Any]]:
            seen_at = counted_at or work.at
            if seen_at > work.at:
                raise ValidationError("counted_at is in the future", [{"field": "counted_at"}])
            for index, line in enumerate(lines):
                check_code(line.sku, "sku")
                item_id = StockItem.create_id(line.sku, location)
                difference = line.counted - self.on_hand_at(item_id, seen_at)
                if difference:
                    item = work.item(line.sku, location)
                    item.adjust(
                        difference,
                        line.unit_cost,
                        work.src(DocType.COUNT, count_id, index, note),
                        work.at,
                        self.places,
                    )
                    work.moved(item)
            return [], {"location": location, "counted_at": seen_at.isoformat()}

        return self._post(DocType.COUNT, count_id, payload, user, build)

    def on_hand_at(self, item_id: UUID, at: datetime) -> Decimal:
        """Units on hand just after the last movement recorded at or before ``at``."""
        upper: int | None = None
        while True:
            page = list(self.events.get(item_id, lte=upper, desc=True, limit=200))
            for event in page:
                if isinstance(event, Movement) and event.timestamp <= at:
                    return event.on_hand_after
            if len(page) < 200:
                return Decimal(0)
            upper = page[-1].originator_version - 1

    # -- quotes -------------------------------------------------------------------------------

    def create_quote(
        self,
        quote_id: str,
        customer: str,
        location: str,
        lines: list[QuoteLineIn],
        *,
        user: str,
    ) -> CommandResult:
        """A draft quote; the same id and payload again is a repeat, another payload a conflict."""
        payload = {"customer": customer, "location": location, "lines": as_payload(lines)}
        print_ = fingerprint(payload)
        for _ in self._attempts():
            existing = self.get(Quote, Quote.create_id(quote_id))
            if existing is not None:
                if existing.fingerprint != print_:
                    raise DocumentConflictError(
                        f"quote {quote_id} was already created with a different payload"
                    )
                return self._quote_result(existing, [], created=False, event_version=1)
            quote = Quote.draft(quote_id, customer, location, as_payload(lines), user, print_)
            try:
                recordings = self.save(quote)
            except IntegrityError:
                continue
            return self._quote_result(quote, recordings, created=True)
        raise AssertionError("unreachable")  # pragma: no cover

    def close_quote(self, quote_id: str, *, user: str) -> CommandResult:
        """draft → closed with one RESERVE per line, all or nothing: any line short of
        available stock refuses the whole close, listing every short line. Closing a
        closed (or since delivered) quote again is a no-op."""
        for _ in self._attempts():
            quote = self._quote(quote_id)
            if quote.status in (QuoteStatus.CLOSED, QuoteStatus.DELIVERED):
                return self._quote_result(quote, [], created=False, event_type=Quote.Closed)
            work = Work(self, self.clock(), user)
            quote.close(user)
            short: list[dict[str, Any]] = []
            for index, line in enumerate(quote.lines):
                item = work.item(line.sku, quote.location)
                try:
                    item.reserve(line.quantity, work.src(DocType.QUOTE, quote_id, index), work.at)
                except InsufficientStockError as error:
                    short.extend({"line": index, **detail} for detail in error.errors)
            if short:
                raise InsufficientStockError(
                    f"quote {quote_id} cannot be closed: {len(short)} line(s) short of stock",
                    short,
                )
            work.keep(quote)  # last, so the quote's event holds the command's position
            recordings = self._save_all(work)
            if recordings is not None:
                return self._quote_result(quote, recordings, created=True)
        raise AssertionError("unreachable")  # pragma: no cover

    def cancel_quote(self, quote_id: str, *, user: str) -> CommandResult:
        """draft → cancelled with no movement; closed → cancelled with one RELEASE per line
        for its undelivered reservation; refused once delivered; again is a no-op."""
        for _ in self._attempts():
            quote = self._quote(quote_id)
            if quote.status == QuoteStatus.CANCELLED:
                return self._quote_result(quote, [], created=False, event_type=Quote.Cancelled)
            work = Work(self, self.clock(), user)
            released = quote.cancel(user)
            for index, (line, quantity) in enumerate(zip(quote.lines, released, strict=True)):
                if quantity > 0:
                    item = work.item(line.sku, quote.location)
                    item.release(quantity, work.src(DocType.QUOTE, quote_id, index), work.at)
            work.keep(quote)
            recordings = self._save_all(work)
            if recordings is not None:
                return self._quote_result(quote, recordings, created=True)
        raise AssertionError("unreachable")  # pragma: no cover

    def get_quote(self, quote_id: str) -> QuoteRecord:
        quote = self._quote(quote_id)
        (position,) = self.positions([(quote.id, quote.version)])
        return QuoteRecord.from_quote(quote, position)

    def _quote(self, quote_id: str) -> Quote:
        check_code(quote_id, "quote_id")
        quote = self.get(Quote, Quote.create_id(quote_id))
        if quote is None:
            raise QuoteNotFoundError(quote_id) from None
        return quote

    def _quote_result(
        self,
        quote: Quote,
        recordings: Sequence[Any],
        *,
        created: bool,
        event_version: int | None = None,
        event_type: type[Any] | None = None,
    ) -> CommandResult:
        """A quote command's answer; on a no-op, the position of the event that did it."""
        if recordings:
            result = self._result(DocType.QUOTE.value, quote.quote_id, recordings, created=created)
            position = result.position
            movements = result.movements
        else:
            if event_version is None:
                event_version = next(
                    e.originator_version
                    for e in self.events.get(quote.id, desc=True)
                    if isinstance(e, event_type)  # type: ignore[arg-type]
                )
            (position,) = self.positions([(quote.id, event_version)])
            movements = []
        saved = [r.notification.id for r in recordings if r.domain_event.originator_id == quote.id]
        if saved:  # the quote's newest event was just recorded: no need to look it up
            latest = max(saved)
        else:
            (latest,) = self.positions([(quote.id, quote.version)])
        record = QuoteRecord.from_quote(quote, latest)
        return CommandResult(
            DocType.QUOTE.value, quote.quote_id, movements, position, created, record
        )

    # -- registers: periods, keys, operations (application.periods, application.keys) ----------

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        for transcoding in registers.TRANSCODINGS:
            transcoder.register(transcoding)

    def books(self) -> Books:
        return self.periods.books()

    def close_period(self, command: ClosePeriod, *, user: str) -> tuple[PeriodClose, bool]:
        return self.periods.close(command, user)

    def closed_period(self, period: str) -> tuple[PeriodClose, bool]:
        return self.periods.closed(period)

    def request_rebuild(self, projection: str, *, user: str) -> int:
        """Records a rebuild request for the projection's runner; returns its position."""

        def request(desk: Operations) -> None:
            desk.request_rebuild(projection, user)

        _, recordings = registers.change(self, Operations, request)
        return int(recordings[-1].notification.id)

    def keyring(self) -> KeyRing:
        return self.api_keys.ring()

    def issue_key(self, user: str, role: str, *, issued_by: str) -> tuple[str, str]:
        return self.api_keys.issue(user, role, issued_by=issued_by)

    def revoke_key(self, key_id: str, *, revoked_by: str) -> None:
        self.api_keys.revoke(key_id, revoked_by=revoked_by)

    def authenticate(self, token: str) -> tuple[str, Role] | None:
        return self.api_keys.authenticate(token)


def _need_lines(lines: Sequence[object]) -> None:
    if not lines:
        raise ValidationError("at least one line is required", [{"field": "lines"}])
    if len(lines) > bounds.MAX_LINES:
        raise ValidationError(f"lines has more than {bounds.MAX_LINES} lines", [{"field": "lines"}])
