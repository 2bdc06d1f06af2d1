"""Read-model operations: status of every projection, and blue/green rebuilds (admin)."""

from __future__ import annotations

from typing import Any

from fastapi import Path

from api.auth import Principal
from api.dependencies import FreshReadModels, LedgerDep, ReadModelsDep
from api.route_table import Answer, Routes
from api.schemas import ProjectionStatus, RebuildAccepted
from application.errors import NotFoundError
from domain.access import Role

router = Routes("/api/projections", "projections")


@router.read("", list[ProjectionStatus], 503)
def status(read_models: FreshReadModels) -> Any:
    """Each projection's version, position, lag and state"""
    return read_models.status()


@router.write(
    "POST", "/{name}/rebuild", RebuildAccepted, 404, 409, role=Role.ADMIN, status_code=202
)
def rebuild(
    who: Principal,
    read_models: ReadModelsDep,
    ledger: LedgerDep,
    name: str = Path(max_length=64, examples=["balances"]),
) -> Answer:
    """Start a blue/green rebuild; the live copy keeps serving until the new one is live

    Records the request in the ledger; the runner that owns the projection — in this
    process, or a `projections run` worker — starts the rebuild when it reads it."""
    if name not in read_models.projections:
        raise NotFoundError(f"no projection named {name}")
    ledger.request_rebuild(name, user=who.user)
    read_models.notify()
    return Answer({"name": name, "state": "rebuilding"}, 202)
