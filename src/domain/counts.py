"""A stock count (API.md ``POST /counts``): what it may say and the adjustment it implies.

A count observes ``counted`` units per sku at one moment; the ledger adjusts each position by
``counted − on_hand`` as recorded at that moment, so movements recorded after the observation
are not counted twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from domain import bounds
from domain.errors import ValidationError


def check_count(skus: Sequence[str], counted: Sequence[Decimal], at: datetime | None) -> None:
    """Refuses a sku listed twice, a counted quantity < 0 or out of bounds, and an
    observation time without a UTC offset."""
    if len(set(skus)) != len(skus):
        raise ValidationError("a count lists each sku once", [{"field": "lines"}])
    for index, quantity in enumerate(counted):
        bounds.check_quantity(quantity, f"lines[{index}].counted", allow_zero=True)
    if at is not None and at.tzinfo is None:
        raise ValidationError("counted_at needs a UTC offset", [{"field": "counted_at"}])


def observed_at(counted_at: datetime | None, now: datetime) -> datetime:
    """When the count was seen: ``counted_at``, else now. Refuses a time in the future."""
    seen_at = counted_at or now
    if seen_at > now:
        raise ValidationError("counted_at is in the future", [{"field": "counted_at"}])
    return seen_at


def difference(counted: Decimal, on_hand_then: Decimal) -> Decimal:
    """The adjustment a counted line implies; zero posts nothing."""
    return counted - on_hand_then
