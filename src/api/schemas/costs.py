"""Late costs (SPEC §10): the body of a cost against a receipt and what it answers."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from api.numbers import SignedMoney
from api.schemas.common import Code, Dec, RequiredNote, Strict, example
from api.schemas.results import CommandResultPublic


class CostCreate(Strict):
    model_config = example(
        {"cost_id": "C-1", "amount": "120.00", "note": "freight, invoice 88", "by": "value"}
    )
    cost_id: Code
    amount: SignedMoney
    note: RequiredNote
    by: Literal["value", "quantity"] = "value"


class AllocationPublic(BaseModel):
    """One receipt line's share of the cost: what went to stock (REVALUE) and what to the
    current period's COGS (cost variance); share = to_stock + to_cogs."""

    sku: str
    location: str
    share: Dec
    to_stock: Dec
    to_cogs: Dec


class CostResultPublic(CommandResultPublic):
    allocation: list[AllocationPublic]
