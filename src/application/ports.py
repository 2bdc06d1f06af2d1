"""What the use cases need of the ledger: the one port the handlers, the posting path, the
catalogue, recipes, periods, keys and registers depend on (``application.ledger.Ledger``
is the one implementation; they never import it, so the ledger can import them).

It is the eventsourcing application's reading and saving, the ledger's settings and clock,
and the two caches a posting reads through (store.owned, store.catalogue_cache).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, Protocol, TypeVar
from uuid import UUID

from eventsourcing.application import Repository
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import ApplicationRecorder, EventStore, Mapper, Recording

from application.settings import Settings
from store.catalogue_cache import CatalogueCache
from store.owned import Owned

T = TypeVar("T", bound=Aggregate)


class LedgerPort(Protocol):
    """The ledger as its use cases see it."""

    @property
    def settings(self) -> Settings: ...

    @property
    def places(self) -> int:
        """The currency's decimal places (STOCKLEDGER_CURRENCY_DECIMALS)."""
        ...

    @property
    def anchor_key(self) -> bytes | None:
        """The key new movements are anchored with, if any."""
        ...

    @property
    def clock(self) -> Callable[[], datetime]: ...

    @property
    def owned(self) -> Owned:
        """Aggregates this process wrote last, taken without a read (store.owned)."""
        ...

    @property
    def catalogue(self) -> CatalogueCache | None:
        """Items, locations and recipes as postings read them (None: read from the store)."""
        ...

    @property
    def recorder(self) -> ApplicationRecorder: ...

    @property
    def mapper(self) -> Mapper[UUID]: ...

    @property
    def events(self) -> EventStore[UUID]: ...

    @property
    def repository(self) -> Repository[UUID]: ...

    def get(self, cls: type[T], aggregate_id: UUID) -> T | None:
        """The aggregate as recorded, None if it was never created."""
        ...

    def positions(self, refs: Sequence[tuple[UUID, int]]) -> list[int]:
        """The positions of the events (aggregate id, version) named."""
        ...

    def save(self, *objs: Any, **kwargs: Any) -> list[Recording[UUID]]:
        """Records the pending events of ``objs`` in one transaction (IntegrityError when a
        concurrent writer got there first)."""
        ...
