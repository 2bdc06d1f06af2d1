"""PATCH /api/items/{sku}: a JSON merge patch (RFC 7396) changes the fields it names and
keeps the rest; null clears an optional field; the merged item is checked as a put is."""

from __future__ import annotations

from typing import Any

from tests.api.conftest import BEER, Api

MERGE = {"Content-Type": "application/merge-patch+json"}


def patch(api: Api, sku: str, body: Any, role: str = "admin") -> Any:
    return api.client.patch(f"/api/items/{sku}", json=body, headers={**api.headers(role), **MERGE})


def test_patching_one_field_keeps_every_other_field(any_api: Api) -> None:
    assert any_api.put("/api/items/BEER", BEER).status_code == 201
    answer = patch(
        any_api,
        "BEER",
        {"reorder": [{"location": "bar", "reorder_point": 12, "reorder_qty": "36"}]},
    )
    assert answer.status_code == 200, answer.text
    item = answer.json()
    assert item["name"] == "Pils 0.33 l" and item["barcode"] == "4006048000019"
    assert [(u["unit"], float(u["factor"])) for u in item["units"]] == [("case", 24.0)]
    assert [(r["location"], float(r["reorder_point"])) for r in item["reorder"]] == [("bar", 12.0)]
    assert item["version"] == 2
    read = any_api.get(f"/api/items/BEER?min_position={item['position']}").json()
    assert read["name"] == "Pils 0.33 l" and float(read["reorder"][0]["reorder_point"]) == 12


def test_a_null_member_clears_an_optional_field_and_plain_json_is_accepted(
    any_api: Api,
) -> None:
    any_api.put("/api/items/BEER", BEER)
    answer = any_api.client.patch(
        "/api/items/BEER", json={"barcode": None, "name": "Pils"}, headers=any_api.headers("admin")
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["barcode"] is None and answer.json()["name"] == "Pils"
    assert answer.json()["category"] == "beer"


def test_a_patch_that_breaks_a_rule_is_a_422_naming_the_field_and_records_nothing(
    any_api: Api,
) -> None:
    any_api.put("/api/items/BEER", BEER)
    head = any_api.head
    answer = patch(any_api, "BEER", {"units": [{"unit": "case", "factor": "-1"}]})
    assert answer.status_code == 422, answer.text
    assert [e["field"] for e in answer.json()["errors"]] == ["units[0].factor"]
    answer = patch(any_api, "BEER", {"name": None})
    assert answer.status_code == 422 and answer.json()["errors"][0]["field"] == "name"
    assert any_api.head == head


def test_patching_an_unknown_item_is_404_and_a_clerk_is_refused(any_api: Api) -> None:
    assert patch(any_api, "NOPE", {"name": "x"}).status_code == 404
    any_api.put("/api/items/BEER", BEER)
    assert patch(any_api, "BEER", {"name": "x"}, role="clerk").status_code == 403
