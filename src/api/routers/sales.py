"""POS sales (SPEC §9) and the food-cost report.

A sale is a posted document like any other (201, then 200 with the original result on a
repeat); its movements are the CONSUMEs of its recipes. The food-cost report reads the
``food_cost`` view (``FoodCostView.food_cost``, the query the console shares), as JSON or,
on ``Accept: text/csv``, as CSV with a totals line.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request

from api.auth import Finance
from api.command_route import command_route
from api.dependencies import FoodCostDep
from api.routers.documents import COMMAND_RESPONSES
from api.routers.reports import GROUP_BY, PERIOD_PATTERN, csv_or_json, report_answer
from api.routing import DecimalRoute
from api.schemas import CODE_PATTERN
from api.schemas.recipes import SaleCreate
from api.schemas.reports import FoodCostReportPublic
from api.schemas.tickets import SaleResultPublic
from application.commands import PostSale
from domain.access import Role
from present.reports import FOOD_COST

router = APIRouter(prefix="/api", tags=["sales"], route_class=DecimalRoute)


commands = [
    command_route(
        "/api/sales",
        SaleCreate,
        PostSale,
        Role.CLERK,
        name="post_sale",
        status_code=201,
        response_model=SaleResultPublic,
        responses=COMMAND_RESPONSES,
        summary="Post a POS sale: CONSUME per (sale line, ingredient) of the current recipes",
        tags=["sales"],
    )
]


@router.get(
    "/reports/food-cost",
    response_model=FoodCostReportPublic,
    response_model_exclude_unset=True,  # keys not grouped by are left out; a null % stays
    responses=csv_or_json("Food cost rows and totals; `Accept: text/csv` gives them as CSV"),
    summary="Food cost per period, location and menu item: sold, revenue, cost, cost %",
    tags=["reports"],
)
def food_cost(
    request: Request,
    who: Finance,
    view: FoodCostDep,
    from_: str | None = Query(None, alias="from", pattern=PERIOD_PATTERN, examples=["2026-01"]),
    to: str | None = Query(None, pattern=PERIOD_PATTERN, examples=["2026-03"]),
    location: str | None = Query(None, pattern=CODE_PATTERN),
    menu_item: str | None = Query(None, pattern=CODE_PATTERN),
    group_by: list[str] | None = Query(
        None, description=GROUP_BY.format(",".join(FOOD_COST.groups))
    ),
) -> Any:
    keys = FOOD_COST.keys(group_by)
    found = view.food_cost(from_, to, location, menu_item, keys)
    return report_answer(request, FOOD_COST, found, keys, shaped=False)
