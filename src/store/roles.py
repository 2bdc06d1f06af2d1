"""Least-privilege PostgreSQL roles for the production topology (docs/OPERATIONS.md).

- ``stockledger_app`` (API processes): SELECT and INSERT on the events and snapshots, the
  position sequence, and the writer lock table — nothing else on the ledger, so it can
  neither UPDATE nor DELETE a recorded event (the append-only trigger stays as a second
  line). It reads the read models the projector owns.
- ``stockledger_projector`` (workers): SELECT on the events; it creates and owns the
  read-model tables, and grants SELECT on them to the app role by default privileges.
"""

from __future__ import annotations

from urllib.parse import quote, urlparse, urlunparse

import psycopg
from psycopg import sql

from store.backend import PG_EVENTS_TABLE, PG_WRITE_LOCK_TABLE

APP_ROLE = "stockledger_app"
PROJECTOR_ROLE = "stockledger_projector"
SNAPSHOTS_TABLE = "ledger_snapshots"


def role_url(url: str, role: str, password: str) -> str:
    """``url`` logging in as ``role`` instead (every host of a multi-host URL kept)."""
    parts = urlparse(url)
    hosts = parts.netloc.rpartition("@")[2]
    netloc = f"{quote(role)}:{quote(password, safe='')}@{hosts}"
    return urlunparse(parts._replace(netloc=netloc))


def grant_roles(owner_url: str, app_password: str, projector_password: str) -> None:
    """Creates (or updates) both roles and their grants; run by the schema owner."""
    with psycopg.connect(owner_url, autocommit=True) as conn:
        dbname = conn.info.dbname
        for role, password in ((APP_ROLE, app_password), (PROJECTOR_ROLE, projector_password)):
            exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone()
            verb = "ALTER" if exists else "CREATE"
            conn.execute(
                sql.SQL("{} ROLE {} LOGIN PASSWORD {}").format(
                    sql.SQL(verb), sql.Identifier(role), sql.Literal(password)
                )
            )
            conn.execute(
                sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(
                    sql.Identifier(dbname), sql.Identifier(role)
                )
            )
            conn.execute(sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(sql.Identifier(role)))
        app, projector = sql.Identifier(APP_ROLE), sql.Identifier(PROJECTOR_ROLE)
        events = sql.Identifier(PG_EVENTS_TABLE)
        statements = [
            sql.SQL("GRANT SELECT, INSERT ON {} TO {}").format(events, app),
            sql.SQL("GRANT SELECT, INSERT ON {} TO {}").format(
                sql.Identifier(SNAPSHOTS_TABLE), app
            ),
            sql.SQL("GRANT USAGE ON SEQUENCE {} TO {}").format(
                sql.Identifier(f"{PG_EVENTS_TABLE}_notification_id_seq"), app
            ),
            # LOCK ... IN EXCLUSIVE MODE needs UPDATE on the (column-less, empty) lock table.
            sql.SQL("GRANT UPDATE ON {} TO {}").format(sql.Identifier(PG_WRITE_LOCK_TABLE), app),
            sql.SQL("GRANT SELECT ON {} TO {}").format(events, projector),
            sql.SQL("GRANT CREATE ON SCHEMA public TO {}").format(projector),
            # The owner may act as the projector, to create the read models it will own.
            sql.SQL("GRANT {} TO CURRENT_USER").format(projector),
            sql.SQL(
                "ALTER DEFAULT PRIVILEGES FOR ROLE {} IN SCHEMA public GRANT SELECT ON TABLES TO {}"
            ).format(projector, app),
        ]
        for statement in statements:
            conn.execute(statement)


def grant_webhooks(owner_url: str) -> None:
    """The API registers, changes and deletes webhooks and reads their attempts; the
    projector role (which owns the tables and delivers) needs nothing more."""
    app = sql.Identifier(APP_ROLE)
    with psycopg.connect(owner_url, autocommit=True) as conn:
        conn.execute(
            sql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON wh_webhooks TO {}").format(app)
        )
        conn.execute(sql.SQL("GRANT SELECT ON wh_attempts TO {}").format(app))


def grant_registry(owner_url: str, table: str) -> None:
    """The API and the projector workers read the tenant registry (where the roles exist)."""
    with psycopg.connect(owner_url, autocommit=True) as conn:
        for role in (APP_ROLE, PROJECTOR_ROLE):
            if conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone():
                conn.execute(
                    sql.SQL("GRANT SELECT ON {} TO {}").format(
                        sql.Identifier(table), sql.Identifier(role)
                    )
                )
