"""Books: the record of closed periods (SPEC §5). A closed period's figures never change."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate

from domain.errors import ValidationError
from domain.stock_item import NAMESPACE


def check_period(period: str) -> tuple[int, int]:
    """A period is a calendar month written YYYY-MM."""
    try:
        year, month = (int(part) for part in period.split("-"))
    except ValueError:
        raise ValidationError("period must be YYYY-MM", [{"field": "period"}]) from None
    if len(period) != 7 or not 1 <= month <= 12 or year < 1:
        raise ValidationError("period must be YYYY-MM", [{"field": "period"}])
    return year, month


class Books(Aggregate):
    """The single ledger-wide register of period closes."""

    TOPIC = "stockledger:Books"

    class Created(Aggregate.Created):
        TOPIC = "stockledger:Books.Created"

    class PeriodClosed(Aggregate.Event):
        TOPIC = "stockledger:Books.PeriodClosed"
        period: str
        user: str
        position: int
        digest: str
        totals: dict[str, Any]

        def apply(self, aggregate: Any) -> None:
            aggregate.closes[self.period] = {
                "period": self.period,
                "closed_at": self.timestamp,
                "closed_by": self.user,
                "position": self.position,
                "digest": self.digest,
                "totals": self.totals,
            }

    @staticmethod
    def create_id() -> UUID:
        return uuid5(NAMESPACE, "books")

    def __init__(self) -> None:
        self.closes: dict[str, dict[str, Any]] = {}

    def close_period(
        self,
        period: str,
        user: str,
        position: int,
        digest: str,
        totals: dict[str, Any],
        at: datetime,
    ) -> None:
        """Records a period's totals and the ledger digest up to ``position``, once."""
        check_period(period)
        self.trigger_event(
            self.PeriodClosed,
            period=period,
            user=user,
            position=position,
            digest=digest,
            totals=totals,
            timestamp=at,
        )
