"""`stockledger tenants create|list` (the ``--tenant`` every command takes is in cli.context).

Database URLs are printed with the password masked, and never logged.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from application.settings import Settings
from cli.db import migrate_store
from cli.failures import DATABASE_EXIT
from projections.db import Database
from tenancy.provision import MissingPrivilege, create_tenant
from tenancy.registry import TenantError, TenantRegistry

tenants_app = typer.Typer(
    help="One ledger per tenant, each in its own database or directory.", no_args_is_help=True
)

out = Console()


@tenants_app.command("create")
def tenants_create(
    name: Annotated[str, typer.Argument(help="a-z, 0-9 and -, starting with a letter")],
    database_url: Annotated[
        str | None,
        typer.Option(
            help="The tenant's PostgreSQL database, on any cluster (it must exist). Default: "
            "a new database <home database>_<name> on the home cluster, or "
            "<data dir>/tenants/<name>/ on SQLite",
        ),
    ] = None,
) -> None:
    """Create a tenant's store (schema, read models) and its first admin key, which is the
    last line of the output."""
    try:
        created = create_tenant(Settings(), name, database_url, migrate_store)
    except MissingPrivilege as error:  # a database matter, like db migrate's CREATEROLE
        typer.echo(f"stockledger: tenants create: {error.detail}", err=True)
        raise typer.Exit(DATABASE_EXIT) from None
    except TenantError as error:
        typer.echo(f"error: {error.detail}", err=True)
        raise typer.Exit(1) from None
    tenant = created.tenant
    out.print(f"created tenant {tenant.name} in {tenant.location}")
    out.print(f"admin key {created.key_id} (user admin); it is shown only now:")
    print(created.token, flush=True)


@tenants_app.command("list")
def tenants_list() -> None:
    """Every tenant and where its ledger lives (passwords masked)."""
    db = Database(Settings())
    try:
        tenants = TenantRegistry(db).all()
    finally:
        db.close()
    table = Table("tenant", "store", "created", "created by")
    for tenant in tenants:
        table.add_row(tenant.name, tenant.location, tenant.created_at, tenant.created_by)
    out.print(table)
