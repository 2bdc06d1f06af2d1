"""Finance reports: COGS and the valuation roll-forward (rows, totals, position)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from api.schemas.common import Dec
from projections.cogs_view import Report


class CogsAmounts(BaseModel):
    shipped_qty: Dec
    shipped_value: Dec
    returned_qty: Dec
    returned_value: Dec
    consumed_qty: Dec
    consumed_value: Dec
    waste_qty: Dec
    waste_value: Dec
    variance_value: Dec
    net_cogs: Dec


class CogsKeys(BaseModel):
    period: str | None = None
    location: str | None = None
    sku: str | None = None


class CogsRow(CogsAmounts, CogsKeys):
    """The group keys asked for (``group_by``), then the amounts."""


class CogsReport(BaseModel):
    rows: list[CogsRow]
    totals: CogsAmounts
    position: int


class ValuationAmounts(BaseModel):
    opening_qty: Dec
    opening_value: Dec
    receipts_qty: Dec
    receipts_value: Dec
    returns_qty: Dec
    returns_value: Dec
    transfers_in_qty: Dec
    transfers_in_value: Dec
    transfers_out_qty: Dec
    transfers_out_value: Dec
    shipped_qty: Dec
    shipped_value: Dec
    consumed_qty: Dec
    consumed_value: Dec
    waste_qty: Dec
    waste_value: Dec
    adjustments_qty: Dec
    adjustments_value: Dec
    revaluation_qty: Dec
    revaluation_value: Dec
    closing_qty: Dec
    closing_value: Dec


class ValuationKeys(BaseModel):
    period: str
    location: str
    sku: str


class ValuationRow(ValuationAmounts, ValuationKeys):
    pass


class ValuationReport(BaseModel):
    rows: list[ValuationRow]
    totals: dict[str, Dec]
    position: int


def report_body(report: Report, keys: tuple[str, ...]) -> dict[str, Any]:
    """A report's rows (the ``keys`` asked for, then the amounts), totals and position."""
    rows = [{**{key: getattr(row, key) for key in keys}, **row.amounts} for row in report.rows]
    return {"rows": rows, "totals": dict(report.totals), "position": report.position}
