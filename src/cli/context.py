"""What every ``stockledger`` command shares: the consoles it prints on, a store opened for
one command (the home store's, or ``--tenant``'s), and the one way to fail with a message."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import typer
from rich.console import Console

from application.ledger import Ledger
from cli.tenants import tenant_settings

if TYPE_CHECKING:
    from projections.service import ReadModels

out = Console()
err = Console(stderr=True)


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


def fail(message: str) -> typer.Exit:
    err.print(f"[red]error:[/red] {message}")
    return typer.Exit(1)
