"""POS sales (SPEC §9) and the food-cost report.

A sale is a posted document like any other (201, then 200 with the original result on a
repeat); its movements are the CONSUMEs of its recipes. The food-cost report reads the
``food_cost`` view (``FoodCostView.food_cost``, the query the console shares), as JSON or,
on ``Accept: text/csv``, as CSV with a totals line.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request, Response

from api.dependencies import answered
from api.deps import Clerk, Finance, FoodCostDep, LedgerDep
from api.one_hop import saves_only
from api.routers.documents import COMMAND_RESPONSES
from api.routers.reports import PERIOD_PATTERN, csv_or_json, report_csv, wants_csv
from api.routing import DecimalRoute, answer, command_of
from api.schemas import CODE_PATTERN
from api.schemas.recipes import FoodCostAmounts, FoodCostReportPublic, SaleCreate, food_cost_body
from api.schemas.tickets import SaleResultPublic
from application.commands import PostSale
from domain.errors import ValidationError
from projections.food_cost import GROUPS, group_by

router = APIRouter(prefix="/api", tags=["sales"], route_class=DecimalRoute)

AMOUNTS = tuple(FoodCostAmounts.model_fields)


@router.post(
    "/sales",
    status_code=201,
    response_model=SaleResultPublic,
    responses=COMMAND_RESPONSES,
    summary="Post a POS sale: CONSUME per (sale line, ingredient) of the current recipes",
)
@saves_only
def post_sale(body: SaleCreate, request: Request, who: Clerk, ledger: LedgerDep) -> Response:
    result = ledger.execute(command_of(PostSale, body), user=who.user)
    return answer(request, result)


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
    group_by_: list[str] | None = Query(
        None,
        alias="group_by",
        description="Subset of period,location,menu_item (comma-separated or repeated)",
    ),
) -> Any:
    raw = [part.strip() for item in group_by_ or () for part in item.split(",") if part.strip()]
    if group_by_ is not None and not raw:
        raise ValidationError("group_by is empty", [{"field": "group_by"}])
    keys = group_by(raw) if raw else list(GROUPS)
    found = view.food_cost(from_, to, location, menu_item, keys)
    report = answered(request, food_cost_body(found, keys))
    if wants_csv(request):
        return Response(report_csv(report, keys, AMOUNTS), media_type="text/csv")
    return report
