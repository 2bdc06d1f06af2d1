"""The tenant registry: which store holds each tenant's ledger.

One small table, ``sl_tenants``, in the home store beside the read models (as the webhook
registrations are: configuration, not stock history). A row names the tenant and, on
PostgreSQL, the URL of its database, which may be on another cluster; a tenant without a URL
lives in ``<data_dir>/tenants/<name>/`` (SQLite). A URL registered without a user says where
the database is, and every process logs in there as its own home URL does (the API as the
API's role, a worker as the projector's); a URL with a password is only ever shown through
``masked`` and never logged. No table (no tenant ever created) means no
tenants: the home store serves alone, exactly as before tenants existed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit, urlunsplit

from application.errors import ApplicationError
from application.keys import TENANT_NAME
from application.settings import Settings
from projections.db import Database, Session
from store.backend import schema_lock

TABLE = "sl_tenants"


class TenantError(ApplicationError):
    """A tenant name that is malformed, taken, or unknown."""


def checked_name(name: str) -> str:
    """``name`` when it is a tenant name (lower-case letter, then letters, digits or -)."""
    if TENANT_NAME.fullmatch(name) is None:
        msg = f"tenant names are 1-31 of a-z 0-9 - starting with a letter, not {name!r}"
        raise TenantError(msg)
    return name


def _split_login(url: str) -> tuple[str, str]:
    """(``user[:password]``, hosts) of a URL's network location (hosts may be a list)."""
    login, _, hosts = urlsplit(url).netloc.rpartition("@")
    return login, hosts


def masked(url: str | None) -> str:
    """``url`` with its password replaced by ``***`` (what may be printed)."""
    if url is None:
        return ""
    login, hosts = _split_login(url)
    if ":" not in login:
        return url
    user = login.split(":", 1)[0]
    return urlunsplit(urlsplit(url)._replace(netloc=f"{user}:***@{hosts}"))


def without_login(url: str) -> str:
    """``url`` with no user or password: where, not who."""
    return urlunsplit(urlsplit(url)._replace(netloc=_split_login(url)[1]))


def with_login(url: str, login_url: str | None) -> str:
    """``url`` logging in as ``login_url`` does, unless ``url`` names a user itself."""
    login = _split_login(login_url)[0] if login_url else ""
    if _split_login(url)[0] or not login:
        return url
    return urlunsplit(urlsplit(url)._replace(netloc=f"{login}@{_split_login(url)[1]}"))


@dataclass(frozen=True)
class Tenant:
    """One registered tenant and where its ledger lives."""

    name: str
    database_url: str | None
    created_at: str
    created_by: str

    def settings(self, home: Settings) -> Settings:
        """The home settings pointed at this tenant's store (rounding, zone, timeouts and
        pool sizes are the deployment's, shared by every tenant). A registered URL without a
        user logs in as the home URL does, so each process keeps its own role."""
        url = with_login(self.database_url, home.database_url) if self.database_url else None
        return home.model_copy(
            update={
                "database_url": url,
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
