"""The journal's pure arithmetic (SPEC §15): rule resolution, gaps, kind → lines."""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain.errors import InvalidStateError, ValidationError
from domain.journal import KIND_LINES, ROLES, Flow, balanced, entry_lines, gaps, resolve, rules_of
from domain.movements import Kind
from domain.rollforward import COLUMN_OF_KIND

DEFAULTS = [{"role": role, "account": f"D-{role}"} for role in ROLES]


def test_every_kind_the_roll_forward_values_has_its_journal_lines() -> None:
    assert set(COLUMN_OF_KIND) | {Kind.VARIANCE} <= set(KIND_LINES)


def test_the_most_specific_rule_wins() -> None:
    rules = rules_of(
        [
            *DEFAULTS,
            {"role": "inventory", "account": "LOC", "location": "bar"},
            {"role": "inventory", "account": "CAT", "category": "wine"},
            {"role": "inventory", "account": "BOTH", "location": "bar", "category": "wine"},
        ]
    )
    assert resolve(rules, "inventory", "bar", "wine") == "BOTH"
    assert resolve(rules, "inventory", "bar", "beer") == "LOC"
    assert resolve(rules, "inventory", "kitchen", "wine") == "CAT"
    assert resolve(rules, "inventory", "kitchen", None) == "D-inventory"


def test_a_map_names_each_role_it_leaves_unresolved_at_a_location() -> None:
    rules = rules_of(
        [{"role": role, "account": "1", "location": "bar"} for role in ROLES]
        + [{"role": "inventory", "account": "1"}]
    )
    missing = gaps(rules, ["bar", "kitchen"])
    assert "cogs at kitchen" in missing and "inventory at kitchen" not in missing
    assert not [gap for gap in missing if gap.endswith("at bar")]


@pytest.mark.parametrize(
    ("rule", "field"),
    [
        ({"role": "stock", "account": "1"}, "rules[0].role"),
        ({"role": "cogs", "account": "  "}, "rules[0].account"),
    ],
)
def test_an_unknown_role_or_an_empty_account_code_is_refused(
    rule: dict[str, str], field: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        rules_of([rule])
    assert refused.value.errors == [{"field": field}]


def test_a_transfer_posts_the_location_s_inventory_against_the_clearing_and_balances() -> None:
    rules = rules_of([*DEFAULTS, {"role": "inventory", "account": "BAR", "location": "bar"}])
    flows = [
        Flow("bar", "wine", Kind.TRANSFER_OUT, Decimal("-12.50"), 2),
        Flow("bar", "wine", Kind.SHIP, Decimal("-3.25"), 1),
        Flow("bar", "wine", Kind.ADJUSTMENT, Decimal("-1.00"), 1),
    ]
    lines = entry_lines(rules, flows)
    assert balanced(lines)
    out = [x for x in lines if x.kind == Kind.TRANSFER_OUT]
    assert [(x.account, x.debit, x.credit, x.location) for x in out] == [
        ("BAR", 0, Decimal("12.50"), "bar"),
        ("D-inventory", Decimal("12.50"), 0, None),
    ]
    shrink = [x for x in lines if x.kind == Kind.ADJUSTMENT and x.role == "shrinkage"]
    assert (shrink[0].debit, shrink[0].memo) == (Decimal("1.00"), "ADJUSTMENT wine: 1 movement")


def test_a_location_the_map_does_not_cover_is_refused_at_production_naming_the_gap() -> None:
    rules = rules_of([{"role": role, "account": "1", "location": "bar"} for role in ROLES])
    with pytest.raises(InvalidStateError) as refused:
        entry_lines(rules, [Flow("cellar", None, Kind.WASTE, Decimal("-2.00"), 1)])
    assert "waste at cellar" in refused.value.detail
