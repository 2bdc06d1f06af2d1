"""The ledger's PostgreSQL recorder: group commit, one round trip per transaction.

Commands saved concurrently in one process are written by one thread in one transaction
(leader/followers: whoever finds no batch in flight writes everything queued so far; the
others wait and answer only once their batch has committed or failed). The transaction
goes out as one pipeline with a single Sync::

    BEGIN; <deadline, lock_timeout and NOTIFY>; LOCK ledger_write_lock;
    INSERT … checked, binary arrays … RETURNING; COMMIT

Each command stays all or nothing. The INSERT runs after the writer lock is held, so it
can see every row any other writer will ever commit before it: it leaves out every command
with an event whose (originator_id, version) is already recorded, and inserts the rest in
queue order. A left-out command (lost to a writer in another process), or one that
collides with an earlier command of its own batch, gets the library's ``IntegrityError``
as soon as its batch is written — no 0.2 s retry sleep — and the posting path re-runs it
on the state that batch left. Positions
are assigned in queue order under the lock, so commit order = position order across
batches and processes.

A save may also name the versions of aggregates it read but does not change (``reads``:
catalogue entries, store.catalogue_cache). It is left out the same way when one of
them has a newer version, recorded before or by an earlier save of its own batch: what it
read was current when it committed.

Should the database still refuse a batch on a key (a writer that skips the lock), the
batch is split and each command is written on its own.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import psycopg
from eventsourcing.persistence import (
    IntegrityError,
    InterfaceError,
    OperationalError,
    ProgrammingError,
    StoredEvent,
)
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from eventsourcing.utils import retry
from psycopg.pq import TransactionStatus
from psycopg.sql import SQL, Identifier

from store.writer import Write, WriterGuard

# (originator_id, originator_version): the key a conflict is on.
Key = tuple[UUID | str, int]

# A write transaction's first statement: its timeouts (store.writer) and its notification.
BOUND_SQL = (
    "SELECT set_config('statement_timeout', %s, true), "
    "set_config('idle_in_transaction_session_timeout', %s, true), "
    "set_config('lock_timeout', %s, true), pg_notify(%s, '')"
)
LOCK_BOUND_SQL = "SELECT set_config('lock_timeout', %s, true), pg_notify(%s, '')"


@dataclass(eq=False)
class _Pending:
    """One save waiting for its batch."""

    events: Sequence[StoredEvent]
    write: Write | None
    reads: dict[UUID, int]
    ids: list[int] | None = None
    error: Exception | None = None

    @property
    def settled(self) -> bool:
        return self.ids is not None or self.error is not None

    def refs(self) -> list[Key]:
        return [(e.originator_id, e.originator_version) for e in self.events]


class LedgerRecorder(PostgresApplicationRecorder):
    """The library's PostgreSQL application recorder with group commit (module docstring).
    ``guard`` bounds every write (store.writer); the Ledger sets it."""

    guard: WriterGuard | None = None
    # The Ledger keeps a catalogue cache only over a recorder that checks reads.
    checks_reads = True

    def __init__(
        self, datastore: PostgresDatastore, *, events_table_name: str = "stored_events"
    ) -> None:
        super().__init__(datastore, events_table_name=events_table_name)
        self._cv = threading.Condition()
        self._queue: list[_Pending] = []
        self._writing = False
        # How many saves each batch carried, and how many saves lost a race (read by the
        # benchmark and the tests).
        self.batch_sizes: Counter[int] = Counter()
        self.lost = 0
        # Statements composed once (psycopg composes an SQL object on every execute).
        schema, table = Identifier(self.datastore.schema), Identifier(self.events_table_name)
        self.insert_checked = SQL(
            "WITH batch AS (SELECT * FROM unnest("
            "%b::int4[], %b::uuid[], %b::int8[], %b::text[], %b::bytea[]) WITH ORDINALITY"
            " AS b(save, originator_id, originator_version, topic, state, n)),"
            " reads AS (SELECT * FROM unnest(%b::int4[], %b::uuid[], %b::int8[])"
            " AS r(save, originator_id, originator_version)),"
            " lost AS (SELECT b.save FROM batch b WHERE (SELECT true FROM {schema}.{table} e"
            " WHERE e.originator_id = b.originator_id"
            " AND e.originator_version = b.originator_version)"
            " UNION SELECT r.save FROM reads r WHERE (SELECT max(e.originator_version)"
            " FROM {schema}.{table} e WHERE e.originator_id = r.originator_id)"
            " > r.originator_version)"
            " INSERT INTO {schema}.{table} (originator_id, originator_version, topic, state)"
            " SELECT originator_id, originator_version, topic, state FROM batch"
            " WHERE save NOT IN (SELECT save FROM lost) ORDER BY n"
            " RETURNING originator_id, originator_version, notification_id"
        ).format(schema=schema, table=table)
        self.insert_checked_sql = self.insert_checked.as_string()
        self._lock_sql: tuple[list[Any], list[str]] = ([], [])

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def insert_events(
        self,
        stored_events: Sequence[StoredEvent],
        reads: dict[UUID, int] | None = None,
        **kwargs: Any,
    ) -> Sequence[int]:
        """Records ``stored_events`` all or nothing in the next batch; their positions.
        A dropped connection is retried (until the write's deadline); a key conflict, or a
        newer version of an aggregate in ``reads`` (id → version read), is not."""
        if any(value is not None for value in kwargs.values()):
            raise ProgrammingError(f"the ledger recorder takes no {sorted(kwargs)}")
        if not stored_events:
            return []
        write = self.guard.current() if self.guard else None
        late = self.guard.late(write) if self.guard else None
        if late is not None:
            raise late
        return self._commit(_Pending(stored_events, write, dict(reads or {})))

    @property
    def waiting(self) -> int:
        """Saves queued for the next batch."""
        with self._cv:
            return len(self._queue)

    def _commit(self, pending: _Pending) -> list[int]:
        with self._cv:
            self._queue.append(pending)
            while not pending.settled and self._writing:
                self._cv.wait()
            if not pending.settled:
                self._writing = True
                batch, self._queue = self._queue, []
        if not pending.settled:
            try:
                self._write_batch(batch)
            finally:
                for unsettled in batch:
                    if not unsettled.settled:  # the leader was interrupted
                        unsettled.error = OperationalError("the batch was not written")
                with self._cv:
                    self._writing = False
                    self._cv.notify_all()
        if pending.error is not None:
            raise pending.error
        assert pending.ids is not None
        return pending.ids

    def _write_batch(self, batch: list[_Pending]) -> None:
        """Settles every pending save of ``batch``: its positions, or its error. A save that
        loses to an earlier one of the batch hears so only once the batch is written, so its
        retry reads what it lost to (told at once, it re-ran on the state before, lost again)."""
        ready: list[_Pending] = []
        left_out: list[_Pending] = []
        seen: set[Key] = set()
        newest: dict[UUID | str, int] = {}
        for pending in batch:
            keys = pending.refs()
            late = self.guard.late(pending.write) if self.guard else None
            if late is not None:
                pending.error = late
            elif seen.intersection(keys) or any(
                newest.get(i, 0) > version for i, version in pending.reads.items()
            ):
                left_out.append(pending)
            else:
                seen.update(keys)
                for oid, version in keys:
                    newest[oid] = max(version, newest.get(oid, 0))
                ready.append(pending)
        try:
            if ready:
                self._write_ready(ready)
        finally:
            for pending in left_out:
                pending.error = self._lost()

    def _write_ready(self, ready: list[_Pending]) -> None:
        try:
            self._settle(ready, self._send(ready))
        except IntegrityError as error:
            if len(ready) == 1:
                ready[0].error = error
                return
            for pending in ready:
                try:
                    self._settle([pending], self._send([pending]))
                except Exception as alone:
                    pending.error = alone
        except Exception as error:
            for pending in ready:
                pending.error = error

    def _lost(self) -> IntegrityError:
        self.lost += 1
        return IntegrityError("an event of this save was recorded by a concurrent writer")

    def _bound(self, curs: Any, writes: list[Write]) -> None:
        """The transaction's timeouts: the writes' deadline (store.writer) and at most
        POSTGRES_LOCK_TIMEOUT seconds of waiting for the writer lock; and the notification
        the runners wait for (sent at commit, like NOTIFY), in the same statement."""
        if self.guard is not None:
            timeouts = self.guard.enter(curs, writes, self.datastore.lock_timeout)
            curs.execute(BOUND_SQL, (*timeouts, self.channel_name), prepare=True)
        else:
            lock_ms = str(self.datastore.lock_timeout * 1000)
            curs.execute(LOCK_BOUND_SQL, (lock_ms, self.channel_name))

    def _lock_table(self, curs: Any) -> None:
        statements, composed = self._lock_sql
        if statements is not self.lock_table_statements:
            composed = [_text(statement) for statement in self.lock_table_statements]
            self._lock_sql = (self.lock_table_statements, composed)
        for statement in composed:
            curs.execute(statement, prepare=True)

    def _settle(self, ready: list[_Pending], recorded: dict[Key, int]) -> None:
        for pending in ready:
            ids = [recorded.get(key) for key in pending.refs()]
            if all(i is not None for i in ids):
                pending.ids = [int(i) for i in ids if i is not None]
            else:
                pending.error = self._lost()
        self.batch_sizes[len(ready)] += 1

    def _send(self, ready: list[_Pending]) -> dict[Key, int]:
        """One transaction, one Sync; the positions of what it recorded."""
        columns: tuple[list[Any], ...] = ([], [], [], [], [], [], [], [])
        for number, pending in enumerate(ready):
            for event in pending.events:
                columns[0].append(number)
                columns[1].append(event.originator_id)
                columns[2].append(event.originator_version)
                columns[3].append(event.topic)
                columns[4].append(event.state)
            for aggregate_id, version in pending.reads.items():
                columns[5].append(number)
                columns[6].append(aggregate_id)
                columns[7].append(version)
        writes = [p.write for p in ready if p.write is not None]
        error: Exception | None = None
        rows: list[Any] = []
        with self.datastore.get_connection() as conn:
            try:
                with conn.pipeline() as pipeline:
                    curs, insert = conn.cursor(), conn.cursor()
                    try:
                        curs.execute("BEGIN")
                        self._bound(curs, writes)
                        self._lock_table(curs)
                        insert.execute(self.insert_checked_sql, columns, prepare=True)
                        curs.execute("COMMIT")
                        pipeline.sync()
                        rows = insert.fetchall()
                    except Exception as e:
                        # Raised once the pipeline is closed (psycopg warns otherwise).
                        error = e
            finally:
                if self.guard is not None:
                    self.guard.leave(writes)
            if error is not None:
                _roll_back(conn)
                raise error
        return {(r["originator_id"], r["originator_version"]): r["notification_id"] for r in rows}


def _text(statement: Any) -> str:
    return statement if isinstance(statement, str) else str(statement.as_string())


def _roll_back(conn: psycopg.Connection[Any]) -> None:
    """Ends the failed transaction a pipeline error leaves open (the pool would log it)."""
    if conn.closed or conn.info.transaction_status == TransactionStatus.IDLE:
        return
    with suppress(psycopg.Error):
        conn.execute("ROLLBACK")
