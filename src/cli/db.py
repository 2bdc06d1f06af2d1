"""`stockledger db migrate`: create the schema and the production roles, once per release.

Creating the roles needs a login with CREATEROLE (or a superuser); without it migrate stops
before changing anything, with one line naming the missing attribute.
"""

from __future__ import annotations

import os
import sys

import psycopg
import typer

from application.ledger import Ledger
from application.settings import Settings
from cli.context import TenantOption, tenant_settings
from cli.failures import DATABASE_EXIT
from store.roles import APP_ROLE, PROJECTOR_ROLE, grant_roles, grant_webhooks, role_url

db_app = typer.Typer(
    help="Schema and database roles (run by the database owner).", no_args_is_help=True
)


@db_app.command("migrate")
def migrate(tenant: TenantOption = None) -> None:
    """Create the event tables, the append-only trigger and (on PostgreSQL, when
    STOCKLEDGER_APP_PASSWORD and STOCKLEDGER_PROJECTOR_PASSWORD are set) the least-privilege
    roles the API and the projector workers log in as; in --tenant's store if given."""
    migrate_store(tenant_settings(tenant), tenant)


def migrate_store(settings: Settings, tenant: str | None) -> None:
    """``db migrate`` on the store ``settings`` name (``tenants create`` runs it on a new
    tenant's store, so a tenant gets the same roles and table owners as the home store)."""
    from feed.webhooks import Webhooks
    from projections.db import Database
    from projections.service import ReadModels

    settings = settings.model_copy(update={"create_schema": True})
    app_password = os.environ.get("STOCKLEDGER_APP_PASSWORD")
    projector_password = os.environ.get("STOCKLEDGER_PROJECTOR_PASSWORD")
    if settings.database_url and app_password and projector_password:
        require_createrole(settings.database_url)
    ledger = Ledger(settings, tenant=tenant)
    typer.echo("schema ready")
    views = settings
    if settings.database_url and app_password and projector_password:
        grant_roles(settings.database_url, app_password, projector_password)
        typer.echo(f"roles ready: {APP_ROLE}, {PROJECTOR_ROLE}")
        # The read models belong to the projector role, so it can rebuild and drop them.
        projector_url = role_url(settings.database_url, PROJECTOR_ROLE, projector_password)
        views = settings.model_copy(update={"database_url": projector_url})
    ReadModels(views, ledger).close()
    ledger.close()
    typer.echo("read models ready")
    webhooks = Database(views)
    Webhooks(webhooks, views)
    webhooks.close()
    if settings.database_url and app_password and projector_password:
        grant_webhooks(settings.database_url)
    typer.echo("webhook tables ready")


def require_createrole(url: str) -> None:
    """Exits with one line unless the login may create roles (CREATEROLE or superuser)."""
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute(
            "SELECT current_user::text, rolcreaterole OR rolsuper FROM pg_roles"
            " WHERE rolname = current_user"
        ).fetchone()
    if row is None or not row[1]:
        user = row[0] if row else "this login"
        print(
            f"stockledger: db migrate: role {user} lacks CREATEROLE, needed to create "
            f"{APP_ROLE} and {PROJECTOR_ROLE} (as a superuser: ALTER ROLE {user} CREATEROLE)",
            file=sys.stderr,
        )
        raise typer.Exit(DATABASE_EXIT)
