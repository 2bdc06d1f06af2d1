"""Operations: periods and their closes, projection status and rebuilds, health."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class PeriodPublic(BaseModel):
    period: str
    closed_at: datetime
    closed_by: str
    digest: str


class PeriodDetail(PeriodPublic):
    totals: dict[str, Any]
    verified: bool


class PeriodClosed(PeriodPublic):
    model_config = ConfigDict(extra="allow")
    totals: dict[str, Any]


class RebuildProgress(BaseModel):
    position: int
    head: int
    events_per_s: float | None  # ok-float: a rate, not money
    version: int = Field(description="The version being built")


class ProjectionFailure(BaseModel):
    position: int = Field(description="The position of the event its runner cannot apply")
    error: str = Field(examples=["KeyError: 'sku'"])
    since: str = Field(description="When it first failed there (ISO 8601, UTC)")


class ProjectionStatus(BaseModel):
    name: str
    version: int = Field(description="The version whose generation is live")
    code_version: int = Field(description="The version this process's code builds")
    position: int
    head: int
    lag: int
    state: Literal["live", "catching_up", "stopped", "rebuilding", "failing"] = Field(
        description="failing: its runner cannot apply the event at `failing.position`; "
        "rebuilding: a rebuild is requested or under way; stopped: no runner follows the "
        "ledger for it (it falls behind by every write); catching_up: over 1000 events "
        "behind; live: otherwise"
    )
    rebuild: RebuildProgress | None
    failing: ProjectionFailure | None = None


class RebuildAccepted(BaseModel):
    name: str
    state: str


class Health(BaseModel):
    status: Literal["ok"]
