"""The psycopg ceiling: the ledger's write statements, nothing else, from 8 threads.

Each transaction is what one command cost the ledger before group commit, sent the plain
way (one round trip per statement): BEGIN; SET LOCAL lock_timeout; LOCK the writer-lock
table; NOTIFY; INSERT one event row RETURNING its position; COMMIT. No Python work between
statements: the most a process that writes one command per transaction can do, which
is what the application's commands/s are compared with (bench_commands).

``python -m bench.ceiling URL [SECONDS]`` prints transactions/s.
"""

from __future__ import annotations

import sys
import threading
import time
import uuid

import psycopg

THREADS = 8
SETUP = """
CREATE TABLE IF NOT EXISTS ceiling_lock ();
CREATE TABLE IF NOT EXISTS ceiling_events (
    originator_id uuid NOT NULL, originator_version bigint NOT NULL, topic text,
    state bytea, notification_id bigserial,
    PRIMARY KEY (originator_id, originator_version));
CREATE UNIQUE INDEX IF NOT EXISTS ceiling_events_nid ON ceiling_events (notification_id);
"""
# About the size of a stored movement.
STATE = b'{"sku": "C-1", "location": "main", "quantity": "2"' + b" " * 700 + b"}"


def _writer(url: str, start: threading.Event, deadline: list[float], counts: list[int]) -> None:
    with psycopg.connect(url) as conn:
        conn.execute("SELECT 1")
        conn.commit()
        start.wait()
        count = 0
        while time.perf_counter() < deadline[0]:
            with conn.transaction():
                conn.execute("SET LOCAL lock_timeout = '5s'")
                conn.execute("LOCK TABLE ceiling_lock IN EXCLUSIVE MODE")
                conn.execute("NOTIFY ceiling_events")
                conn.execute(
                    "INSERT INTO ceiling_events (originator_id, originator_version, topic, "
                    "state) VALUES (%s, 1, 'ceiling', %s) RETURNING notification_id",
                    (uuid.uuid4(), STATE),
                ).fetchone()
            count += 1
        counts.append(count)


def ceiling(url: str, seconds: float, threads: int = THREADS) -> float:
    """Transactions per second of ``threads`` threads writing as described above."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(SETUP)
    start = threading.Event()
    deadline = [0.0]
    counts: list[int] = []
    workers = [
        threading.Thread(target=_writer, args=(url, start, deadline, counts))
        for _ in range(threads)
    ]
    for worker in workers:
        worker.start()
    began = time.perf_counter()
    deadline[0] = began + seconds
    start.set()
    for worker in workers:
        worker.join()
    return sum(counts) / (time.perf_counter() - began)


if __name__ == "__main__":
    print(f"{ceiling(sys.argv[1], float(sys.argv[2]) if len(sys.argv) > 2 else 10):.0f}")
