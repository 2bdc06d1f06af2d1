"""Periods: list the closed ones, read one (with whether the ledger still reproduces it),
close one once it has ended. Every answer comes from the ledger's ``Books``; the queries
still honour ``min_position`` like every other query."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import Path

from api.auth import Principal
from api.dependencies import FreshReadModels, LedgerDep
from api.params import PERIOD_PATTERN
from api.route_table import Answer, Routes, created
from api.schemas import PeriodClosed, PeriodDetail, PeriodPublic
from application.periods import ClosePeriod
from domain.access import Role

router = Routes("/api/periods", "periods", Role.FINANCE)

Period = Path(pattern=PERIOD_PATTERN, examples=["2026-02"])
CLOSED = "Already closed: the original close"


@router.read("", list[PeriodPublic], 503)
def periods(ledger: LedgerDep, _: FreshReadModels) -> Any:
    """Closed periods"""
    closes = ledger.books().closes
    return [asdict(closes[period]) for period in sorted(closes)]


@router.read("/{period}", PeriodDetail, 404, 503)
def period(ledger: LedgerDep, _: FreshReadModels, period: str = Period) -> Any:
    """A closed period with its totals and whether the ledger still reproduces them"""
    close, verified = ledger.closed_period(period)
    return {**asdict(close), "verified": verified}


@router.write("POST", "/{period}/close", PeriodClosed, 409, repeat=CLOSED, status_code=201)
def close_period(who: Principal, ledger: LedgerDep, period: str = Period) -> Answer:
    """Close an ended period, recording its totals and a ledger digest"""
    closed, new = ledger.close_period(ClosePeriod(period), user=who.user)
    return created(asdict(closed), new)
