"""The event feed and webhooks (API.md "Event feed and webhooks"; docs/FEED.md)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, Field, field_validator

from api.schemas.common import NoteText, Strict
from feed.destinations import parse
from feed.events import TYPES


class EventPublic(BaseModel):
    v: int = Field(description="Schema version of the event (docs/FEED.md)", examples=[1])
    position: int
    type: str = Field(examples=["movement.recorded"])
    time: str = Field(examples=["2026-03-14T10:00:00+00:00"])
    data: dict[str, Any]


class EventsPage(BaseModel):
    items: list[EventPublic]
    next: int = Field(description="Pass as `after` for the next page")
    head: int = Field(description="The ledger's newest position when the page was read")


def known_prefix(prefix: str) -> str:
    if not any(name.startswith(prefix) for name in TYPES):
        msg = f"no event type starts with {prefix!r}; types: {', '.join(TYPES)}"
        raise ValueError(msg)
    return prefix


TypePrefix = Annotated[str, Field(min_length=1, max_length=64, examples=["movement"])]


class WebhookCreate(Strict):
    url: str = Field(
        max_length=2000,
        examples=["https://erp.example.com/hooks/stock"],
        description="http(s), printable ASCII, no credentials; a destination that is not "
        "public is refused unless STOCKLEDGER_WEBHOOK_ALLOWED_NETWORKS allows it",
    )
    types: list[TypePrefix] = Field(
        default_factory=list, max_length=20, description="Type prefixes; none means all"
    )
    # Free text as the ledger's notes (domain.text): no NUL or other control but TAB/LF/CR.
    description: Annotated[str, NoteText] | None = Field(default=None, max_length=500)

    @field_validator("url")
    @classmethod
    def _strict_url(cls, value: str) -> str:
        parse(value)  # a UrlError (a ValueError) names what is wrong; the destination is
        return value  # checked where the allowed networks are known (feed.webhooks)

    @field_validator("types")
    @classmethod
    def _known_types(cls, value: list[str]) -> list[str]:
        return [known_prefix(p) for p in value]


class WebhookCreated(BaseModel):
    id: str
    url: str
    types: list[str]
    secret: str = Field(description="`whsec_…`, shown only in this answer")
    status: str


class WebhookPublic(BaseModel):
    id: str
    url: str
    types: list[str]
    description: str | None
    status: str = Field(examples=["active", "failing", "paused"])
    position: int = Field(description="Last position acknowledged (or skipped by type)")
    last_error: str | None
    failing_since: str | None = Field(
        description="When the failures in a row began (ISO 8601, UTC); null while delivering",
        examples=["2026-03-14T10:00:00.000+00:00"],
    )


class DeliveryAttempt(BaseModel):
    event_position: int
    attempt: int
    status_code: int | None
    error: str | None
    at: str


class WebhookStatus(BaseModel):
    status: str
