"""Finance reports: COGS, the valuation roll-forward and food cost (rows, totals, position).

Each schema is derived from its report's declaration (``present.reports``: the group keys
and the amounts dataclass of the domain), so a new amount is one field there. Every amount
is a ``Dec``; an optional one (``Decimal | None``) may be null.
"""

from __future__ import annotations

from dataclasses import fields
from decimal import Decimal
from typing import Any, get_type_hints

from pydantic import BaseModel, create_model

from api.schemas.common import Dec
from present.reports import COGS, FOOD_COST, VALUATION, Report, report_body

__all__ = [
    "CogsAmounts",
    "CogsKeys",
    "CogsReport",
    "CogsRow",
    "FoodCostAmounts",
    "FoodCostKeys",
    "FoodCostReportPublic",
    "FoodCostRowPublic",
    "ValuationAmounts",
    "ValuationKeys",
    "ValuationReport",
    "ValuationRow",
    "report_body",
]

ROW_DOC = "The group keys asked for (``group_by``), then the amounts."


def amounts_model(name: str, report: Report) -> type[BaseModel]:
    """The amounts of ``report``, in its declaration's order."""
    hints = get_type_hints(report.shape)
    declared: dict[str, Any] = {
        f.name: (Dec if hints[f.name] is Decimal else Dec | None, ...) for f in fields(report.shape)
    }
    return create_model(name, **declared)


def keys_model(name: str, report: Report, *, grouped: bool) -> type[BaseModel]:
    """The group keys: each optional when the report is grouped by a choice of them."""
    keys: dict[str, Any] = {
        key: ((str | None, None) if grouped else (str, ...)) for key in report.groups
    }
    return create_model(name, **keys)


def row_model(name: str, amounts: type[BaseModel], keys: type[BaseModel], doc: str | None) -> Any:
    return create_model(name, __base__=(amounts, keys), __doc__=doc)


def report_model(name: str, row: Any, totals: Any) -> type[BaseModel]:
    rows = list[row]  # the row model, derived
    return create_model(name, rows=(rows, ...), totals=(totals, ...), position=(int, ...))


CogsAmounts = amounts_model("CogsAmounts", COGS)
CogsKeys = keys_model("CogsKeys", COGS, grouped=True)
CogsRow = row_model("CogsRow", CogsAmounts, CogsKeys, ROW_DOC)
CogsReport = report_model("CogsReport", CogsRow, CogsAmounts)

ValuationAmounts = amounts_model("ValuationAmounts", VALUATION)
ValuationKeys = keys_model("ValuationKeys", VALUATION, grouped=False)
ValuationRow = row_model("ValuationRow", ValuationAmounts, ValuationKeys, None)
ValuationReport = report_model("ValuationReport", ValuationRow, dict[str, Dec])

FoodCostAmounts = amounts_model("FoodCostAmounts", FOOD_COST)
FoodCostKeys = keys_model("FoodCostKeys", FOOD_COST, grouped=True)
FoodCostRowPublic = row_model("FoodCostRowPublic", FoodCostAmounts, FoodCostKeys, ROW_DOC)
FoodCostReportPublic = report_model("FoodCostReportPublic", FoodCostRowPublic, FoodCostAmounts)
