"""An attacker with direct database access: planting snapshots, rewriting recorded events,
inserting forged movements.

Everything here goes around the ledger, straight to the tables, as the database owner (a
superuser on the test server), the way someone holding the database password would.
"""

from __future__ import annotations

import dataclasses
import sqlite3
from collections.abc import Callable
from contextlib import closing
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import psycopg
from eventsourcing.domain import Snapshot

from application.ledger import Ledger
from domain.movements import GENESIS_HASH, MOVEMENT_FIELDS, recompute_hash
from domain.stock_item import Movement, StockItem
from store import backend


def _run(ledger: Ledger, statements: list[tuple[str, tuple[Any, ...]]]) -> None:
    """Runs statements in one transaction on the ledger's database, as its owner."""
    settings = ledger.settings
    if settings.database_url:
        with psycopg.connect(settings.database_url) as conn:
            for sql, params in statements:
                conn.execute(sql.replace("?", "%s"), params)
        return
    with closing(sqlite3.connect(backend.sqlite_path(settings))) as conn, conn:
        for sql, params in statements:
            conn.execute(sql, params)


def _oid(ledger: Ledger, originator_id: UUID) -> Any:
    return originator_id if ledger.is_postgres else originator_id.hex


def plant_snapshot(
    ledger: Ledger, aggregate_id: UUID, version: int | None = None, **changes: Any
) -> int:
    """INSERTs a snapshot of the aggregate's current state with ``changes`` to its figures,
    at its current version (where no genuine snapshot is) or ``version``; returns that."""
    aggregate = ledger.repository.get(aggregate_id)
    genuine = Snapshot.take(aggregate)
    forged = dataclasses.replace(
        genuine,
        state={**genuine.state, **changes},
        originator_version=version or genuine.originator_version,
    )
    stored = ledger.mapper.to_stored_event(forged)
    table = backend.PG_SNAPSHOTS_TABLE if ledger.is_postgres else backend.SQLITE_SNAPSHOTS_TABLE
    sql = (
        f"INSERT INTO {table} (originator_id, originator_version, topic, state) VALUES (?, ?, ?, ?)"
    )
    _run(
        ledger,
        [
            (
                sql,
                (_oid(ledger, aggregate_id), stored.originator_version, stored.topic, stored.state),
            )
        ],
    )
    return int(stored.originator_version)


def rewrite_movements(
    ledger: Ledger,
    item_id: UUID,
    change: Callable[[Movement], dict[str, Any]],
    *,
    rehash: bool = True,
) -> None:
    """Rewrites every movement of a position with ``change(event)`` applied to its fields,
    recomputing the whole hash chain when ``rehash`` (so only the figures or a MAC tell),
    with the append-only triggers out of the way — as a superuser can."""
    events = [e for e in ledger.events.get(item_id) if isinstance(e, Movement)]
    link = GENESIS_HASH
    rows = []
    for event in events:
        forged = dataclasses.replace(event, **change(event))
        if rehash:
            forged = dataclasses.replace(forged, prev_hash=link)
            forged = dataclasses.replace(forged, hash=recompute_hash(forged))
        link = forged.hash
        if forged != event:
            stored = ledger.mapper.to_stored_event(forged)
            rows.append((stored.state, _oid(ledger, item_id), stored.originator_version))
    if ledger.is_postgres:
        table = backend.PG_EVENTS_TABLE
        before = [(f"ALTER TABLE {table} DISABLE TRIGGER {table}_append_only", ())]
        after = [(f"ALTER TABLE {table} ENABLE TRIGGER {table}_append_only", ())]
    else:
        table = backend.SQLITE_EVENTS_TABLE
        before = [(f"DROP TRIGGER {table}_no_update", ())]
        after = []  # the next Ledger start re-creates it
    update = f"UPDATE {table} SET state = ? WHERE originator_id = ? AND originator_version = ?"
    _run(ledger, [*before, *((update, row) for row in rows), *after])


def update_snapshots(ledger: Ledger, aggregate_id: UUID) -> None:
    """UPDATEs every snapshot row of the aggregate in place (the trigger must refuse it)."""
    table = backend.PG_SNAPSHOTS_TABLE if ledger.is_postgres else backend.SQLITE_SNAPSHOTS_TABLE
    sql = f"UPDATE {table} SET state = state WHERE originator_id = ?"
    _run(ledger, [(sql, (_oid(ledger, aggregate_id),))])


def forge_movement(
    ledger: Ledger, item_id: UUID, quantity: Decimal, *, mac: str | None = None
) -> int:
    """INSERTs a receipt of ``quantity`` at the position's next version, linked and hashed
    as the service would (the hash needs no secret) but with ``mac`` (none by default):
    what the application's database role can do. Returns the forged version."""
    last = next(e for e in ledger.events.get(item_id, desc=True) if isinstance(e, Movement))
    cost = last.unit_cost if last.unit_cost else Decimal(1)
    received = StockItem.Received(
        originator_id=item_id,
        originator_version=last.originator_version + 1,
        timestamp=datetime.now(UTC),
        **{
            **{name: getattr(last, name) for name in MOVEMENT_FIELDS},
            "kind": "RECEIVE",
            "quantity": quantity,
            "on_hand_delta": quantity,
            "reserved_delta": Decimal(0),
            "unit_cost": cost,
            "value": quantity * cost,
            "document_id": "forged",
            "on_hand_after": last.on_hand_after + quantity,
            "value_after": last.value_after + quantity * cost,
            "prev_hash": last.hash,
            "hash": "",
            "mac": mac,
        },
    )
    received = dataclasses.replace(received, hash=recompute_hash(received))
    stored = ledger.mapper.to_stored_event(received)
    table = backend.PG_EVENTS_TABLE if ledger.is_postgres else backend.SQLITE_EVENTS_TABLE
    sql = f"INSERT INTO {table} (originator_id, originator_version, topic, state) "
    sql += "VALUES (?, ?, ?, ?)"
    row = (_oid(ledger, item_id), stored.originator_version, stored.topic, stored.state)
    _run(ledger, [(sql, row)])
    return int(stored.originator_version)
