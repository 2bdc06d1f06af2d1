"""Document records: fingerprints, repeats, and proportional return allocation (SPEC §1.5, §3)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from domain.documents import Document, fingerprint
from domain.errors import DocumentConflictError, ValidationError
from tests.domain.helpers import D


def delivery(*lines: tuple[str, str, str]) -> Document:
    shipped: list[dict[str, Any]] = [
        {
            "sku": sku,
            "quantity": D(qty),
            "value": D(value),
            "returned_qty": D(0),
            "returned_value": D(0),
        }
        for sku, qty, value in lines
    ]
    return Document("delivery", "d-1", "f" * 64, "alice", [], shipped, {"location": "main"})


def test_equal_payloads_have_equal_fingerprints_whatever_their_spelling() -> None:
    one = {"location": "main", "lines": [{"sku": "A", "quantity": D("10")}]}
    same = {"lines": [{"quantity": D("10.000"), "sku": "A"}], "location": "main"}
    other = {"location": "main", "lines": [{"sku": "A", "quantity": D("10.001")}]}
    assert fingerprint(one) == fingerprint(same)
    assert fingerprint(one) != fingerprint(other)


def test_a_repeat_with_another_payload_is_a_conflict() -> None:
    document = delivery(("A", "3", "10.00"))
    document.check_repeat("f" * 64)
    with pytest.raises(DocumentConflictError):
        document.check_repeat("e" * 64)


def test_returns_of_thirds_take_back_proportional_shares_and_the_last_takes_the_rest() -> None:
    document = delivery(("A", "3", "10.00"))
    taken: list[Decimal] = []
    for n in range(3):
        parts = document.allocate_return("A", D(1), 2)
        document.record_return(f"r-{n}", parts, "alice")
        taken.extend(value for _, _, value in parts)
    assert taken == [D("3.33"), D("3.33"), D("3.34")]
    assert sum(taken) == D("10.00")


def test_a_return_is_spread_over_the_lines_of_its_sku_in_order() -> None:
    document = delivery(("A", "2", "5.00"), ("B", "1", "1.00"), ("A", "2", "7.00"))
    parts = document.allocate_return("A", D(3), 2)
    assert parts == [(0, D(2), D("5.00")), (2, D(1), D("3.50"))]


def test_returning_more_than_was_shipped_and_not_yet_returned_is_refused() -> None:
    document = delivery(("A", "2", "5.00"))
    document.record_return("r-1", document.allocate_return("A", D("1.5"), 2), "alice")
    with pytest.raises(ValidationError):
        document.allocate_return("A", D("0.501"), 2)
    with pytest.raises(ValidationError):
        document.allocate_return("B", D(1), 2)
    assert document.allocate_return("A", D("0.5"), 2) == [(0, D("0.5"), D("1.25"))]


@pytest.mark.parametrize("quantity", ["0", "-1", "0.0001"])
def test_a_return_of_a_quantity_that_is_not_positive_with_three_places_is_refused(
    quantity: str,
) -> None:
    document = delivery(("A", "2", "5.00"))
    with pytest.raises(ValidationError):
        document.allocate_return("A", D(quantity), 2)
