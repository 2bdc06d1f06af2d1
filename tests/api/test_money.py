"""Money in answers at the currency's places (present.money.with_places, SPEC §7): every amount
under a money key written with exactly that many places, whatever places it was held at;
quantities and other figures untouched."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from domain.bounds import exact, money_quantum
from present.money import with_places


def test_amounts_are_written_at_the_places_and_nothing_else_changes() -> None:
    body = {
        "rows": [
            {"value": Decimal("12.50"), "quantity": Decimal(3), "net_cogs": Decimal(0)},
            {"closing_value": Decimal("7"), "unit_cost": Decimal("2.333333")},
        ],
        "totals": {"shipped_value": Decimal("-0.5"), "count": 2},
        "note": "value",
    }
    placed = with_places(body, 2)
    assert placed == body  # the same amounts
    as_text = {key: str(value) for row in placed["rows"] for key, value in row.items()} | {
        "shipped_value": str(placed["totals"]["shipped_value"])
    }
    assert as_text == {
        "value": "12.50",
        "quantity": "3",  # not money: as held
        "net_cogs": "0.00",
        "closing_value": "7.00",
        "unit_cost": "2.333333",
        "shipped_value": "-0.50",
    }
    assert str(with_places({"value": Decimal("1.5")}, 0)["value"]) == "2"  # half up
    assert str(with_places({"value": Decimal(4)}, 4)["value"]) == "4.0000"


@given(
    st.decimals(min_value=-(10**12), max_value=10**12, places=4, allow_nan=False),
    st.integers(min_value=0, max_value=4),
)
def test_every_amount_reads_as_the_rounding_rule_would_write_it(
    amount: Decimal, places: int
) -> None:
    written = with_places({"value": amount}, places)["value"]
    expected = exact(lambda: amount, money_quantum(places))
    assert str(written) == str(expected)
