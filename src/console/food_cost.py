"""Food cost (finance): sold quantity, revenue, cost and cost % by period × location × menu
item (any of them, as the API's ``group_by``), with totals; a menu item's cost drills down to
the sale movements behind it (each with its recipe version); CSV of the selection on screen,
every row. The figures are ``GET /api/reports/food-cost``'s: the same query
(``FoodCostView.food_cost``), body and money places."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import HTMLResponse

from console.movement_words import words_of
from console.params import AnyCode, Code, Cursor, PageNumber, Period
from console.report_page import Selected, Span, report_page, screened
from console.session import Finance
from console.web import ConsoleRoute, NavEntry, csv_download, journal_of, read_models, render
from domain.access import Role
from present.money import places_of, with_places
from present.reports import FOOD_COST, Body

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)
NAV = NavEntry("Food cost", "/food-cost", Role.FINANCE)
PAGE_SIZE = 200
# The group_by choices, as the API writes them (comma-separated): every non-empty subset of
# the keys, in report order; the default is the API's, every key.
GROUPS = FOOD_COST.groups
CHOICES = [
    ",".join(chosen) for n in range(len(GROUPS), 0, -1) for chosen in combinations(GROUPS, n)
]
Groups = Annotated[str, Query(alias="group_by", max_length=64)]


@dataclass(frozen=True)
class Selection:
    """A span, a menu item (blank: every one) and the keys to group by."""

    span: Span
    menu_item: str
    keys: list[str]


def _selection(span: Selected, menu_item: AnyCode = "", groups: Groups = CHOICES[0]) -> Selection:
    return Selection(span, menu_item, FOOD_COST.keys([groups]))


Selecting = Annotated[Selection, Depends(_selection)]


def _report(request: Request, chosen: Selection) -> Body:
    """The API's body for this selection."""
    from_, to, location = chosen.span.bounds()
    found = read_models(request).food_cost.food_cost(
        from_, to, location, chosen.menu_item or None, chosen.keys
    )
    body: Body = with_places(FOOD_COST.body(found, chosen.keys), places_of(request))
    return body


@router.get("/food-cost")
def food_cost_page(
    request: Request, who: Finance, chosen: Selecting, page: PageNumber = 1
) -> HTMLResponse:
    report = _report(request, chosen)
    return report_page(
        request,
        who,
        "food_cost.html",
        FOOD_COST,
        report,
        screened(report, page),
        keys=chosen.keys,
        choices=CHOICES,
        group=",".join(chosen.keys),
        menu_item=chosen.menu_item,
        **chosen.span.context(),
    )


@router.get("/food-cost.csv")
def food_cost_csv(request: Request, who: Finance, chosen: Selecting) -> Response:
    return csv_download(request, FOOD_COST, _report(request, chosen), chosen.keys)


@router.get("/food-cost/movements")
def food_cost_movements(
    request: Request,
    who: Finance,
    period: Period,
    location: Code,
    menu_item: Code,
    cursor: Cursor = None,
) -> HTMLResponse:
    """The sale movements behind one menu item's cost at one location in one period."""
    chosen = Selection(Span(period, period, location), menu_item, list(GROUPS))
    read_models(request).settle()  # the cost (food_cost) and its rows (the journal) must tie
    page = journal_of(request).sold(period, location, menu_item, PAGE_SIZE, cursor)
    return render(
        request,
        who,
        "food_cost_movements.html",
        report=_report(request, chosen),
        period=period,
        location=location,
        menu_item=menu_item,
        page=page,
        words=words_of(request, page.items),
    )
