"""Books: periods close once and in calendar order (SPEC §5)."""

from __future__ import annotations

from dataclasses import FrozenInstanceError

import pytest

from domain.books import Books, PeriodClose, previous_period
from domain.errors import InvalidStateError, ValidationError
from tests.domain.helpers import AT


def close(books: Books, period: str, first_period: str | None = "2026-01") -> None:
    books.close_period(period, "fiona", 1, "0" * 64, {}, AT, first_period)


def test_a_period_closes_only_after_the_one_before_it() -> None:
    books = Books()
    for period in ("2026-01", "2026-02", "2026-03"):
        close(books, period)
    assert sorted(books.closes) == ["2026-01", "2026-02", "2026-03"]


def test_closing_a_later_period_first_is_refused_naming_the_open_earlier_one() -> None:
    books = Books()
    close(books, "2026-01")
    with pytest.raises(InvalidStateError, match="2026-09") as refused:
        close(books, "2026-10")
    assert refused.value.errors == [{"field": "period", "open_period": "2026-09"}]
    assert list(books.closes) == ["2026-01"]


def test_periods_that_ended_before_the_first_movement_need_not_be_closed() -> None:
    books = Books()
    close(books, "2026-03", first_period="2026-03")
    close(books, "2025-06", first_period="2026-03")
    with pytest.raises(InvalidStateError, match="2026-04"):
        close(books, "2026-05", first_period="2026-03")
    with pytest.raises(InvalidStateError, match="2026-02"):
        close(Books(), "2026-03", first_period="2026-02")


def test_on_a_ledger_without_movements_any_ended_period_may_close() -> None:
    books = Books()
    close(books, "2026-08", first_period=None)
    close(books, "0001-01", first_period=None)
    assert sorted(books.closes) == ["0001-01", "2026-08"]


def test_the_month_before_january_is_december_of_the_year_before() -> None:
    assert previous_period("2026-01") == "2025-12"
    assert previous_period("2026-10") == "2026-09"
    assert previous_period("0001-01") is None


@pytest.mark.parametrize("period", ["2026-13", "0000-01", "2026-00", "26-01", "2026-1"])
def test_a_malformed_period_is_refused_naming_the_field(period: str) -> None:
    with pytest.raises(ValidationError) as refused:
        close(Books(), period)
    assert refused.value.errors == [{"field": "period"}]


def test_a_close_is_a_frozen_record_of_its_figures() -> None:
    books = Books()
    close(books, "2026-01")
    record = books.closes["2026-01"]
    assert record == PeriodClose("2026-01", 1, "0" * 64, {}, AT, "fiona")
    with pytest.raises(FrozenInstanceError):
        record.digest = "1" * 64  # type: ignore[misc]
