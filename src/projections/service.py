"""ReadModels: the read side's composition root, as the server, the CLI and the worker use it.

It wires the store (``Database`` over the backend's dialect), the registry, the ledger as an
``EventSource``, one runner per read model and the views the API reads (``stock``,
``movements``, ``cogs`` (COGS and valuation), ``catalogue``). It creates the registry and
a first, empty generation of each projection, runs the projections (threads inside the
server, or a blocking worker loop), reports status (``projections.health``), waits for
read-your-writes, rebuilds and verifies. A projection whose VERSION in code is newer than
the one that built its live table is rebuilt in the background by ``start``/``run`` while
the old table keeps serving (and, where old-code workers still run, being maintained by
them). Code older than the live version never rebuilds or writes it: its runners step down
(see ``projections.runner``).
"""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from application.errors import ConcurrencyConflictError, NotFoundError
from application.events import LedgerEvents
from application.ledger import Ledger
from application.settings import Settings
from projections.avt import AvtView, SaleLines
from projections.balances import Balances, StockView
from projections.base import Projection
from projections.billing import Billing, BillingView
from projections.catalogue import CatalogueView, Items, Locations
from projections.cogs import Cogs
from projections.cogs_view import CogsView
from projections.count_sheets import CountSheets, CountSheetView
from projections.db import Database
from projections.dialects.postgres import PostgresDialect
from projections.event_reader import SharedReader
from projections.food_cost import FoodCost, FoodCostView
from projections.health import ensure_table, statuses
from projections.movements import Movements, MovementView
from projections.purchase_orders import PurchaseOrders, PurchaseOrderView
from projections.rebuild import Rebuild
from projections.rebuild_split import OpenLedger
from projections.registry import clean_abandoned, entry, positions, register
from projections.runner import Runner
from projections.step import log
from projections.verify import MAX_LAG, VerifyReport, verify
from store.backend import schema_lock

__all__ = ["ReadModels", "VerifyReport"]

# The rebuild target naming every projection at once.
ALL = "all"


class ReadModels:
    """Every read model of one ledger, on SQLite or PostgreSQL (chosen by ``settings``)."""

    def __init__(self, settings: Settings, ledger: Ledger, *, batch_size: int = 1000) -> None:
        self.settings = settings
        self.ledger = ledger
        self.zone = settings.zone
        self.batch_size = batch_size
        self.db = Database(settings)
        # The runners share the pool's connections on PostgreSQL (one each otherwise held).
        self._runner_db = self.db.leasing() if settings.is_postgres else self.db
        # Where the views read: a hot standby when STOCKLEDGER_READ_DATABASE_URL names one.
        self.query_db = Database(settings.for_queries) if settings.read_database_url else self.db
        self.events = LedgerEvents(ledger)
        self.reader = SharedReader(self.events)  # one read and decode for all the runners
        balances, movements, cogs = Balances(self.zone), Movements(self.zone), Cogs(self.zone)
        items, locations = Items(self.zone), Locations(self.zone)
        food_cost = FoodCost(self.zone)
        sheets, sale_lines = CountSheets(self.zone), SaleLines(self.zone)
        billing, orders = Billing(self.zone), PurchaseOrders(self.zone)
        self.projections: dict[str, Projection] = {
            p.NAME: p
            for p in (
                *(balances, movements, cogs, items, locations, food_cost, sheets, sale_lines),
                *(billing, orders),
            )
        }
        # The views the API reads (api.deps: StockViewDep, MovementViewDep, ReportsDep).
        self.stock = StockView(self.query_db, balances)
        self.movements = MovementView(self.query_db, movements)
        self.cogs = CogsView(self.query_db, cogs, ledger.clock)
        self.catalogue = CatalogueView(self.query_db, items, locations, self.stock)
        self.food_cost = FoodCostView(self.query_db, food_cost)
        self.count_sheets = CountSheetView(self.query_db, sheets)
        self.avt = AvtView(self.query_db, movements, sale_lines)
        self.purchase_orders = PurchaseOrderView(self.query_db, orders)
        self.billing = BillingView(self.query_db, billing)
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
        except self.db.dialect.errors:
            return False

    def _initialise(self) -> None:
        if self._initialised():
            ensure_table(self.db)  # a store registered before rm_failures existed
            return
        with schema_lock(self.settings), self.db.session() as session, session.transaction():
            register(session, self.projections.values())

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
                self._runner_db,
                self.reader,
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
                Rebuild(self.db, self.events, self.projections[name]).run(wait=True)
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
        """Hint that new events exist: SQLite runners poll at once, PostgreSQL ones stop
        waiting for a NOTIFY (an event written without one, or not yet arrived)."""
        for runner in self._runners:
            runner.wake.set()
        if self._runners and isinstance(self.db.dialect, PostgresDialect):
            self.db.dialect.wake()

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

    def positions(self, *, queried: bool = False) -> dict[str, int]:
        """Each projection's position on the primary, or (``queried``) where queries read:
        none there while a fresh standby has not replayed the registry yet."""
        with (self.query_db if queried else self.db).session() as session:
            try:
                return positions(session)
            except session.dialect.errors as error:
                if queried and session.missing_table(error, "rm_registry"):
                    return {}
                raise

    def wait_for(self, position: int, timeout: float = 5.0) -> bool:  # ok-float: seconds
        """True once every projection has read ≥ ``position`` where the queries read (on a
        standby: replayed there); False after ``timeout``.

        A position beyond the ledger's head is waited for too: it may be written meanwhile
        (read-your-writes through another process), and answering at once would be stale."""
        deadline = time.monotonic() + timeout
        while True:
            self.notify()
            for runner in self._runners:
                runner.hurry.set()
            if min(self.positions(queried=True).values(), default=-1) >= position:
                return True
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            with self._progress:
                self._progress.wait(min(remaining, 0.02))

    def settle(self, position: int | None = None) -> bool:
        """Wait (up to the read-your-writes wait) until every read model has read ``position``
        (by default the ledger's head), so figures drawn from two read models tie; False if
        they are still behind it."""
        target = self.events.head() if position is None else position
        return self.wait_for(target, self.settings.read_your_writes_wait)

    def status(self) -> list[dict[str, Any]]:
        """Each projection's live and code versions, position, lag and state."""
        head = self.events.head()
        with self.db.session() as session:
            return statuses(session, self.projections.values(), head, self.events)

    # -- rebuild and verify ----------------------------------------------------------------

    def rebuild(
        self,
        name: str,
        progress: Callable[[dict[str, Any]], None] | None = None,
        *,
        wait: bool = False,
        processes: int = 1,
    ) -> None:
        """Blocking blue/green rebuild; the live table serves until the switch-over.

        ``name`` "all" rebuilds every projection in one read of the ledger, or split among
        ``processes`` (projections.rebuild_split). ``wait`` waits for a rebuild already
        running elsewhere instead of refusing."""
        chosen = list(self.projections.values()) if name == ALL else [self._projection(name)]
        split = OpenLedger(self.settings) if processes > 1 else None
        Rebuild(self.db, self.events, chosen, progress, open_events=split, processes=processes).run(
            wait=wait
        )
        self._progressed()

    def _requested(self, name: str) -> None:
        """A rebuild request read from the ledger: start one in the background unless one
        of that projection is already running (in any process)."""

        def work() -> None:
            try:
                Rebuild(self.db, self.events, self.projections[name]).run(wait=False)
            except ConcurrencyConflictError:
                log.info("rebuild of %s requested while one is running; not repeated", name)
            except Exception:
                log.exception("requested rebuild of %s failed", name)

        thread = threading.Thread(target=work, daemon=True, name=f"rebuild-{name}")
        thread.start()
        self._threads.append(thread)

    def verify(
        self,
        progress: Callable[[str, int, int], None] | None = None,
        *,
        max_lag: int = MAX_LAG,
    ) -> VerifyReport:
        """``max_lag``: how far behind the head a read model may be (projections.verify)."""
        return verify(
            self.db,
            self.events,
            self.ledger,
            list(self.projections.values()),
            self.zone,
            progress,
            keys=self.ledger.settings.ledger_keys,
            max_lag=max_lag,
        )

    def close(self) -> None:
        self.stop()
        self.db.close()
        if self.query_db is not self.db:
            self.query_db.close()
