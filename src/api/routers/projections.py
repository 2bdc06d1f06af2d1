"""Read-model operations: status of every projection, and blue/green rebuilds (admin)."""

from __future__ import annotations

from fastapi import APIRouter, Path, Request, Response

from api.auth import Admin, Viewer
from api.dependencies import FreshReadModels, LedgerDep, ReadModelsDep
from api.problems import responses
from api.respond import respond
from api.routing import DecimalRoute
from api.schemas import ProjectionStatus, RebuildAccepted
from application.errors import NotFoundError

router = APIRouter(prefix="/api/projections", tags=["projections"], route_class=DecimalRoute)


@router.get(
    "",
    response_model=list[ProjectionStatus],
    responses=responses(401, 403, 422, 503),
    summary="Each projection's version, position, lag and state",
)
def status(request: Request, who: Viewer, read_models: FreshReadModels) -> Response:
    return respond(request, read_models.status())


@router.post(
    "/{name}/rebuild",
    status_code=202,
    response_model=RebuildAccepted,
    responses=responses(401, 403, 404, 409),
    summary="Start a blue/green rebuild; the live copy keeps serving until the new one is live",
)
def rebuild(
    request: Request,
    who: Admin,
    read_models: ReadModelsDep,
    ledger: LedgerDep,
    name: str = Path(max_length=64, examples=["balances"]),
) -> Response:
    """Records the request in the ledger; the runner that owns the projection — in this
    process, or a `projections run` worker — starts the rebuild when it reads it."""
    if name not in read_models.projections:
        raise NotFoundError(f"no projection named {name}")
    ledger.request_rebuild(name, user=who.user)
    read_models.notify()
    return respond(request, {"name": name, "state": "rebuilding"}, status=202)
