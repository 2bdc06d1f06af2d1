"""A report's answer, made once for the API, the console and the feed: which keys it is
grouped by (``Report.keys``), its body (rows, totals, position) and its CSV.

A report is declared by its group keys and its amounts, a dataclass of the domain
(``domain.rollforward.CogsAmounts``, ``Valuation``, ``domain.food_cost.FoodCostAmounts``):
the API's schemas (``api.schemas.reports``), the CSV columns, the console's columns and the
view's SQL sums are all read from that one declaration.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from decimal import Decimal
from typing import Protocol, TypedDict

from domain.food_cost import FoodCostAmounts
from domain.grouping import group_keys
from domain.rollforward import CogsAmounts, Valuation
from projections.cogs_view import GROUPS as POSITION_GROUPS
from projections.food_cost import GROUPS as MENU_GROUPS

Cell = str | int | Decimal | None


class FoundRow(Protocol):
    """A view's row: its keys as attributes (None for a key not grouped by), its amounts."""

    @property
    def amounts(self) -> Mapping[str, Decimal | None]: ...


class Found(Protocol):
    """What a view answers: its rows, the totals of every row and the position read."""

    @property
    def rows(self) -> Sequence[FoundRow]: ...
    @property
    def totals(self) -> Mapping[str, Decimal | None]: ...
    @property
    def position(self) -> int: ...


class Body(TypedDict):
    """A report's JSON body: the rows (the keys asked for, then the amounts), the totals of
    every row and the position the view had read."""

    rows: list[dict[str, Cell]]
    totals: dict[str, Decimal | None]
    position: int


@dataclass(frozen=True)
class Report:
    """A report's declaration: its name, its group keys in order and its amounts."""

    name: str
    groups: tuple[str, ...]
    shape: type

    @property
    def amounts(self) -> tuple[str, ...]:
        return tuple(f.name for f in fields(self.shape))

    def keys(self, chosen: Sequence[str] | None) -> list[str]:
        """``group_by`` as a query writes it (repeated or comma-separated); every key when
        absent; an unknown or empty choice is refused, naming ``group_by``."""
        return group_keys(chosen, self.groups)

    def body(self, found: Found, keys: Sequence[str]) -> Body:
        """The rows (the ``keys`` asked for, then the amounts), totals and position."""
        rows = [{**{key: getattr(row, key) for key in keys}, **row.amounts} for row in found.rows]
        return {"rows": rows, "totals": dict(found.totals), "position": found.position}

    def csv(self, body: Mapping[str, object], keys: Sequence[str]) -> str:
        """The rows with the JSON's columns, then a totals line: ``total`` in the first key
        column, the other keys blank, the totals' amounts."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        columns = [*keys, *self.amounts]
        writer.writerow(columns)
        rows: Sequence[Mapping[str, object]] = body["rows"]  # type: ignore[assignment]
        totals: Mapping[str, object] = body["totals"]  # type: ignore[assignment]
        for row in rows:
            writer.writerow([cell(row.get(column)) for column in columns])
        label = ["total", *([""] * (len(keys) - 1))]
        writer.writerow([*label, *(cell(totals.get(name)) for name in self.amounts)])
        return out.getvalue()


def cell(value: object) -> str:
    """A value as a CSV cell or a console's table writes it: decimals plain ("0.75", never
    "7.5E-1"), None as an empty cell."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


COGS = Report("cogs", POSITION_GROUPS, CogsAmounts)
VALUATION = Report("valuation", POSITION_GROUPS, Valuation)
FOOD_COST = Report("food-cost", MENU_GROUPS, FoodCostAmounts)


def report_body(found: Found, keys: Sequence[str]) -> Body:
    """The body of any report (the shape of its rows does not depend on its amounts)."""
    return COGS.body(found, keys)
