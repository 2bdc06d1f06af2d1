"""ReadModels: the read side as the server, the CLI and the worker use it.

It opens the read-model store (creating the registry and a first, empty generation of each
projection), runs the projections (threads inside the server, or a blocking worker loop),
answers queries, reports status, waits for read-your-writes, rebuilds and verifies the read
models. A projection whose VERSION in code is newer than the one that built its live table
is rebuilt in the background by ``start``/``run`` while the old table keeps serving (and,
where old-code workers still run, being maintained by them). Code older than the live
version never rebuilds or writes it: its runners step down (see ``projections.runner``).
"""

from __future__ import annotations

import functools
import sqlite3
import threading
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

import psycopg

from application.errors import ConcurrencyConflictError, NotFoundError
from application.ledger import Ledger
from application.periods import period_of_now
from application.settings import Settings
from application.store import schema_lock
from projections.balances import Balances
from projections.base import REGISTRY_DDL, Projection, entry
from projections.cogs import Cogs
from projections.db import Database
from projections.movements import Movements
from projections.queries import Queries
from projections.rebuild import Rebuild, clean_abandoned
from projections.runner import Runner, head_of, log
from projections.verify import VerifyReport, verify

__all__ = ["ReadModels", "VerifyReport"]

# The rebuild target naming every projection at once.
ALL = "all"
# Beyond this many unread notifications a projection reports "catching_up".
CATCHING_UP = 1000
# A rebuild that has not reported for this long is considered dead (its process was killed).
REBUILD_STALE_S = 15.0


class ReadModels:
    """Every read model of one ledger, on SQLite or PostgreSQL (chosen by ``settings``)."""

    def __init__(self, settings: Settings, ledger: Ledger, *, batch_size: int = 1000) -> None:
        self.settings = settings
        self.ledger = ledger
        self.zone = settings.zone
        self.batch_size = batch_size
        self.db = Database(settings)
        self.balances = Balances(self.zone)
        self.movements_view = Movements(self.zone)
        self.cogs_view = Cogs(self.zone)
        self.projections: dict[str, Projection] = {
            p.NAME: p for p in (self.balances, self.movements_view, self.cogs_view)
        }
        self.queries = Queries(self.db, self.balances, self.movements_view, self.cogs_view)
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._runners: list[Runner] = []
        self._progress = threading.Condition()
        self._initialise()

    def _initialised(self) -> bool:
        """True when the registry lists every projection: then no DDL is needed, which lets
        a role that may only read the read models (the API's, in production) open them."""
        try:
            with self.db.session() as session:
                return all(entry(session, name) is not None for name in self.projections)
        except (sqlite3.Error, psycopg.Error):
            return False

    def _initialise(self) -> None:
        if self._initialised():
            return
        with schema_lock(self.settings), self.db.session() as session, session.transaction():
            for statement in REGISTRY_DDL:
                session.execute(statement)
            for p in self.projections.values():
                if entry(session, p.NAME) is None:
                    p.create_table(session, p.table(1))
                    session.execute(
                        "INSERT INTO rm_registry (name, version, generation, position, schema) "
                        "VALUES (?, ?, 1, 0, ?)",
                        (p.NAME, p.VERSION, p.schema()),
                    )

    def _projection(self, name: str) -> Projection:
        try:
            return self.projections[name]
        except KeyError:
            raise NotFoundError(f"no projection named {name}") from None

    # -- running ---------------------------------------------------------------------------

    def _progressed(self) -> None:
        with self._progress:
            self._progress.notify_all()

    def _spawn(self, names: Sequence[str], stop: threading.Event) -> list[threading.Thread]:
        threads = []
        for name in names:
            clean_abandoned(self.db, self._projection(name))
            runner = Runner(
                self.db,
                self.ledger,
                self._projection(name),
                batch_size=self.batch_size,
                on_progress=self._progressed,
                on_rebuild_request=functools.partial(self._requested, name),
            )
            self._runners.append(runner)
            threads.append(
                threading.Thread(
                    target=runner.run, args=(stop,), daemon=True, name=f"projection-{name}"
                )
            )
            if self._outdated(name):
                threads.append(
                    threading.Thread(
                        target=self._upgrade, args=(name, stop), daemon=True, name=f"upgrade-{name}"
                    )
                )
        for thread in threads:
            thread.start()
        return threads

    def _outdated(self, name: str) -> bool:
        with self.db.session() as session:
            current = entry(session, name)
        # Only ever upgrade: a newer version live means this process runs old code.
        return current is not None and current.version < self.projections[name].VERSION

    def _upgrade(self, name: str, stop: threading.Event) -> None:
        """Background rebuild after a version bump; waits if another process is doing it."""
        while not stop.is_set() and self._outdated(name):
            try:
                Rebuild(self.db, self.ledger, self.projections[name]).run(wait=True)
            except Exception:
                log.exception("background rebuild of %s failed; retrying", name)
                stop.wait(2.0)
        self._progressed()

    def start(self) -> None:
        """Runner threads for every projection (and version-bump rebuilds)."""
        if self._threads:
            return
        self._stop.clear()
        self._threads = self._spawn(list(self.projections), self._stop)

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=10)
        self._threads = []
        self._runners = []

    def notify(self) -> None:
        """Hint that new events exist: SQLite runners poll at once (PostgreSQL has NOTIFY)."""
        for runner in self._runners:
            runner.wake.set()

    def run(self, names: Sequence[str] | None, stop: threading.Event) -> None:
        """Worker loop: follow the ledger for ``names`` (all by default) until ``stop``."""
        chosen = list(names or self.projections)
        for name in chosen:
            self._projection(name)
        threads = self._spawn(chosen, stop)
        stop.wait()
        for thread in threads:
            thread.join(timeout=10)

    # -- status ----------------------------------------------------------------------------

    def positions(self) -> dict[str, int]:
        with self.db.session() as session:
            rows = session.execute("SELECT name, position FROM rm_registry")
        return {str(n): int(p) for n, p in rows}

    def wait_for(self, position: int, timeout: float = 5.0) -> bool:  # ok-float: seconds
        """True once every projection has read ≥ ``position``; False after ``timeout``.

        A position beyond the ledger's head is waited for too: it may be written meanwhile
        (read-your-writes through another process), and answering at once would be stale."""
        deadline = time.monotonic() + timeout
        while True:
            self.notify()
            for runner in self._runners:
                runner.hurry.set()
            if min(self.positions().values()) >= position:
                return True
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            with self._progress:
                self._progress.wait(min(remaining, 0.02))

    def status(self) -> list[dict[str, Any]]:
        head = head_of(self.ledger)
        with self.db.session() as session:
            rebuilds = {
                str(r[0]): r
                for r in session.execute(
                    "SELECT name, position, head, events_per_s, updated_at, version "
                    "FROM rm_rebuilds"
                )
            }
            entries = {name: entry(session, name) for name in self.projections}
        out = []
        for name, p in self.projections.items():
            current = entries[name]
            assert current is not None
            lag = max(head - current.position, 0)
            running = rebuilds.get(name)
            updated_at = float(running[4]) if running is not None else 0.0  # ok-float: epoch s
            fresh = running is not None and time.time() - updated_at < REBUILD_STALE_S
            rebuild = None
            if running is not None and fresh:
                rebuild = {
                    "position": int(running[1]),
                    "head": max(int(running[2]), head),
                    "events_per_s": round(float(running[3]), 1),  # ok-float: a rate
                    "version": int(running[5]),
                }
            # The truth from any process, whatever its code: ``version`` is the live one,
            # ``code_version`` this process's; a version newer than the live one is being
            # (or about to be) built; an older process sees the newer version live.
            if fresh or current.version < p.VERSION:
                state = "rebuilding"
            elif lag > CATCHING_UP:
                state = "catching_up"
            else:
                state = "live"
            out.append(
                {
                    "name": name,
                    "version": current.version,
                    "code_version": p.VERSION,
                    "position": current.position,
                    "head": head,
                    "lag": lag,
                    "state": state,
                    "rebuild": rebuild,
                }
            )
        return out

    # -- rebuild and verify ----------------------------------------------------------------

    def rebuild(
        self,
        name: str,
        progress: Callable[[dict[str, Any]], None] | None = None,
        *,
        wait: bool = False,
    ) -> None:
        """Blocking blue/green rebuild; the live table serves until the switch-over.

        ``name`` "all" rebuilds every projection in one read of the ledger. ``wait`` waits
        for a rebuild already running elsewhere instead of refusing."""
        chosen = list(self.projections.values()) if name == ALL else [self._projection(name)]
        Rebuild(self.db, self.ledger, chosen, progress).run(wait=wait)
        self._progressed()

    def _requested(self, name: str) -> None:
        """A rebuild request read from the ledger: start one in the background unless one
        of that projection is already running (in any process)."""

        def work() -> None:
            try:
                Rebuild(self.db, self.ledger, self.projections[name]).run(wait=False)
            except ConcurrencyConflictError:
                log.info("rebuild of %s requested while one is running; not repeated", name)
            except Exception:
                log.exception("requested rebuild of %s failed", name)

        thread = threading.Thread(target=work, daemon=True, name=f"rebuild-{name}")
        thread.start()
        self._threads.append(thread)

    def verify(self, progress: Callable[[str, int, int], None] | None = None) -> VerifyReport:
        return verify(
            self.db,
            self.ledger,
            list(self.projections.values()),
            self.zone,
            progress,
            keys=self.ledger.settings.ledger_keys,
        )

    # -- queries ---------------------------------------------------------------------------

    def stock_list(
        self, location: str | None, sku_prefix: str | None, limit: int, cursor: str | None
    ) -> dict[str, Any]:
        return self.queries.stock_list(location, sku_prefix, limit, cursor)

    def stock_of_sku(self, sku: str) -> dict[str, Any]:
        return self.queries.stock_of_sku(sku)

    def balance(self, sku: str, location: str) -> dict[str, Any]:
        return self.queries.balance(sku, location)

    def stock_at(self, sku: str, location: str, time: datetime) -> dict[str, Any]:
        return self.queries.stock_at(sku, location, time)

    def movements(
        self,
        sku: str,
        location: str,
        from_: datetime | None,
        to: datetime | None,
        kind: str | None,
        limit: int,
        cursor: str | None,
    ) -> dict[str, Any]:
        return self.queries.movements(sku, location, from_, to, kind, limit, cursor)

    def cogs(
        self,
        from_: str | None,
        to: str | None,
        location: str | None,
        sku: str | None,
        group_by: Sequence[str],
    ) -> dict[str, Any]:
        return self.queries.cogs(from_, to, location, sku, group_by)

    def valuation(
        self, period: str | None, location: str | None, sku: str | None
    ) -> dict[str, Any]:
        current = period_of_now(self.ledger.clock(), self.zone)
        return self.queries.valuation(period, location, sku, default=current)

    def close(self) -> None:
        self.stop()
        self.db.close()
