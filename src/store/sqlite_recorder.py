"""The ledger's SQLite recorder: the library's, checking a save's catalogue reads.

A posting may read items, locations and recipes from the catalogue cache
(store.catalogue_cache) and hands the versions it read to its save (``reads``).
Inside the write transaction, after its INSERT (so with SQLite's write lock held: no other
writer can commit until this one ends), the save is refused with the library's
``IntegrityError`` when any of them has a newer version recorded; the posting path runs
it again on fresh reads. The PostgreSQL recorder (store.group_commit) makes the same
check in its checked INSERT.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import IntegrityError, StoredEvent
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor


class CheckedSQLiteRecorder(SQLiteApplicationRecorder):
    """``insert_events(stored_events, reads={id: version})``: all or nothing, refused when
    a read aggregate has changed since."""

    # The Ledger keeps a catalogue cache only over a recorder that checks reads.
    checks_reads = True

    def _insert_events(
        self,
        c: SQLiteCursor,
        stored_events: Sequence[StoredEvent],
        reads: dict[UUID, int] | None = None,
        **kwargs: Any,
    ) -> Sequence[int] | None:
        ids = super()._insert_events(c, stored_events, **kwargs)
        for aggregate_id, version in (reads or {}).items():
            c.execute(
                f"SELECT 1 FROM {self.events_table_name} "
                "WHERE originator_id = ? AND originator_version > ? LIMIT 1",
                (aggregate_id.hex, version),
            )
            if c.fetchone() is not None:
                raise IntegrityError(f"{aggregate_id} changed after this save read it")
        return ids
