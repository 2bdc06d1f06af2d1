"""Creating a tenant: its store, its schema, its first admin key, then its registry row.

On PostgreSQL a tenant without a URL of its own gets a new database on the home cluster,
``<home database>_<name>`` (the home login needs CREATEDB); with ``--database-url`` the
database named there must exist, on any cluster. On SQLite a tenant lives in
``<data_dir>/tenants/<name>/``. The registry row is written last, so a tenant whose store
could not be prepared is not registered (and ``create`` may simply be run again). Where
the production roles exist, they may read the registry (the API and workers look tenants up).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict

from application.ledger import Ledger
from application.settings import Settings
from domain.access import Role
from projections.db import Database
from store.roles import grant_registry
from tenancy.registry import (
    TABLE,
    Tenant,
    TenantError,
    TenantRegistry,
    checked_name,
    with_login,
    without_login,
)

CREATED_BY = "stockledger tenants create"
# cli.db.migrate_store: what `db migrate` does, on the store the settings name.
Migrate = Callable[[Settings, str], None]


@dataclass(frozen=True)
class Created:
    """A new tenant and its first admin key (the token is shown once)."""

    tenant: Tenant
    key_id: str
    token: str


def database_url_on_home_cluster(home_url: str, name: str) -> str:
    """The URL of database ``<home database>_<name>`` next to the home database, without
    the home login (each process logs in as its own home URL does)."""
    home_db = str(conninfo_to_dict(home_url).get("dbname") or "stockledger")
    database = f"{home_db}_{name.replace('-', '_')}"[:63]
    return without_login(urlunsplit(urlsplit(home_url)._replace(path=f"/{database}")))


class MissingPrivilege(TenantError):
    """The home login lacks a privilege ``create`` needs (PostgreSQL); nothing was changed."""


def create_database(home_url: str, url: str, tenant: str) -> None:
    """Creates the database ``url`` names, through the home login (CREATE DATABASE cannot
    run inside a transaction). Refuses, changing nothing, when the login lacks CREATEDB or
    the database exists already (a store of its own, or one a failed create left)."""
    database = str(conninfo_to_dict(with_login(url, home_url))["dbname"])
    with psycopg.connect(home_url, autocommit=True) as conn:
        row = conn.execute(
            "SELECT current_user::text, rolcreatedb OR rolsuper, "
            "EXISTS (SELECT 1 FROM pg_database WHERE datname = %s) "
            "FROM pg_roles WHERE rolname = current_user",
            (database,),
        ).fetchone()
        user, may_create, exists = row if row else ("this login", False, False)
        if exists:
            raise TenantError(
                f"database {database} exists already: tenant {tenant} was not created "
                f"(drop that database, or name it with --database-url to make it {tenant}'s "
                "store)"
            )
        if not may_create:
            raise MissingPrivilege(
                f"role {user} lacks CREATEDB, needed to create database {database} for "
                f"tenant {tenant} (as a superuser: ALTER ROLE {user} CREATEDB; or create "
                "the database and pass --database-url)"
            )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))


def first_key(settings: Settings, name: str) -> tuple[str, str]:
    """Issues the tenant's first admin key: (key_id, token)."""
    ledger = Ledger(settings, tenant=name)
    try:
        return ledger.issue_key("admin", Role.ADMIN.value, issued_by=CREATED_BY)
    finally:
        ledger.close()


def create_tenant(home: Settings, name: str, database_url: str | None, migrate: Migrate) -> Created:
    """Creates tenant ``name``'s store, migrates it with ``migrate`` (``db migrate``'s
    work: schema, read models, webhook tables, roles), issues its first admin key and
    registers it; refuses a name already taken."""
    checked_name(name)
    if database_url is not None and not database_url.startswith(("postgresql://", "postgres://")):
        raise TenantError("--database-url must be a postgresql:// URL")
    db = Database(home)
    try:
        registry = TenantRegistry(db)
        existing = registry.find(name)
        if existing is not None:
            raise TenantError(
                f"tenant {name} exists already (its ledger: {existing.location}, created "
                f"{existing.created_at}); nothing was changed"
            )
        if database_url is None and home.database_url:
            database_url = database_url_on_home_cluster(home.database_url, name)
            create_database(home.database_url, database_url, name)
        draft = Tenant(name, database_url, "", CREATED_BY)
        settings = draft.settings(home)
        migrate(settings, name)
        key_id, token = first_key(settings, name)
        tenant = registry.add(name, database_url, created_by=CREATED_BY)
        if home.database_url:
            grant_registry(home.database_url, TABLE)
    finally:
        db.close()
    return Created(tenant, key_id, token)
