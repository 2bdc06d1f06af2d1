"""``stockledger journal``: the general-ledger journal of a period (SPEC §15) on stdout, as
JSON, manual-journal CSV or beancount text, produced exactly as GET /api/journal produces
it (present.gl_journal): a closed period's frozen text, byte for byte."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from cli.context import CatchUpOption, TenantOption, caught_up, fail
from domain.errors import DomainError
from present.gl_journal import journal_text, to_beancount, to_csv


def journal(
    period: Annotated[str, typer.Option(help="The period, YYYY-MM")],
    format: Annotated[str, typer.Option(help="json, csv or beancount")] = "json",
    catch_up: CatchUpOption = 60.0,  # ok-float: seconds
    tenant: TenantOption = None,
) -> None:
    """Print the period's journal (one balanced entry per location) for the accounting
    system: `stockledger journal --period 2026-11 --format beancount > nov.beancount`."""
    if format not in ("json", "csv", "beancount"):
        raise typer.BadParameter("json, csv or beancount", param_hint="--format")
    with caught_up(tenant, catch_up) as read_models:
        ledger = read_models.ledger
        try:
            text = journal_text(ledger, read_models, period, ledger.settings.currency_decimals)
        except DomainError as refused:
            raise fail(refused.detail) from None
    if format == "csv":
        text = to_csv(text)
    elif format == "beancount":
        text = to_beancount(text)
    else:
        text += "\n"
    sys.stdout.write(text)
