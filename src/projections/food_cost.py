"""``food_cost``: per (period, location, menu item) the sold quantity, revenue and cost of
the sales (SPEC §9); and ``FoodCostView``, the food-cost report derived from it.

The fold is ``domain.food_cost.fold`` — the arithmetic period close and ``verify`` use —
over the sale documents (sold quantity and revenue per line) and the sales' CONSUME
movements (cost, the values fixed at posting, so a closed period's food cost never moves
when a supplier price changes). The store filters and picks rows; sums are Decimals.
``FoodCostView.food_cost`` is the one query the API and the console call.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from domain import food_cost
from domain.documents import Document
from domain.grouping import group_keys
from domain.stock_item import MOVEMENT_TOPICS
from projections.base import Column, Key, Projection, Rows
from projections.db import Session
from projections.live_read import View, equal_to, in_periods, read_live

GROUPS = ("period", "location", "menu_item")
AMOUNTS = food_cost.REPORT_AMOUNTS
ZERO = Decimal(0)


class FoodCost(Projection):
    NAME = "food_cost"
    VERSION = 1
    TOPICS = MOVEMENT_TOPICS | {Document.Created.TOPIC}
    COLUMNS = (
        Column("period", "text"),
        Column("location", "text"),
        Column("menu_item", "text"),
        *(Column(name, "num") for name in food_cost.AMOUNTS),
    )
    KEY = ("period", "location", "menu_item")
    INDEXES = (("location", "menu_item", "period"),)
    REBUILD_COST = 2

    def keys_of(self, event: Any, position: int) -> list[Key]:
        return list(food_cost.keys_of(event, self.zone))

    def fold(self, rows: Rows, event: Any, position: int) -> None:
        food_cost.fold(rows, event, self.zone)


@dataclass(frozen=True)
class FoodCostRow:
    """One row of the report: its keys (None for a key not grouped by) and its amounts
    (``sold_qty``, ``revenue``, ``cost``, ``food_cost_pct`` — None when revenue is 0)."""

    period: str | None
    location: str | None
    menu_item: str | None
    amounts: Mapping[str, Decimal | None]


@dataclass(frozen=True)
class FoodCostReport:
    rows: list[FoodCostRow]
    totals: Mapping[str, Decimal | None]
    position: int


class FoodCostView(View[FoodCost]):
    """The food-cost report, from one snapshot."""

    def food_cost(
        self,
        from_: str | None,
        to: str | None,
        location: str | None,
        menu_item: str | None,
        groups: Sequence[str] = (),
    ) -> FoodCostReport:
        """Food cost per group; ``from_``/``to`` are periods (inclusive)."""
        keys = group_keys(groups, GROUPS)
        span, bounds = in_periods(from_, to)
        filters, values = equal_to(location=location, menu_item=menu_item)
        where, params = ["1 = 1", *span, *filters], [*bounds, *values]
        columns = ", ".join(self.projection.names())
        statement = f"SELECT {columns} FROM {{table}} WHERE {' AND '.join(where)}"

        def work(session: Session, table: str) -> list[dict[str, Any]]:
            found = session.execute(statement.format(table=table), params)
            return [self.projection.from_db(row) for row in found]

        rows, position = read_live(self.db, self.projection, work)
        grouped: dict[tuple[str | None, ...], dict[str, Decimal]] = {}
        for row in rows:
            key = tuple(row[g] if g in keys else None for g in GROUPS)
            acc = grouped.setdefault(key, {name: ZERO for name in food_cost.AMOUNTS})
            for name in food_cost.AMOUNTS:
                acc[name] += row[name]
        ordered = sorted(grouped.items(), key=lambda kv: [k or "" for k in kv[0]])
        out = [FoodCostRow(k[0], k[1], k[2], _with_pct(amounts)) for k, amounts in ordered]
        total = {name: sum((grouped[k][name] for k in grouped), ZERO) for name in food_cost.AMOUNTS}
        return FoodCostReport(out, _with_pct(total), position)


def _with_pct(amounts: Mapping[str, Decimal]) -> dict[str, Decimal | None]:
    return {
        **amounts,
        "food_cost_pct": food_cost.food_cost_pct(amounts["cost"], amounts["revenue"]),
    }
