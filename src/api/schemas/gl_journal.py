"""Bodies of the general-ledger journal (SPEC §15): the account map in and out, the journal
and its reconciliation with the valuation."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field

from api.schemas.common import Code, Name, NameText, Strict

# An account code as the accounting system spells it: one line, no control character.
AccountCode = Annotated[str, Field(min_length=1, max_length=64, examples=["1400"]), NameText]


class RuleIn(Strict):
    role: str = Field(
        max_length=32,
        examples=["inventory"],
        description="inventory, grni, cogs, food_cost, waste, shrinkage, cost_variance, payables",
    )
    account: AccountCode
    location: Code | None = None
    category: Name | None = None


class MapIn(Strict):
    rules: list[RuleIn] = Field(min_length=1, max_length=10_000)


class RulePublic(BaseModel):
    role: str
    account: str
    location: str | None
    category: str | None


class MapPublic(BaseModel):
    version: int
    set_at: str
    set_by: str
    rules: list[RulePublic]


class JournalLine(BaseModel):
    account: str
    role: str
    debit: str
    credit: str
    memo: str
    category: str | None
    kind: str
    location: str | None = Field(description="the tracking location; null on clearing lines")


class JournalEntry(BaseModel):
    location: str
    date: str
    lines: list[JournalLine]


class JournalTotals(BaseModel):
    debit: str
    credit: str


class JournalPublic(BaseModel):
    period: str
    map_version: int
    entries: list[JournalEntry]
    totals: JournalTotals
    position: int


class ReconciliationRow(BaseModel):
    period: str
    location: str
    journal: str
    valuation: str
    difference: str


class ReconciliationPublic(BaseModel):
    rows: list[ReconciliationRow]
