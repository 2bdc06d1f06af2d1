"""What a handler may ask for, each in one word (``Annotated`` aliases, as in FastAPI's
project template): the acting principal at a role, the ledger, the read models, and each
view the API reads (fresh enough for the request's ``min_position``, else 503).

    def post_receipt(body: ReceiptCreate, who: Clerk, ledger: LedgerDep) -> ...

A router whose every route needs one role may instead declare it once:
``APIRouter(dependencies=[Depends(finance)])``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from api.auth import Principal, admin, clerk, finance, viewer
from api.dependencies import fresh_read_models, get_ledger, get_read_models
from application.ledger import Ledger
from projections.balances import StockView
from projections.catalogue import CatalogueView
from projections.cogs_view import CogsView
from projections.food_cost import FoodCostView
from projections.movements import MovementView
from projections.service import ReadModels

Viewer = Annotated[Principal, Depends(viewer)]
Clerk = Annotated[Principal, Depends(clerk)]
Finance = Annotated[Principal, Depends(finance)]
Admin = Annotated[Principal, Depends(admin)]

LedgerDep = Annotated[Ledger, Depends(get_ledger)]
# The read models as they are (for commands that wake them, and status).
ReadModelsDep = Annotated[ReadModels, Depends(get_read_models)]
# The read models once they have reached the request's min_position (else 503).
FreshReadModels = Annotated[ReadModels, Depends(fresh_read_models)]


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
