"""The reports are written to JSON directly (api.dependencies.json_answer): byte for byte
what their response models wrote, on both backends; decimals as plain text."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel

from api.schemas import CogsReport, ValuationReport
from api.schemas.reports import report_body
from application.settings import Settings
from present.money import plain, with_places
from tests.api.conftest import Api, _api, post_history, receipt, transfer

KEYS = ("period", "location", "sku")


@pytest.fixture
def reports_api(settings: Settings) -> Iterator[Api]:
    """Each backend's app over a history, plus a transfer and fractional quantities."""
    post_history(settings)
    for api in _api(settings):
        api.post("/api/receipts", receipt("R-9", qty="0.125", cost="3.333"), role="clerk")
        moved = api.post("/api/transfers", transfer("T-1", "bar", "1.5"), role="clerk")
        assert moved.status_code == 201
        yield api


def _modelled(model: type[BaseModel], body: dict[str, Any], **options: Any) -> bytes:
    """What the route's response model writes for ``body`` (FastAPI's way before)."""
    return model.model_validate(body).model_dump_json(**options).encode()


def _views(api: Api) -> Any:
    return api.client.app.state.read_models.cogs  # type: ignore[attr-defined]


@pytest.mark.parametrize("period", ["2025-01", "2025-02", "2025-03"])
def test_the_valuation_is_what_its_model_wrote(reports_api: Api, period: str) -> None:
    fresh = f"min_position={reports_api.head}"
    answer = reports_api.get(f"/api/reports/valuation?period={period}&{fresh}", role="finance")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/json"
    places = reports_api.client.app.state.settings.currency_decimals  # type: ignore[attr-defined]
    body = with_places(report_body(_views(reports_api).valuation(period, None, None), KEYS), places)
    assert answer.content == _modelled(ValuationReport, body)
    assert answer.json()["rows"], "the history values something in each period"


@pytest.mark.parametrize("group_by", ["period,location,sku", "location", "sku,period"])
def test_cogs_is_what_its_model_wrote(reports_api: Api, group_by: str) -> None:
    fresh = f"min_position={reports_api.head}"
    answer = reports_api.get(f"/api/reports/cogs?group_by={group_by}&{fresh}", role="finance")
    assert answer.status_code == 200
    keys = tuple(k for k in KEYS if k in group_by.split(","))
    places = reports_api.client.app.state.settings.currency_decimals  # type: ignore[attr-defined]
    found = _views(reports_api).cogs(None, None, None, None, keys)
    body = with_places(report_body(found, keys), places)
    assert answer.content == _modelled(CogsReport, body, exclude_none=True)
    assert answer.json()["rows"]


EXPONENTS = st.from_regex(r"-?[0-9]{1,5}(\.[0-9]{0,8})?E[+-]?[0-9]{1,2}", fullmatch=True)


@given(st.decimals(allow_nan=False, allow_infinity=False) | st.builds(Decimal, EXPONENTS))
def test_a_decimal_is_written_as_format_f_writes_it(value: Decimal) -> None:
    assert plain(value) == format(value, "f")
    assert "E" not in plain(value) and "e" not in plain(value)
