"""How many PostgreSQL connections one ``stockledger serve`` may hold, and whether each
cluster it uses has room for them (docs/OPERATIONS.md "Connections and pool sizes").

Every pool opens its connections on demand and closes them after ``pool_max_idle`` seconds
unused, so an idle store costs next to nothing; the worst case is every pool full at once.
Per store served (the home store and each tenant) and process, at most:

- an API process: ``POOL_SIZE + POOL_MAX_OVERFLOW`` (event store) + ``READ_POOL_SIZE`` (read
  models) + 1 (the control connection: LISTEN for event streams);
- the projector process: ``PROJECTOR_POOL_SIZE`` (the event store's pool, which its runners,
  webhooks and registry look-ups borrow too) + 1 (control: LISTEN and every runner's advisory
  lock), plus one per active webhook (not counted here: the deliverer's own, docs/FEED.md).

``serve`` adds it up per cluster at start and refuses to start where it would not fit in
``max_connections - superuser_reserved_connections - (reserved_connections) - client
connections already open``, or in ``STOCKLEDGER_CONNECTION_LIMIT`` when that is smaller.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import psycopg
from psycopg.conninfo import conninfo_to_dict

from application.settings import Settings
from projections.db import Database
from tenancy.registry import TenantRegistry

log = logging.getLogger("stockledger.serve")

CONTROL = 1  # the control connection of a store in a process (projections.dialects.pg_control)


def api_process(settings: Settings) -> int:
    """An API process's connections per store, at most."""
    return settings.pool_size + settings.pool_max_overflow + settings.read_pool_size + CONTROL


def projector_process(settings: Settings) -> int:
    """The projector process's connections per store, at most (webhooks aside)."""
    return settings.projector_pool_size + CONTROL


def per_store(settings: Settings, workers: int) -> int:
    """One ``serve``'s connections per store: its API processes and its projector process."""
    projector = projector_process(settings) if settings.run_projectors else 0
    return workers * api_process(settings) + projector


def formula(settings: Settings, workers: int) -> str:
    """``per_store`` spelled out with the settings' names and values."""
    api = (
        f"{workers} API process(es) × (POOL_SIZE {settings.pool_size} + POOL_MAX_OVERFLOW "
        f"{settings.pool_max_overflow} + READ_POOL_SIZE {settings.read_pool_size} + 1)"
    )
    if not settings.run_projectors:
        return api
    return f"{api} + projector process (PROJECTOR_POOL_SIZE {settings.projector_pool_size} + 1)"


@dataclass(frozen=True)
class Room:
    """What a cluster lets this serve open, and why."""

    free: int
    reason: str


def room(url: str, limit: int | None) -> Room:
    """The connections a new serve may still open on ``url``'s cluster (this check's own
    connection aside): the server's free slots, or ``limit`` when that is smaller."""
    with psycopg.connect(url, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT name, setting::int FROM pg_settings WHERE name IN "
            "('max_connections', 'superuser_reserved_connections', 'reserved_connections')"
        ).fetchall()
        used = conn.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()"
        ).fetchone()
    values = {str(name): int(value) for name, value in rows}
    in_use = int(used[0]) if used else 0
    parts = [f"max_connections {values['max_connections']}"]
    free = values["max_connections"]
    for name in ("superuser_reserved_connections", "reserved_connections"):
        if values.get(name):
            parts.append(f"{name} {values[name]}")
            free -= values[name]
    parts.append(f"{in_use} already open")
    free -= in_use
    reason = " − ".join(parts)
    if limit is not None and limit < free:
        return Room(limit, f"STOCKLEDGER_CONNECTION_LIMIT {limit}")
    return Room(max(free, 0), reason)


def cluster(url: str) -> str:
    """``host:port`` of a URL (the first host of a multi-host one), the key of its cluster."""
    parts = conninfo_to_dict(url)
    host = str(parts.get("host") or "127.0.0.1").split(",")[0]
    port = str(parts.get("port") or 5432).split(",")[0]
    return f"{host}:{port}"


def stores(settings: Settings, tenant: str | None) -> list[Settings]:
    """The settings of every store ``serve`` opens at start: the home store and each
    registered tenant's, or (``serve --tenant``) that tenant's alone."""
    if tenant is not None:
        return [settings]
    db = Database(settings)
    try:
        tenants = TenantRegistry(db).all()
    finally:
        db.close()
    return [settings, *(t.settings(settings) for t in tenants)]


def refusal(settings: Settings, workers: int, tenant: str | None) -> str | None:
    """Why ``serve`` must not start (a line naming the settings), or None when every
    cluster has room for its worst case. A tenant cluster that cannot be reached is
    logged and left out (serve retries such a tenant on its first request)."""
    if not settings.is_postgres:
        return None
    by_cluster: dict[str, list[Settings]] = {}
    for store in stores(settings, tenant):
        if store.database_url:
            by_cluster.setdefault(cluster(store.database_url), []).append(store)
    each = per_store(settings, workers)
    for where, found in by_cluster.items():
        need = each * len(found)
        try:
            have = room(str(found[0].database_url), settings.connection_limit)
        except psycopg.OperationalError:
            if found[0] is settings:
                raise
            log.warning("cluster %s of a tenant cannot be reached; not counted", where)
            continue
        if need > have.free:
            return (
                f"serve would hold up to {need} connections on PostgreSQL at {where}: "
                f"{len(found)} store(s) × ({formula(settings, workers)}), and it may open "
                f"{have.free} there ({have.reason}). Lower STOCKLEDGER_POOL_SIZE, "
                "STOCKLEDGER_POOL_MAX_OVERFLOW, STOCKLEDGER_READ_POOL_SIZE, "
                "STOCKLEDGER_PROJECTOR_POOL_SIZE or --workers, or give the cluster more "
                'max_connections (docs/OPERATIONS.md "Connections and pool sizes")'
            )
    return None
