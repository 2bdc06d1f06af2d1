"""`stockledger db migrate`: create the schema and the production roles, once per release."""

from __future__ import annotations

import os

import typer

from application.ledger import Ledger
from application.roles import APP_ROLE, PROJECTOR_ROLE, grant_roles
from application.settings import Settings

db_app = typer.Typer(
    help="Schema and database roles (run by the database owner).", no_args_is_help=True
)


@db_app.command("migrate")
def migrate() -> None:
    """Create the event tables, the append-only trigger and (on PostgreSQL, when
    STOCKLEDGER_APP_PASSWORD and STOCKLEDGER_PROJECTOR_PASSWORD are set) the least-privilege
    roles the API and the projector workers log in as."""
    settings = Settings(create_schema=True)
    Ledger(settings).close()
    typer.echo("schema ready")
    app_password = os.environ.get("STOCKLEDGER_APP_PASSWORD")
    projector_password = os.environ.get("STOCKLEDGER_PROJECTOR_PASSWORD")
    if settings.database_url and app_password and projector_password:
        grant_roles(settings.database_url, app_password, projector_password)
        typer.echo(f"roles ready: {APP_ROLE}, {PROJECTOR_ROLE}")
