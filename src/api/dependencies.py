"""What handlers receive, each in one word (``Annotated`` aliases, as in FastAPI's project
template): the ledger, the read models, the feed of the caller's store, and each view the
API reads (fresh enough for the request's ``min_position``, else 503). The caller at a
role is ``api.auth``'s (``Viewer``, ``Clerk``, ``Finance``, ``Admin``).

    def get_quote(request: Request, who: Viewer, ledger: LedgerDep, ...) -> Response

The store is the one the bearer token's tenant prefix names (``acme.sl_…``), else the home
store; an unknown tenant is refused as an unknown key is (401), before anything is read.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from anyio import to_thread
from fastapi import Depends, Query, Request

from api.problems import ProjectionLaggingError, UnauthorizedError
from application.keys import tenant_of
from application.ledger import Ledger
from projections.balances import StockView
from projections.catalogue import CatalogueView
from projections.cogs_view import CogsView
from projections.food_cost import FoodCostView
from projections.movements import MovementView
from projections.service import ReadModels

if TYPE_CHECKING:
    from feed.service import FeedService
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
    read_models = composition_of(request).read_models
    wait = read_models.settings.read_your_writes_wait
    if min_position is not None and not read_models.wait_for(min_position, wait):
        raise ProjectionLaggingError(
            f"the read models have not reached position {min_position} yet; retry shortly"
        )
    return read_models


LedgerDep = Annotated[Ledger, Depends(get_ledger)]
# The read models as they are (for commands that wake them, and status).
ReadModelsDep = Annotated[ReadModels, Depends(get_read_models)]
# The read models once they have reached the request's min_position (else 503).
FreshReadModels = Annotated[ReadModels, Depends(fresh_read_models)]


def settled_read_models(read_models: FreshReadModels) -> ReadModels:
    """The read models once every one has read the ledger's head (up to the read-your-writes
    wait; else 503): for answers that must count every posted document, as what is on order
    in suggested orders (an order just placed is never suggested again)."""
    if not read_models.settle():
        raise ProjectionLaggingError("the read models have not read the ledger's head yet")
    return read_models


# The read models once they have read the ledger's head (else 503).
SettledReadModels = Annotated[ReadModels, Depends(settled_read_models)]


def _stock(read_models: FreshReadModels) -> StockView:
    return read_models.stock


def _movements(read_models: FreshReadModels) -> MovementView:
    return read_models.movements


def _reports(read_models: FreshReadModels) -> CogsView:
    return read_models.cogs


def _catalogue(read_models: FreshReadModels) -> CatalogueView:
    return read_models.catalogue


def _food_cost(read_models: FreshReadModels) -> FoodCostView:
    return read_models.food_cost


# The views, each once the read models have reached the request's min_position.
StockViewDep = Annotated[StockView, Depends(_stock)]
MovementViewDep = Annotated[MovementView, Depends(_movements)]
ReportsDep = Annotated[CogsView, Depends(_reports)]
CatalogueDep = Annotated[CatalogueView, Depends(_catalogue)]
FoodCostDep = Annotated[FoodCostView, Depends(_food_cost)]
