"""Issue 35.4: codes that differ only in case do not split a position, and an outbound line
on a position that never had stock says the SKU is unknown there (both backends)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from application.settings import Settings
from tests.api.conftest import Api, _api, receipt


def test_a_receipt_at_a_location_differing_only_in_case_is_refused_naming_the_known_one(
    any_api: Api,
) -> None:
    assert any_api.post("/api/receipts", receipt("R-1", location="main")).status_code == 201
    refused = any_api.post("/api/receipts", receipt("R-2", location="Main"))
    assert refused.status_code == 422
    body = refused.json()
    assert body["code"] == "similar_code"
    assert "'main'" in body["detail"]
    assert body["errors"][0]["existing"] == "main"
    head = any_api.head
    stock = any_api.get(f"/api/stock/AB-001?min_position={head}").json()
    assert [balance["location"] for balance in stock["locations"]] == ["main"]


def test_a_sku_differing_only_in_case_is_refused_at_a_receipt_and_at_an_item(
    any_api: Api,
) -> None:
    assert any_api.post("/api/receipts", receipt("R-1", sku="AB-001")).status_code == 201
    refused = any_api.post("/api/receipts", receipt("R-2", sku="ab-001", location="bar"))
    assert refused.status_code == 422
    assert refused.json()["code"] == "similar_code"
    assert refused.json()["errors"][0] == {"field": "sku", "value": "ab-001", "existing": "AB-001"}
    item = any_api.put("/api/items/Ab-001", {"name": "Flour", "base_unit": "kg"})
    assert item.status_code == 422
    assert item.json()["code"] == "similar_code"
    assert any_api.put("/api/locations/BAR", {"name": "Bar"}).status_code == 201
    assert any_api.put("/api/locations/bar", {"name": "Bar"}).json()["code"] == "similar_code"


def test_the_same_code_in_the_same_case_is_accepted_again(any_api: Api) -> None:
    assert any_api.post("/api/receipts", receipt("R-1")).status_code == 201
    assert any_api.post("/api/receipts", receipt("R-2", location="bar")).status_code == 201
    assert any_api.post("/api/receipts", receipt("R-3")).status_code == 201


@pytest.fixture
def lenient_api(tmp_path: Path) -> Iterator[Api]:
    yield from _api(
        Settings(database_url=None, data_dir=tmp_path / "var", allow_similar_codes=True)
    )


def test_an_operator_may_allow_codes_differing_only_in_case(lenient_api: Api) -> None:
    assert lenient_api.post("/api/receipts", receipt("R-1", location="main")).status_code == 201
    assert lenient_api.post("/api/receipts", receipt("R-2", location="Main")).status_code == 201


def test_a_delivery_of_a_sku_never_stocked_at_the_location_says_unknown_position(
    any_api: Api,
) -> None:
    assert any_api.post("/api/receipts", receipt("R-1", location="main")).status_code == 201
    answer = any_api.post(
        "/api/deliveries",
        {"delivery_id": "D-1", "location": "bar", "lines": [{"sku": "AB-001", "quantity": "1"}]},
    )
    assert answer.status_code == 409
    body = answer.json()
    assert body["code"] == "unknown_position"
    assert "AB-001 has never been stocked at bar" in body["detail"]
    short = any_api.post(
        "/api/deliveries",
        {"delivery_id": "D-2", "location": "main", "lines": [{"sku": "AB-001", "quantity": "99"}]},
    )
    assert short.status_code == 409
    assert short.json()["code"] == "insufficient_stock"
