"""POS sales (SPEC §9) and the food-cost report.

A sale is a posted document like any other (201, then 200 with the original result on a
repeat); its movements are the CONSUMEs of its recipes. The food-cost report reads the
``food_cost`` view (``FoodCostView.food_cost``, the query the console shares), as JSON or,
on ``Accept: text/csv``, as CSV with a totals line.
"""

from __future__ import annotations

from fastapi import Request, Response

from api.command_route import command_route
from api.dependencies import FoodCostDep
from api.params import CodeFilter
from api.route_table import Routes
from api.routers.documents import COMMAND_RESPONSES
from api.routers.reports import From, Period, csv_or_json, grouping, report_answer
from api.schemas.recipes import SaleCreate
from api.schemas.reports import FoodCostReportPublic
from api.schemas.tickets import SaleResultPublic
from application.commands import PostSale
from domain.access import Role
from present.reports import FOOD_COST

router = Routes("/api", "sales")


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


@router.read(
    "/reports/food-cost",
    FoodCostReportPublic,
    409,
    503,
    role=Role.FINANCE,
    answers=csv_or_json("Food cost rows and totals; `Accept: text/csv` gives them as CSV"),
    response_model_exclude_unset=True,  # keys not grouped by are left out; a null % stays
    tags=["reports"],
)
def food_cost(
    request: Request,
    view: FoodCostDep,
    from_: From = None,
    to: Period = None,
    location: CodeFilter = None,
    menu_item: CodeFilter = None,
    group_by: list[str] | None = grouping(FOOD_COST),
) -> Response:
    """Food cost per period, location and menu item: sold, revenue, cost, cost %"""
    keys = FOOD_COST.keys(group_by)
    found = view.food_cost(from_, to, location, menu_item, keys)
    return report_answer(request, FOOD_COST, found, keys, shaped=False)
