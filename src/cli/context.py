"""What every ``stockledger`` command shares: the consoles it prints on, the ``--tenant``
option and the settings it names, a store opened for one command (the home store's, or
``--tenant``'s), and the one way to fail with a message.

``--tenant NAME`` (or STOCKLEDGER_TENANT) points a command at that tenant's store, looked up
in the home store's registry; without it a command works on the home store."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from application.ledger import Ledger
from application.settings import Settings
from projections.db import Database
from tenancy.registry import TenantRegistry

if TYPE_CHECKING:
    from projections.service import ReadModels

out = Console()
err = Console(stderr=True)

TenantOption = Annotated[
    str | None,
    typer.Option(
        "--tenant",
        envvar="STOCKLEDGER_TENANT",
        help="Work on this tenant's ledger (`stockledger tenants list`); default: the home store",
    ),
]

# Seconds a command reading the read models waits for them to reach the ledger's head.
CatchUpOption = Annotated[
    float,  # ok-float: seconds
    typer.Option(help="Seconds to wait for the read models to reach the ledger's head"),
]


def tenant_settings(tenant: str | None) -> Settings:
    """The settings of ``tenant``'s store (the home store's for None); an unknown tenant
    stops the command with a usage error."""
    home = Settings()
    if tenant is None:
        return home
    db = Database(home)
    try:
        found = TenantRegistry(db).find(tenant)
    finally:
        db.close()
    if found is None:
        raise typer.BadParameter(f"no tenant {tenant} (see `stockledger tenants list`)", None)
    return found.settings(home)


@contextmanager
def opened_ledger(tenant: str | None) -> Iterator[Ledger]:
    ledger = Ledger(tenant_settings(tenant), tenant=tenant)
    try:
        yield ledger
    finally:
        ledger.close()


@contextmanager
def opened_read_models(tenant: str | None) -> Iterator[ReadModels]:
    from projections.service import ReadModels

    settings = tenant_settings(tenant)
    ledger = Ledger(settings, tenant=tenant)
    read_models = ReadModels(settings, ledger)
    try:
        yield read_models
    finally:
        read_models.close()
        ledger.close()


@contextmanager
def caught_up(
    tenant: str | None,
    catch_up: float,  # ok-float: seconds
    doing: str | None = None,
) -> Iterator[ReadModels]:
    """The store's read models, running and caught up with the ledger's head (the command
    fails when they do not reach it within ``catch_up`` seconds), stopped afterwards;
    ``doing`` names the wait on stderr."""
    with opened_read_models(tenant) as read_models:
        ledger = read_models.ledger
        read_models.start()
        try:
            waiting = f"{doing}: reading the ledger up to position {ledger.head()}"
            with err.status(waiting) if doing else nullcontext():
                if not read_models.wait_for(ledger.head(), timeout=catch_up):
                    raise fail("the read models did not reach the ledger's head; try again")
            yield read_models
        finally:
            read_models.stop()


def fail(message: str) -> typer.Exit:
    err.print(f"[red]error:[/red] {message}")
    return typer.Exit(1)
