"""Books: the record of closed periods (SPEC §5). A closed period's figures never change.

Periods close in calendar order: a period closes only when the one before it is closed or
ended before the ledger's first movement (it then holds nothing to close).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from domain.errors import InvalidStateError, ValidationError
from domain.recorded import Register


def check_period(period: str) -> tuple[int, int]:
    """A period is a calendar month written YYYY-MM."""
    try:
        year, month = (int(part) for part in period.split("-"))
    except ValueError:
        raise ValidationError("period must be YYYY-MM", [{"field": "period"}]) from None
    if len(period) != 7 or not 1 <= month <= 12 or year < 1:
        raise ValidationError("period must be YYYY-MM", [{"field": "period"}])
    return year, month


def previous_period(period: str) -> str | None:
    """The calendar month before ``period``; None before 0001-01."""
    year, month = check_period(period)
    if month > 1:
        return f"{year:04d}-{month - 1:02d}"
    return f"{year - 1:04d}-12" if year > 1 else None


# Per part ("valuation", "cogs"), the period's summed amounts.
Totals = dict[str, dict[str, Decimal]]


@dataclass(frozen=True)
class PeriodClose:
    """A closed period: its totals, and the ledger digest up to ``position`` (the head when
    it was closed), recorded by ``closed_by`` at ``closed_at``."""

    period: str
    position: int
    digest: str
    totals: Totals
    closed_at: datetime
    closed_by: str


class Books(Register):
    """The single ledger-wide register of period closes."""

    TOPIC = "stockledger:Books"
    NAME = "books"

    class PeriodClosed(Register.Event):
        period: str
        user: str
        position: int
        digest: str
        totals: Totals

        def apply(self, aggregate: Any) -> None:
            aggregate.closes[self.period] = PeriodClose(
                period=self.period,
                position=self.position,
                digest=self.digest,
                totals=self.totals,
                closed_at=self.timestamp,
                closed_by=self.user,
            )

    def __init__(self) -> None:
        self.closes: dict[str, PeriodClose] = {}

    def check_close_order(self, period: str, first_period: str | None) -> None:
        """Refuses (InvalidStateError) to close ``period`` while the period before it is open
        and not wholly before ``first_period``, the period of the ledger's first movement
        (None: the ledger holds no movement yet, so every earlier period is empty)."""
        before = previous_period(period)
        if before is None or before in self.closes:
            return
        if first_period is None or before < first_period:
            return
        raise InvalidStateError(
            f"period {period} cannot be closed before period {before}, which is still open",
            [{"field": "period", "open_period": before}],
        )

    def close_period(
        self,
        period: str,
        user: str,
        position: int,
        digest: str,
        totals: Totals,
        at: datetime,
        first_period: str | None,
    ) -> None:
        """Records a period's totals and the ledger digest up to ``position``, once, in
        calendar order (see ``check_close_order``)."""
        check_period(period)
        self.check_close_order(period, first_period)
        self.trigger_event(
            self.PeriodClosed,
            period=period,
            user=user,
            position=position,
            digest=digest,
            totals=totals,
            timestamp=at,
        )
