"""What handlers receive: the Ledger, ReadModels and feed of the caller's store, and
fresh-enough reads.

The store is the one the bearer token's tenant prefix names (``acme.sl_…``), else the home
store; an unknown tenant is refused as an unknown key is (401), before anything is read.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from anyio import to_thread
from fastapi import Query, Request, Response

from api.money import places_of, with_places
from api.problems import ProjectionLaggingError, UnauthorizedError
from application.keys import tenant_of
from application.ledger import Ledger

if TYPE_CHECKING:
    from feed.service import FeedService
    from projections.service import ReadModels
    from tenancy.compositions import Composition


# The plain look-ups are coroutines so FastAPI runs them on the event loop: a sync
# dependency costs a hop through the thread pool on every request.


def _tenant(request: Request) -> str | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return tenant_of(token.strip()) if scheme.lower() == "bearer" else None


def composition_of(request: Request) -> Composition:
    """The store of the tenant the request's bearer token names (once per request); may
    read the registry and open the tenant's store (call it off the event loop)."""
    found: Composition | None = getattr(request.state, "composition", None)
    if found is not None:
        return found
    found = request.app.state.tenancy.get(_tenant(request))
    if found is None:
        raise UnauthorizedError("unknown or revoked API key")
    request.state.composition = found
    return found


async def _composition(request: Request) -> Composition:
    """``composition_of`` on the event loop when the store is open already (a dict look-up),
    else in a worker thread (a registry read, perhaps opening the tenant's store)."""
    tenancy = request.app.state.tenancy
    if hasattr(request.state, "composition") or tenancy.is_open(_tenant(request)):
        return composition_of(request)
    return await to_thread.run_sync(composition_of, request)


async def get_ledger(request: Request) -> Ledger:
    return (await _composition(request)).ledger


def feed_of(request: Request) -> FeedService:
    return composition_of(request).feed


async def get_read_models(request: Request) -> ReadModels:
    return (await _composition(request)).read_models


def _read_models(request: Request) -> ReadModels:
    return composition_of(request).read_models


def fresh_read_models(
    request: Request,
    min_position: int | None = Query(
        None,
        ge=0,
        description="Wait up to 5 s until the answering projection has read this position "
        "(the `position` of a command response); else 503 `projection_lagging`.",
    ),
) -> ReadModels:
    """The read models, once they have caught up with ``min_position`` (read-your-writes)."""
    read_models = _read_models(request)
    wait = read_models.settings.read_your_writes_wait
    if min_position is not None and not read_models.wait_for(min_position, wait):
        raise ProjectionLaggingError(
            f"the read models have not reached position {min_position} yet; retry shortly"
        )
    return read_models


def json_answer(request: Request, body: dict[str, Any]) -> Response:
    """``answered``, written straight to JSON: every Decimal becomes its text in the walk
    that places the money, and the stdlib encoder writes the rest, instead of the route's
    response model validating every field and calling its serializer once per decimal (a
    10,000-row valuation spent half its answer there). The body must already have the
    model's shape and key order, as ``api.schemas.reports.report_body`` gives it."""
    texted = answered(request, body, as_text=True)
    text = json.dumps(texted, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return Response(text.encode(), media_type="application/json")


def answered(request: Request, body: dict[str, Any], *, as_text: bool = False) -> dict[str, Any]:
    """Notes the answer's position for the request log, and passes the body on with its
    money at the currency's places (and every Decimal as its text with ``as_text``)."""
    request.state.position = body.get("position")
    answer: dict[str, Any] = with_places(body, places_of(request), as_text=as_text)
    return answer
