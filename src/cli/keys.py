"""``stockledger keys``: create, list and revoke API keys (stored hashed; shown once)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from cli.context import TenantOption, fail, opened_ledger, out
from domain.access import Role
from domain.errors import DomainError

keys_app = typer.Typer(help="Manage API keys (stored hashed; a key is shown once).")


@keys_app.command("create")
def keys_create(
    user: Annotated[str, typer.Option(help="Who the key acts as (recorded on every event)")],
    role: Annotated[Role, typer.Option(help="viewer, clerk, finance or admin")],
    tenant: TenantOption = None,
) -> None:
    """Create a key; the key itself is the last line of the output."""
    with opened_ledger(tenant) as ledger:
        try:
            key_id, token = ledger.issue_key(user, role.value, issued_by="cli")
        except DomainError as error:
            raise fail(error.detail) from None
    out.print(f"created key {key_id} for {user} ({role.value}); it is shown only now:")
    print(token, flush=True)


@keys_app.command("list")
def keys_list(tenant: TenantOption = None) -> None:
    """Every key with its user, role and state (never the secret)."""
    with opened_ledger(tenant) as ledger:
        keys = list(ledger.keyring().keys.values())
    table = Table("key id", "user", "role", "created", "revoked")
    for key in keys:
        revoked = key.revoked_at
        table.add_row(
            key.key_id,
            key.user,
            key.role,
            key.created_at.isoformat(timespec="seconds"),
            revoked.isoformat(timespec="seconds") if revoked else "",
        )
    out.print(table)


@keys_app.command("revoke")
def keys_revoke(
    key_id: Annotated[str, typer.Argument(help="The key id from `keys list`")],
    tenant: TenantOption = None,
) -> None:
    """Revoke a key: it stops working at once."""
    with opened_ledger(tenant) as ledger:
        try:
            ledger.revoke_key(key_id, revoked_by="cli")
        except DomainError as error:
            raise fail(error.detail) from None
    out.print(f"revoked key {key_id}")
