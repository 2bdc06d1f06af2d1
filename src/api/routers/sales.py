"""POS sales (SPEC §9) and the food-cost report.

A sale is a posted document like any other (201, then 200 with the original result on a
repeat); its movements are the CONSUMEs of its recipes. The food-cost report reads the
``food_cost`` view (``FoodCostView.food_cost``, the query the console shares), as JSON or,
on ``Accept: text/csv``, as CSV with a totals line.
"""

from __future__ import annotations

from api.command_route import Commands
from api.dependencies import FoodCostDep
from api.route_table import Routes
from api.routers.documents import REPEAT
from api.routers.reports import csv_or_json, over_months
from api.schemas.recipes import SaleCreate
from api.schemas.reports import FoodCostReportPublic
from api.schemas.tickets import SaleResultPublic
from application.commands import PostSale
from domain.access import Role
from present.reports import FOOD_COST
from projections.food_cost import FoodCostView

router = Routes("/api", "sales")


FOOD_COST_SUMMARY = "Food cost per period, location and menu item: sold, revenue, cost, cost %"
SELL = "Post a POS sale: CONSUME per (sale line, ingredient) of the current recipes"

commands = Commands("sales", Role.CLERK, REPEAT, SaleResultPublic)
commands.add("/sales", SaleCreate, PostSale, SELL, 409)


food_cost = router.read(
    "/reports/food-cost",
    FoodCostReportPublic,
    409,
    503,
    role=Role.FINANCE,
    answers=csv_or_json("Food cost rows and totals; `Accept: text/csv` gives them as CSV"),
    response_model_exclude_unset=True,  # keys not grouped by are left out; a null % stays
    tags=["reports"],
)(over_months(FOOD_COST, FoodCostDep, FoodCostView.food_cost, FOOD_COST_SUMMARY, shaped=False))
