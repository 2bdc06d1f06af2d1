"""The ledger application: the command side of StockLedger.

Every command of API.md is a frozen dataclass (application.commands) run by
``execute(command, user=...)`` on the one posting path (application.posting), which owns
attempts, the document record, repeats and results; the handlers (application.documents,
quotes, sales, costs: their table is built by the composition root, application.bootstrap)
and the aggregates they drive hold the rules. The catalogue, recipes, period closes, keys
and rebuild requests save on the same attempt loop. Every use case sees this class only
through application.ports.LedgerPort. Observers in ``on_recorded`` hear the position of
every successful save (the read models wake on it).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from copy import deepcopy
from datetime import UTC, datetime
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import (
    AggregateNotFoundError,
    Application,
    ProcessingEvent,
    project_aggregate,
)
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import EventStore, IntegrityError, JSONTranscoder, Recording

from application import catalogue, posting, quotes, recipes, registers
from application.bootstrap import HANDLERS
from application.catalogue import Saved
from application.commands import Command
from application.keys import ACCEPTED, RING_ID, ApiKeys
from application.periods import ClosePeriod, Periods
from application.records import CommandResult, QuoteRecord
from application.settings import Settings
from domain.access import ApiKey, KeyRing, Role
from domain.books import Books, PeriodClose
from domain.item import Item, ItemSpec, Location
from domain.operations import Operations
from domain.recipe import Recipe, RecipeSpec
from domain.stock_item import StockItem
from store import backend
from store.authenticity import AuthenticEventStore, Authenticity
from store.catalogue_cache import CatalogueCache
from store.group_commit import LedgerRecorder
from store.owned import Owned
from store.snapshot_taker import SnapshotTaker
from store.snapshots import CheckedSnapshotStore
from store.transcodings import TRANSCODINGS
from store.writer import WriterGuard

T = TypeVar("T", bound=Aggregate)
Clock = Callable[[], datetime]
# What the catalogue cache holds (store.catalogue_cache), by exact type: a save
# forgets them (an isinstance check against the library's protocols costs more).
CATALOGUE_TYPES = frozenset({Item, Location, Recipe})


def utc_now() -> datetime:
    return datetime.now(UTC)


class Ledger(Application[UUID]):
    """The command side of StockLedger."""

    name = backend.APP_NAME
    # Which function handles which command (the composition root, application.bootstrap).
    handlers = HANDLERS
    # A cold load reads the newest snapshot and at most this many events after it.
    snapshotting_intervals = {StockItem: 100}  # noqa: RUF012 (library's class attribute)

    def __init__(
        self, settings: Settings, clock: Clock | None = None, *, tenant: str | None = None
    ) -> None:
        self.settings = settings
        # The tenant whose ledger this is (None: the home store's); it prefixes its keys.
        self.tenant = tenant
        self.places = settings.currency_decimals
        # The key new movements are anchored with (the first ledger key), if any.
        self.anchor_key: bytes | None = next(iter(settings.ledger_keys), None)
        self.clock: Clock = clock or utc_now
        self.is_postgres = settings.is_postgres
        # Called with the position of every successful save (e.g. ReadModels.notify).
        self.on_recorded: list[Callable[[int], None]] = []
        self.snapshot_taker = SnapshotTaker(lambda i, v: self.take_snapshot(i, version=v))
        with backend.schema_lock(settings):
            super().__init__(env=backend.ledger_env(settings))
            if settings.create_schema:
                backend.install_append_only_guard(self.recorder, settings)
            backend.serialise_writers_on_lock_table(self.recorder, settings)
        self._writer = WriterGuard(settings)
        if isinstance(self.recorder, LedgerRecorder):
            self.recorder.guard = self._writer
        self.owned = Owned(self.repository)
        # Items, locations and recipes read by postings, checked by their saves.
        self.catalogue: CatalogueCache | None = None
        if getattr(self.recorder, "checks_reads", False):
            self.catalogue = CatalogueCache(
                self.get, self.owned.newer, settings.aggregate_cache_size
            )
        self.periods = Periods(self)
        self.api_keys = ApiKeys(self, tenant)

    def construct_event_store(self) -> EventStore[UUID]:
        """With a ledger key, every movement loaded is checked (store.authenticity)."""
        keys = self.settings.ledger_keys
        self.authenticity = Authenticity(keys, self.recorder, self.settings.is_postgres)
        return AuthenticEventStore(self.mapper, self.recorder, self.authenticity)

    def construct_snapshot_store(self) -> EventStore[UUID]:
        """Snapshots are used only when they agree with the events (store.snapshots)."""
        recorder = self.factory.aggregate_recorder(purpose="snapshots")
        store = CheckedSnapshotStore(self.mapper, recorder, self.events)
        store.settle = self.snapshot_taker.settle
        return store

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        for transcoding in TRANSCODINGS:
            transcoder.register(transcoding)

    # -- plumbing -----------------------------------------------------------------------------

    def save(self, *objs: Any, **kwargs: Any) -> list[Recording[UUID]]:
        """The library's save, bounded by STOCKLEDGER_WRITE_TIMEOUT (see store.writer);
        then every ``on_recorded`` observer hears the newest position. ``reads`` (id →
        version) are catalogue entries the save depends on (store.catalogue_cache).
        A save for a caller accepted from the cached key ring also depends on the ring's
        version (application.keys): a loss re-checks the key, raising KeyRevokedError."""
        accepted = ACCEPTED.get()
        if accepted is not None:
            kwargs["reads"] = {**(kwargs.get("reads") or {}), RING_ID: accepted.version}
        try:
            with self._writer.bounded():
                recordings = super().save(*objs, **kwargs)
        except IntegrityError:
            if accepted is not None:
                accepted.confirmed = False
                self.api_keys.confirm(accepted)
            raise
        if accepted is not None:
            accepted.confirmed = True
        if self.catalogue is not None:
            self.catalogue.forget(o.id for o in objs if type(o) in CATALOGUE_TYPES)
        if recordings:
            position = max(r.notification.id for r in recordings)
            for observer in self.on_recorded:
                observer(position)
        return recordings

    def _take_snapshots(self, processing_event: ProcessingEvent[UUID]) -> None:
        """Hands the snapshots due to the snapshot thread (store.snapshot_taker)."""
        due = []
        for event in processing_event.events:
            aggregate = processing_event.aggregates.get(event.originator_id)
            interval = self.snapshotting_intervals.get(type(aggregate)) if aggregate else None
            if interval and event.originator_version % interval == 0:
                due.append((event.originator_id, event.originator_version))
        self.snapshot_taker.schedule(due)

    def close(self) -> None:
        """Takes the snapshots still due, then closes the store."""
        self.snapshot_taker.settle()
        super().close()

    def get(self, cls: type[T], aggregate_id: UUID) -> T | None:
        """The aggregate as recorded, None if it was never created. Only a type that is
        snapshotted looks for a snapshot when it is not cached (one read, not two)."""
        try:
            if cls in self.snapshotting_intervals or self._is_cached(aggregate_id):
                # Never copy an object a command has taken (store.owned: guard).
                with self.owned.guard(aggregate_id):
                    found: Aggregate | None = self.repository.get(aggregate_id)
            else:
                found = self._replay(aggregate_id)
        except AggregateNotFoundError:
            return None
        if found is None:
            return None
        assert isinstance(found, cls)
        return found

    def _is_cached(self, aggregate_id: UUID) -> bool:
        cache = self.repository.cache
        try:
            return cache is not None and cache.get(aggregate_id) is not None
        except KeyError:
            return False

    def _replay(self, aggregate_id: UUID) -> Aggregate | None:
        """An aggregate from its events alone, cached as the library's get would."""
        aggregate: Aggregate | None = project_aggregate(None, self.events.get(aggregate_id))
        cache = self.repository.cache
        if aggregate is None or cache is None:
            return aggregate
        cache.put(aggregate_id, aggregate)
        return deepcopy(aggregate)

    def positions(self, refs: Sequence[tuple[UUID, int]]) -> list[int]:
        return backend.positions_of(self.recorder, refs, self.is_postgres)

    def head(self) -> int:
        return self.recorder.max_notification_id() or 0

    # -- commands -------------------------------------------------------------------------------

    def execute(self, command: Command, *, user: str) -> CommandResult:
        """Runs ``command`` on the posting path: all or nothing, exactly once per document
        (its handler's docstring names the rules it enforces)."""
        return posting.execute(self, self.handlers[type(command)], command, user)

    def get_quote(self, quote_id: str) -> QuoteRecord:
        quote = quotes.load_quote(self, quote_id)
        (position,) = self.positions([(quote.id, quote.version)])
        return QuoteRecord.from_quote(quote, position)

    # -- the catalogue (application.catalogue) ---------------------------------------------------

    def put_item(self, sku: str, spec: ItemSpec, *, user: str) -> tuple[Item, Saved]:
        return catalogue.put_item(self, sku, spec, user)

    def put_location(
        self, code: str, name: str, kind: str | None, *, user: str
    ) -> tuple[Location, Saved]:
        return catalogue.put_location(self, code, name, kind, user)

    # -- recipes (application.recipes) --------------------------------------------------------

    def put_recipe(
        self, menu_item: str, spec: RecipeSpec, *, user: str
    ) -> tuple[Recipe, Saved, bool]:
        return recipes.put_recipe(self, menu_item, spec, user)

    def recipe(self, menu_item: str, version: int | None = None) -> tuple[Recipe, int]:
        return recipes.recipe_at(self, menu_item, version)

    # -- registers: periods, keys, operations (application.periods, application.keys) ----------

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

    def live_key(self, key_id: str) -> ApiKey | None:
        return self.api_keys.live(key_id)
