"""`stockledger db migrate`: create the schema and the production roles, once per release."""

from __future__ import annotations

import os

import typer

from application.ledger import Ledger
from application.roles import APP_ROLE, PROJECTOR_ROLE, grant_roles, role_url
from application.settings import Settings

db_app = typer.Typer(
    help="Schema and database roles (run by the database owner).", no_args_is_help=True
)


@db_app.command("migrate")
def migrate() -> None:
    """Create the event tables, the append-only trigger and (on PostgreSQL, when
    STOCKLEDGER_APP_PASSWORD and STOCKLEDGER_PROJECTOR_PASSWORD are set) the least-privilege
    roles the API and the projector workers log in as."""
    from projections.service import ReadModels

    settings = Settings(create_schema=True)
    ledger = Ledger(settings)
    typer.echo("schema ready")
    app_password = os.environ.get("STOCKLEDGER_APP_PASSWORD")
    projector_password = os.environ.get("STOCKLEDGER_PROJECTOR_PASSWORD")
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
