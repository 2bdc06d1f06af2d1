"""The ledger application: the command side of StockLedger.

Every command of API.md is a frozen dataclass (application.commands) run by
``execute(command, user=...)`` on the one posting path (application.posting), which owns
attempts, the document record, repeats and results; the handlers (application.documents,
application.quotes) and the aggregates they drive hold the rules. Observers in
``on_recorded`` hear the position of every successful save (the read models wake on it).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import EventStore, IntegrityError, JSONTranscoder, Recording

from application import documents, posting, quotes, store
from application.commands import Command
from application.keys import check_token, hash_secret, well_formed
from application.records import CommandResult, QuoteRecord
from application.settings import Settings
from application.snapshots import CheckedSnapshotStore
from application.transcodings import DocumentDetailsAsDict
from application.writer import WriterGuard
from domain.access import KeyRing
from domain.books import Books
from domain.operations import Operations
from domain.stock_item import StockItem

T = TypeVar("T", bound=Aggregate)
Clock = Callable[[], datetime]
# The handlers register themselves with the posting path on import.
HANDLER_MODULES = (documents, quotes)


def utc_now() -> datetime:
    return datetime.now(UTC)


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
        # Called with the position of every successful save (e.g. ReadModels.notify).
        self.on_recorded: list[Callable[[int], None]] = []
        # (stored version, ring): the copy of the key ring authenticate trusts while the
        # store holds no newer KeyRing event.
        self._ring_cache: tuple[int, KeyRing] | None = None
        with store.schema_lock(settings):
            super().__init__(env=store.ledger_env(settings))
            if settings.create_schema:
                store.install_append_only_guard(self.recorder, settings)
            store.serialise_writers_on_lock_table(self.recorder, settings)
        self._writer = WriterGuard(self.recorder, settings)

    def construct_snapshot_store(self) -> EventStore[UUID]:
        """Snapshots are used only when they agree with the events (application.snapshots)."""
        recorder = self.factory.aggregate_recorder(purpose="snapshots")
        return CheckedSnapshotStore(self.mapper, recorder, self.events)

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DocumentDetailsAsDict())

    # -- plumbing -----------------------------------------------------------------------------

    def save(self, *objs: Any, **kwargs: Any) -> list[Recording[UUID]]:
        """The library's save, bounded by STOCKLEDGER_WRITE_TIMEOUT (see application.writer);
        then every ``on_recorded`` observer hears the newest position."""
        with self._writer.bounded():
            recordings = super().save(*objs, **kwargs)
        if recordings:
            position = max(r.notification.id for r in recordings)
            for observer in self.on_recorded:
                observer(position)
        return recordings

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

    def _attempts(self) -> Iterator[int]:
        return posting.attempts()

    # -- commands -------------------------------------------------------------------------------

    def execute(self, command: Command, *, user: str) -> CommandResult:
        """Runs ``command`` on the posting path: all or nothing, exactly once per document
        (its handler's docstring names the rules it enforces)."""
        return posting.execute(self, command, user)

    def get_quote(self, quote_id: str) -> QuoteRecord:
        quote = quotes.load_quote(self, quote_id)
        (position,) = self.positions([(quote.id, quote.version)])
        return QuoteRecord.from_quote(quote, position)

    # -- periods and keys ------------------------------------------------------------------------

    def books(self) -> Books:
        return self.get(Books, Books.create_id()) or Books()

    def record_period_close(
        self,
        period: str,
        position: int,
        digest: str,
        totals: dict[str, Any],
        *,
        user: str,
        first_period: str | None,
    ) -> tuple[dict[str, Any], bool]:
        """Records a period close once, in calendar order (``first_period``: the period of
        the ledger's first movement); closing it again answers the original close."""
        for _ in self._attempts():
            books = self.books()
            if period in books.closes:
                return books.closes[period], False
            books.close_period(period, user, position, digest, totals, self.clock(), first_period)
            try:
                self.save(books)
            except IntegrityError:
                continue
            return books.closes[period], True
        raise AssertionError("unreachable")  # pragma: no cover

    def request_rebuild(self, projection: str, *, user: str) -> int:
        """Records a rebuild request for the projection's runner; returns its position."""
        for _ in self._attempts():
            desk = self.get(Operations, Operations.create_id()) or Operations()
            desk.request_rebuild(projection, user)
            try:
                recordings = self.save(desk)
            except IntegrityError:
                continue
            return int(recordings[-1].notification.id)
        raise AssertionError("unreachable")  # pragma: no cover

    def keyring(self) -> KeyRing:
        return self.get(KeyRing, KeyRing.create_id()) or KeyRing()

    def issue_key(self, user: str, role: str, *, issued_by: str) -> tuple[str, str]:
        """A new API key for ``user`` with ``role``; returns (key_id, token). Only the
        hash of the secret is recorded; the token is shown once."""
        for _ in self._attempts():
            ring = self.keyring()
            key_id = secrets.token_hex(6)
            secret = secrets.token_urlsafe(32)
            ring.issue(key_id, user, role, hash_secret(secret), issued_by)
            try:
                self.save(ring)
            except IntegrityError:
                continue
            self._ring_cache = None
            return key_id, f"sl_{key_id}_{secret}"
        raise AssertionError("unreachable")  # pragma: no cover

    def revoke_key(self, key_id: str, *, revoked_by: str) -> None:
        for _ in self._attempts():
            ring = self.keyring()
            ring.revoke(key_id, revoked_by)
            try:
                self.save(ring)
            except IntegrityError:
                continue
            self._ring_cache = None
            return

    def authenticate(self, token: str) -> tuple[str, str] | None:
        """(user, role) for a valid, unrevoked token, else None.

        A malformed token is refused without touching the store. Otherwise one indexed
        probe asks whether the key ring has an event newer than the cached copy; only
        then is the ring read again. So a revocation or an issue in any process counts
        from the next request, and bad tokens never cost a ring reload."""
        if not well_formed(token):
            return None
        return check_token(self._current_ring(), token)

    def _current_ring(self) -> KeyRing:
        cached = self._ring_cache
        ring_id = KeyRing.create_id()
        if cached is not None and not self.recorder.select_events(ring_id, gt=cached[0], limit=1):
            return cached[1]
        stored = self.get(KeyRing, ring_id)
        ring = stored or KeyRing()
        self._ring_cache = (stored.version if stored else 0, ring)
        return ring
