"""What a server runs for one ledger, and for every tenant's.

A ``Composition`` is one store's parts: the ``Ledger``, its ``ReadModels`` (projectors) and
its ``FeedService`` (head watcher, webhook deliverer), wired as ``create_app`` always wired
them. ``Tenancy`` holds the home store's composition and one per registered tenant: those
known at start are opened at start (so their projectors and webhooks run without waiting for
a request), a tenant created later is opened by the first request that names it. Each
composition has its own pools, sized by the shared settings (docs/OPERATIONS.md "Tenants").
"""

from __future__ import annotations

import logging
import threading

from application.ledger import Ledger
from application.settings import Settings
from feed.service import FeedService
from projections.dialects.postgres import PostgresDialect
from projections.service import ReadModels
from store.backend import event_store_pool
from tenancy.registry import Tenant, TenantRegistry

log = logging.getLogger("stockledger.tenants")


class Composition:
    """One ledger with its read models and feed; ``tenant`` None is the home store.

    ``shared``: the read models and the feed borrow the event store's pool instead of
    keeping their own (`serve`'s projector process, projections.dialects.pg_shared)."""

    def __init__(
        self, settings: Settings, tenant: str | None = None, *, shared: bool = False
    ) -> None:
        self.settings = settings
        self.tenant = tenant
        self.ledger = Ledger(settings, tenant=tenant)
        try:
            self.read_models = ReadModels(settings, self.ledger)
        except BaseException:
            self.ledger.close()
            raise
        dialect = self.read_models.db.dialect
        if shared and isinstance(dialect, PostgresDialect):
            dialect.share(event_store_pool(self.ledger.recorder))
        self.ledger.on_recorded.append(lambda _position: self.read_models.notify())
        self.feed = FeedService(settings, self.ledger, self.read_models.db)

    def start(self) -> None:
        """Projectors and webhook delivery run here unless workers run them."""
        if self.settings.run_projectors:
            self.read_models.start()
        self.feed.start(deliver=self.settings.run_projectors)

    def close(self) -> None:
        self.feed.stop()
        self.read_models.stop()
        self.read_models.close()
        self.ledger.close()


class Tenancy:
    """The compositions a server answers for, found by the tenant a key names.

    ``registry`` None serves the home composition alone (``serve --tenant``)."""

    def __init__(
        self,
        settings: Settings,
        home: Composition,
        registry: TenantRegistry | None,
        *,
        shared: bool = False,
    ) -> None:
        self.settings = settings
        self.home = home
        self.registry = registry
        self.shared = shared  # each tenant's Composition(shared=…)
        self._open: dict[str, Composition] = {}
        self._lock = threading.Lock()
        self._started = False

    def start(self) -> None:
        """Starts the home composition and, where projectors run, every registered tenant's
        (an API process beside a projector process opens a tenant on its first request: no
        connection to an idle tenant). A tenant whose store cannot be opened now is logged
        and skipped: its first request tries again."""
        self.home.start()
        with self._lock:
            self._started = True
            for composition in self._open.values():
                composition.start()
        if self.settings.run_projectors:
            self.open_registered()

    def open_registered(self) -> None:
        """Opens (and, when started, starts) every registered tenant not open yet: how a
        process that answers no requests (the projector process) finds new tenants."""
        for tenant in self.registry.all() if self.registry else []:
            if tenant.name in self._open:
                continue
            with self._lock:
                try:
                    self._opened(tenant)
                except Exception:
                    log.exception("tenant %s could not be opened", tenant.name)

    def stop(self) -> None:
        with self._lock:
            self._started = False
            opened, self._open = list(self._open.values()), {}
        for composition in opened:
            composition.close()
        self.home.close()

    def is_open(self, tenant: str | None) -> bool:
        """Whether ``get(tenant)`` is a look-up in memory (no registry read)."""
        return tenant == self.home.tenant or (tenant or "") in self._open

    def get(self, tenant: str | None) -> Composition | None:
        """The composition of ``tenant`` (None: the home store's); None when unknown."""
        if tenant == self.home.tenant:
            return self.home
        if self.registry is None:
            return None
        found = self._open.get(tenant or "")
        if found is not None or tenant is None:
            return found
        registered = self.registry.find(tenant)
        if registered is None:
            return None
        with self._lock:
            return self._opened(registered)

    def _opened(self, tenant: Tenant) -> Composition:
        """Opens (once) and, when the server runs, starts ``tenant``'s composition."""
        if tenant.name in self._open:
            return self._open[tenant.name]
        composition = Composition(tenant.settings(self.settings), tenant.name, shared=self.shared)
        if self._started:
            composition.start()
        self._open[tenant.name] = composition
        log.info("tenant %s opened", tenant.name)
        return composition
