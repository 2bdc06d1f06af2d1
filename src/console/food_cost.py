"""Food cost (finance): sold quantity, revenue, cost and cost % by period × location × menu
item (any of them, as the API's ``group_by``), with totals; a menu item's cost drills down to
the sale movements behind it (each with its recipe version); CSV of the selection on screen,
every row. The figures are ``GET /api/reports/food-cost``'s: the same query
(``FoodCostView.food_cost``), body and money places."""

from __future__ import annotations

from itertools import combinations

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import HTMLResponse

from api.routers.reports import PERIOD_PATTERN
from api.schemas import CODE_PATTERN
from console.session import Finance
from console.web import (
    ConsoleRoute,
    NavEntry,
    csv_download,
    journal_of,
    read_models,
    render,
    screen,
)
from domain.access import Role
from present.money import places_of, with_places
from present.reports import FOOD_COST, Body

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)
NAV = NavEntry("Food cost", "/food-cost", Role.FINANCE)
PAGE_SIZE = 200
ROWS = 100  # report rows per screen; the totals and the CSV are of every row
# One Query per parameter: FastAPI names a shared one after the first parameter using it.
From = Query("", alias="from", pattern=f"({PERIOD_PATTERN})|^$")
To = Query("", pattern=f"({PERIOD_PATTERN})|^$")
Location = Query("", pattern=f"({CODE_PATTERN})|^$")
MenuItem = Query("", pattern=f"({CODE_PATTERN})|^$")
# The group_by choices, as the API writes them (comma-separated): every non-empty subset of
# the keys, in report order; the default is the API's, every key.
GROUPS = FOOD_COST.groups
CHOICES = [
    ",".join(chosen) for n in range(len(GROUPS), 0, -1) for chosen in combinations(GROUPS, n)
]
Groups = Query(CHOICES[0], alias="group_by", max_length=64)


def _report(
    request: Request, from_: str, to: str, location: str, menu_item: str, groups: str
) -> tuple[Body, list[str]]:
    """The API's answer for this selection: its body and the keys it is grouped by."""
    keys = FOOD_COST.keys([groups])
    found = read_models(request).food_cost.food_cost(
        from_ or None, to or None, location or None, menu_item or None, keys
    )
    body: Body = with_places(FOOD_COST.body(found, keys), places_of(request))
    return body, keys


@router.get("/food-cost")
def food_cost_page(
    request: Request,
    who: Finance,
    from_: str = From,
    to: str = To,
    location: str = Location,
    menu_item: str = MenuItem,
    groups: str = Groups,
    page: int = Query(1, ge=1, le=100_000),
) -> HTMLResponse:
    report, keys = _report(request, from_, to, location, menu_item, groups)
    locations, _ = read_models(request).catalogue.all_locations()
    return render(
        request,
        who,
        "food_cost.html",
        report=report,
        rows=screen(report["rows"], page, ROWS),
        keys=keys,
        choices=CHOICES,
        group=",".join(keys),
        amounts=FOOD_COST.amounts,
        from_=from_,
        to=to,
        location=location,
        menu_item=menu_item,
        locations=locations,
    )


@router.get("/food-cost.csv")
def food_cost_csv(
    request: Request,
    who: Finance,
    from_: str = From,
    to: str = To,
    location: str = Location,
    menu_item: str = MenuItem,
    groups: str = Groups,
) -> Response:
    report, keys = _report(request, from_, to, location, menu_item, groups)
    return csv_download(request, FOOD_COST, report, keys)


@router.get("/food-cost/movements")
def food_cost_movements(
    request: Request,
    who: Finance,
    period: str = Query(pattern=PERIOD_PATTERN),
    location: str = Query(pattern=CODE_PATTERN),
    menu_item: str = Query(pattern=CODE_PATTERN),
    cursor: str | None = Query(None, max_length=512),
) -> HTMLResponse:
    """The sale movements behind one menu item's cost at one location in one period."""
    report, _ = _report(request, period, period, location, menu_item, CHOICES[0])
    page = journal_of(request).sold(period, location, menu_item, PAGE_SIZE, cursor)
    return render(
        request,
        who,
        "food_cost_movements.html",
        report=report,
        period=period,
        location=location,
        menu_item=menu_item,
        page=page,
    )
