"""One shape per concept: the movement and the reports are declared once, as dataclasses
of the domain, and what the edges write is derived from those declarations."""

from __future__ import annotations

from dataclasses import fields
from decimal import Decimal
from typing import get_type_hints

import pytest

from api.schemas.reports import CogsRow, FoodCostRowPublic, ValuationAmounts
from application.records import MovementRecord
from domain.errors import ValidationError
from domain.grouping import group_keys
from domain.movements import MOVEMENT_SHAPE, Movement, MovementFigures
from domain.rollforward import COLUMN_OF_KIND, FLOWS, cogs_of
from present.money import MONEY_KEYS, with_places
from present.reports import COGS, FOOD_COST, VALUATION


def test_the_movement_event_declares_the_figures_with_their_types() -> None:
    declared = get_type_hints(MovementFigures)
    on_event = get_type_hints(Movement)
    assert {name: on_event[name] for name in declared} == declared
    assert [f.name for f in MOVEMENT_SHAPE] == list(declared)


def test_a_movement_record_is_its_figures_typed_with_position_and_time() -> None:
    names = [f.name for f in fields(MovementRecord)]
    # and a VARIANCE's amount to COGS (None elsewhere), so a COGS drill-down adds up
    assert names == [
        *(f.name for f in fields(MovementFigures)),
        "position",
        "recorded_at",
        "variance",
    ]


def test_money_is_what_the_declarations_mark_and_nothing_else() -> None:
    assert {"value", "value_after", "variance", "net_cogs", "closing_value"} <= MONEY_KEYS
    assert {"revenue", "cost", "share", "to_stock", "to_cogs"} <= MONEY_KEYS
    assert not {"quantity", "unit_cost", "closing_qty", "sold_qty", "food_cost_pct"} & MONEY_KEYS
    placed = with_places({"revenue": Decimal(3), "sold_qty": Decimal(3)}, 2)
    assert (str(placed["revenue"]), str(placed["sold_qty"])) == ("3.00", "3")


def test_the_api_schemas_are_the_declared_amounts_in_order() -> None:
    assert list(CogsRow.model_fields) == [*COGS.groups, *COGS.amounts]
    assert list(FoodCostRowPublic.model_fields) == [*FOOD_COST.groups, *FOOD_COST.amounts]
    assert list(ValuationAmounts.model_fields) == list(VALUATION.amounts)


def test_every_kind_that_moves_stock_has_its_declared_roll_forward_column() -> None:
    assert tuple(COLUMN_OF_KIND.values()) == FLOWS


def test_cogs_of_negates_the_outbound_columns_and_nets_the_cost() -> None:
    row = {name: Decimal(0) for name in VALUATION.amounts}
    row.update(shipped_value=Decimal(-10), returns_value=Decimal(4), consumed_value=Decimal(-3))
    row["variance_value"] = Decimal("0.5")
    out = cogs_of(row)
    assert list(out) == list(COGS.amounts)
    assert (out["shipped_value"], out["returned_value"], out["net_cogs"]) == (10, 4, Decimal("9.5"))


def test_group_by_is_read_in_report_order_and_refused_naming_the_field() -> None:
    groups = ("period", "location", "sku")
    assert group_keys(None, groups) == list(groups)
    assert group_keys(["sku,period"], groups) == ["period", "sku"]
    assert group_keys(["sku", "location", "sku"], groups) == ["location", "sku"]
    for bad in (["colour"], [""], [" , "]):
        with pytest.raises(ValidationError) as refused:
            group_keys(bad, groups)
        assert refused.value.errors == [{"field": "group_by"}]


def test_a_report_csv_has_the_declared_columns_then_a_totals_line() -> None:
    body = {
        "rows": [
            {
                "menu_item": "fries",
                "sold_qty": Decimal(2),
                "revenue": Decimal("7.00"),
                "cost": Decimal("1.50"),
                "food_cost_pct": None,
            }
        ],
        "totals": {
            "sold_qty": Decimal(2),
            "revenue": Decimal("7.00"),
            "cost": Decimal("1.50"),
            "food_cost_pct": Decimal("21.43"),
        },
        "position": 9,
    }
    lines = FOOD_COST.csv(body, ["menu_item"]).splitlines()
    assert lines == [
        "menu_item,sold_qty,revenue,cost,food_cost_pct",
        "fries,2,7.00,1.50,",
        "total,2,7.00,1.50,21.43",
    ]
