"""The tenant registry: which store holds each tenant's ledger.

One small table, ``sl_tenants``, in the home store beside the read models (as the webhook
registrations are: configuration, not stock history). A row names the tenant and, on
PostgreSQL, the URL of its database, which may be on another cluster; a tenant without a URL
lives in ``<data_dir>/tenants/<name>/`` (SQLite). The URL may hold a password, so it is only
ever shown through ``masked`` and never logged. No table (no tenant ever created) means no
tenants: the home store serves alone, exactly as before tenants existed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit, urlunsplit

from application.errors import ApplicationError
from application.keys import TENANT_NAME
from application.settings import Settings
from application.store import schema_lock
from projections.db import Database, Session

TABLE = "sl_tenants"


class TenantError(ApplicationError):
    """A tenant name that is malformed, taken, or unknown."""


def checked_name(name: str) -> str:
    """``name`` when it is a tenant name (lower-case letter, then letters, digits or -)."""
    if TENANT_NAME.fullmatch(name) is None:
        msg = f"tenant names are 1-31 of a-z 0-9 - starting with a letter, not {name!r}"
        raise TenantError(msg)
    return name


def masked(url: str | None) -> str:
    """``url`` with its password replaced by ``***`` (what may be printed)."""
    if url is None:
        return ""
    parts = urlsplit(url)
    users, at, hosts = parts.netloc.rpartition("@")
    if not at or ":" not in users:
        return url
    user = users.split(":", 1)[0]
    return urlunsplit(parts._replace(netloc=f"{user}:***@{hosts}"))


@dataclass(frozen=True)
class Tenant:
    """One registered tenant and where its ledger lives."""

    name: str
    database_url: str | None
    created_at: str
    created_by: str

    def settings(self, home: Settings) -> Settings:
        """The home settings pointed at this tenant's store (rounding, zone, timeouts and
        pool sizes are the deployment's, shared by every tenant)."""
        return home.model_copy(
            update={
                "database_url": self.database_url,
                "read_database_url": None,
                "data_dir": home.data_dir / "tenants" / self.name,
            }
        )

    @property
    def location(self) -> str:
        """Where the ledger lives, printable: the masked URL, or the SQLite directory."""
        return masked(self.database_url) or f"tenants/{self.name}/ (SQLite)"


class TenantRegistry:
    """The ``sl_tenants`` table of a home store."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def _exists(self, session: Session) -> bool:
        return TABLE in session.tables(TABLE)

    def all(self) -> list[Tenant]:
        with self.db.session() as session:
            if not self._exists(session):
                return []
            rows = session.execute(
                f"SELECT name, database_url, created_at, created_by FROM {TABLE} ORDER BY name"
            )
        return [Tenant(*row) for row in rows]

    def find(self, name: str) -> Tenant | None:
        with self.db.session() as session:
            if not self._exists(session):
                return None
            rows = session.execute(
                f"SELECT name, database_url, created_at, created_by FROM {TABLE} WHERE name = ?",
                (name,),
            )
        return Tenant(*rows[0]) if rows else None

    def add(self, name: str, database_url: str | None, *, created_by: str) -> Tenant:
        """Registers a tenant whose store is ready; refuses a name already taken."""
        tenant = Tenant(
            checked_name(name),
            database_url,
            datetime.now(UTC).isoformat(timespec="seconds"),
            created_by,
        )
        text = self.db.dialect.column_type("text")
        with schema_lock(self.db.settings), self.db.session() as session:
            session.execute(
                f"CREATE TABLE IF NOT EXISTS {TABLE} (name {text} PRIMARY KEY, "
                f"database_url {text}, created_at {text} NOT NULL, created_by {text} NOT NULL)"
            )
            with session.transaction():
                if session.execute(f"SELECT 1 FROM {TABLE} WHERE name = ?", (name,)):
                    raise TenantError(f"tenant {name} exists already")
                session.execute(
                    f"INSERT INTO {TABLE} (name, database_url, created_at, created_by) "
                    "VALUES (?, ?, ?, ?)",
                    (tenant.name, tenant.database_url, tenant.created_at, tenant.created_by),
                )
        return tenant
