"""A query parameter given twice is a 422 naming it (issue 27.6; the last one used to win),
except a list parameter (``group_by``), whose documented form is repeated or comma-separated."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.conftest import Api, receipt


def _refused_twice(response: Any, name: str) -> dict[str, Any]:
    assert response.status_code == 422, response.text
    problem: dict[str, Any] = response.json()
    assert problem["code"] == "validation_error"
    assert [error["field"] for error in problem["errors"]] == [name], problem
    assert problem["detail"].startswith(f"{name}: "), problem["detail"]
    assert "more than once" in problem["detail"]
    return problem


@pytest.mark.parametrize(
    ("path", "role", "name"),
    [
        ("/api/stock?location=main&location=bar", "viewer", "location"),
        ("/api/stock?limit=5&limit=500", "viewer", "limit"),
        ("/api/reports/cogs?from=2026-01&to=2026-02&from=2025-01", "finance", "from"),
        ("/api/stock/AB-001/main/movements?kind=SHIP&kind=RECEIVE", "viewer", "kind"),
    ],
)
def test_a_query_parameter_given_twice_is_a_422_naming_it(
    any_api: Api, path: str, role: str, name: str
) -> None:
    any_api.post("/api/receipts", receipt("R-1"), role="clerk")
    _refused_twice(any_api.get(path, role=role), name)


def test_a_repeated_parameter_on_a_command_records_nothing(any_api: Api) -> None:
    head = any_api.head
    response = any_api.post("/api/receipts?min_position=1&min_position=2", receipt("R-1"))
    assert response.status_code == 422, response.text
    assert any_api.head == head


def test_group_by_may_still_be_repeated_as_documented(any_api: Api) -> None:
    any_api.post("/api/receipts", receipt("R-1"), role="clerk")
    repeated = any_api.get("/api/reports/cogs?group_by=period&group_by=sku", role="finance")
    commas = any_api.get("/api/reports/cogs?group_by=period,sku", role="finance")
    assert repeated.status_code == 200, repeated.text
    assert repeated.json()["rows"] == commas.json()["rows"]


def test_a_parameter_given_once_answers_as_before(any_api: Api) -> None:
    position = any_api.post("/api/receipts", receipt("R-1"), role="clerk").json()["position"]
    answer = any_api.get(f"/api/stock?location=main&limit=5&min_position={position}", "viewer")
    assert answer.status_code == 200, answer.text
    assert [row["sku"] for row in answer.json()["items"]] == ["AB-001"]
