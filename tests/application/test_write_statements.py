"""What one command costs PostgreSQL: the statements of a 1-unit delivery, counted from the
server's own statement log, so the count cannot grow back unnoticed (docs/BENCHMARKS.md;
``python -m bench.statements`` counts them under ``serve``, projector included). And the
write's conflict check stays on the events' key index however the planner weighs the
table: a plan scanning the events table cost every transaction a pass over the ledger."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from application.commands import PostDelivery
from application.ledger import Ledger
from application.settings import Settings
from store.group_commit import LedgerRecorder
from tests.application.helpers import USER, line, receive
from tests.pgserver import PostgresServer

pytestmark = pytest.mark.postgres

# One transaction, sent as one pipeline (one round trip): nothing is read first, because
# the position was written by this process last (store.owned) and the document is new.
DELIVERY = [
    "BEGIN",
    "SELECT set_config('statement_timeout'",  # and pg_notify('ledger_events', '')
    'LOCK TABLE "public"."ledger_write_lock" IN EXCLUSIVE MODE',
    "WITH batch AS (SELECT * FROM unnest(",
    "COMMIT",
]
STATEMENT = re.compile(r"LOG:\s+(?:execute [^:]+|statement): (.*)$")


@pytest.fixture
def logged(pg_server: PostgresServer, pg_url: str, tmp_path: Path) -> Iterator[Settings]:
    """Settings on a fresh database whose every statement the server logs."""
    name = pg_url.rsplit("/", 1)[1]
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(
            sql.SQL("ALTER DATABASE {} SET log_statement = 'all'").format(sql.Identifier(name))
        )
    yield Settings(database_url=pg_url, data_dir=tmp_path / "var")


def statements_of(log: Path, start: int) -> list[str]:
    with log.open("rb") as text:
        text.seek(start)
        lines = text.read().decode(errors="replace").splitlines()
    return [m.group(1) for m in map(STATEMENT.search, lines) if m]


def test_a_delivery_of_one_line_costs_five_statements_in_one_transaction(
    pg_server: PostgresServer, logged: Settings
) -> None:
    assert pg_server.basedir is not None
    log = pg_server.basedir / "server.log"
    ledger = Ledger(logged)
    try:
        receive(ledger, "R-1", "AB-1", "100", "2.50")
        ledger.execute(PostDelivery("D-0", "main", [line("AB-1", "1")]), user=USER)
        start = log.stat().st_size
        ledger.execute(PostDelivery("D-1", "main", [line("AB-1", "1")]), user=USER)
        found = statements_of(log, start)
    finally:
        ledger.close()
    assert len(found) == len(DELIVERY), found
    for statement, expected in zip(found, DELIVERY, strict=True):
        assert statement.startswith(expected), (statement, expected)
    # The runners' notification rides on the timeouts' statement (no NOTIFY of its own).
    assert "pg_notify($4, '')" in found[1], found[1]


def test_the_conflict_check_reads_the_key_index_even_under_a_generic_plan(
    pg_settings: Settings,
) -> None:
    ledger = Ledger(pg_settings)
    try:
        receive(ledger, "R-1", "AB-1", "100", "2.50")
        recorder = ledger.recorder
        assert isinstance(recorder, LedgerRecorder)
        statement = recorder.insert_checked_sql
    finally:
        ledger.close()
    assert pg_settings.database_url is not None
    with psycopg.connect(pg_settings.database_url, autocommit=True) as conn:
        # Tens of thousands of events: where a hash join over a scan of the table looked
        # cheapest to the planner (rows of other aggregates: nothing here conflicts).
        conn.execute(
            "INSERT INTO ledger_events (originator_id, originator_version, topic, state) "
            "SELECT gen_random_uuid(), 1, 'filler', '' FROM generate_series(1, 30000)"
        )
        conn.execute("ANALYZE ledger_events")
        conn.execute("SET plan_cache_mode = force_generic_plan")
        ids = [uuid.uuid4(), uuid.uuid4()]
        params = ([0, 1], ids, [1, 1], ["t", "t"], [b"{}", b"{}"], [0], [ids[0]], [1])
        with conn.transaction(force_rollback=True):
            plan = conn.execute(
                "EXPLAIN " + statement.replace("%b", "%s"), params, prepare=True
            ).fetchall()
    text = "\n".join(str(row[0]) for row in plan)
    assert "Seq Scan on ledger_events" not in text, text
    assert "Hash" not in text, text
    assert text.count("using ledger_events_pkey on ledger_events") == 2, text
