"""Read-model connections borrowed from the event store's pool (``PostgresDialect.share``).

`serve`'s projector process needs few connections per store: its runners read the ledger
and write their batches one after the other, its webhooks and the registry look-ups are
short. There the read models borrow the event store's pool (``projector_pool_size``)
instead of keeping a pool of their own beside it, so a store costs that pool and its control
connection (docs/OPERATIONS.md "Connections and pool sizes"). The event store's
connections return dictionaries; a borrowed one returns tuples, as the dialect expects,
until it goes back.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from psycopg.rows import tuple_row


class Borrowed:
    """Looks like the dialect's own pool: ``connection()`` and ``close()``."""

    def __init__(self, pool: Any) -> None:
        self._pool = pool

    @contextmanager
    def connection(self) -> Iterator[Any]:
        self._pool.open(wait=False)  # the event store opens its pool on first use
        with self._pool.connection() as conn:
            factory = conn.row_factory
            conn.row_factory = tuple_row
            try:
                yield conn
            finally:
                conn.row_factory = factory

    def close(self) -> None:
        pass  # the event store closes its pool
