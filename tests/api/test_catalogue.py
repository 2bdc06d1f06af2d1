"""The catalogue through the API (SPEC §8): items, locations, roles and the low-stock report."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

from application.settings import Settings
from tests.api.conftest import BEER, Api, _api, transfer

WINE = {
    "name": "Rioja",
    "base_unit": "l",
    "category": "wine",
    "units": [{"unit": "bottle", "factor": "0.75"}],
    "reorder": [{"location": "main", "reorder_point": "3", "reorder_qty": "9"}],
}


def fresh(api: Api, path: str, position: int, role: str = "viewer") -> Any:
    response = api.get(f"{path}{'&' if '?' in path else '?'}min_position={position}", role=role)
    assert response.status_code == 200, response.text
    return response.json()


def test_putting_an_item_creates_it_then_changes_it_and_a_repeat_changes_nothing(
    any_api: Api,
) -> None:
    created = any_api.put("/api/items/BEER", BEER)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["base_unit"] == "each" and body["version"] == 1
    assert body["units"] == [{"unit": "case", "factor": "24"}]
    again = any_api.put("/api/items/BEER", BEER)
    assert again.status_code == 200 and again.json()["version"] == 1
    changed = any_api.put("/api/items/BEER", {**BEER, "name": "Pils"})
    assert changed.status_code == 200 and changed.json()["version"] == 2
    item = fresh(any_api, "/api/items/BEER", changed.json()["position"])
    assert item["name"] == "Pils" and item["version"] == 2
    assert item["reorder"] == [{"location": "bar", "reorder_point": "30", "reorder_qty": "48"}]
    assert any_api.get("/api/items/NONE", role="viewer").status_code == 404


def test_items_are_searched_by_sku_name_or_barcode_ignoring_case_and_paged(api: Api) -> None:
    api.put("/api/items/BEER", BEER)
    api.put("/api/items/WINE-1", WINE)
    last = api.put("/api/items/beer_2", {**BEER, "name": "Weizen 100%", "barcode": None})
    position = last.json()["position"]

    def skus(query: str) -> list[str]:
        return [i["sku"] for i in fresh(api, f"/api/items?{query}", position)["items"]]

    assert skus("search=rioJA") == ["WINE-1"]
    assert skus("search=beer") == ["BEER", "beer_2"]
    assert skus("search=4006048") == ["BEER"]
    assert skus("search=100%25") == ["beer_2"]
    assert skus("search=_") == ["beer_2"]  # a LIKE wildcard matches only itself
    assert skus("category=wine") == ["WINE-1"]
    first = fresh(api, "/api/items?limit=2", position)
    assert [i["sku"] for i in first["items"]] == ["BEER", "WINE-1"]
    rest = fresh(api, f"/api/items?limit=2&cursor={first['next_cursor']}", position)
    assert [i["sku"] for i in rest["items"]] == ["beer_2"] and rest["next_cursor"] is None


def test_an_item_refuses_bad_factors_and_repeated_units(api: Api) -> None:
    for factor in ("0", "-1", "0.0000001", "abc"):
        bad = {**BEER, "units": [{"unit": "case", "factor": factor}]}
        response = api.put("/api/items/BEER", bad)
        assert response.status_code == 422, (factor, response.text)
    twice = {**BEER, "units": [{"unit": "case", "factor": "24"}, {"unit": "case", "factor": "6"}]}
    assert api.put("/api/items/BEER", twice).status_code == 422
    base = {**BEER, "units": [{"unit": "each", "factor": "2"}]}
    assert api.put("/api/items/BEER", base).status_code == 422
    exact = {**BEER, "units": [{"unit": "oz", "factor": "0.028350"}]}
    assert api.put("/api/items/BEER", exact).json()["units"][0]["factor"] == "0.028350"


def test_the_base_unit_is_locked_once_the_sku_has_moved_but_factors_may_change(api: Api) -> None:
    assert api.put("/api/items/BEER", BEER).status_code == 201
    assert api.put("/api/items/BEER", {**BEER, "base_unit": "bottle"}).status_code == 200
    api.post("/api/receipts", _receipt("R-1", "BEER", "1", "3.00", unit=None))
    locked = api.put("/api/items/BEER", {**BEER, "base_unit": "can"})
    assert locked.status_code == 409 and locked.json()["code"] == "invalid_state"
    repacked = {**BEER, "base_unit": "bottle", "units": [{"unit": "case", "factor": "20"}]}
    assert api.put("/api/items/BEER", repacked).status_code == 200
    moved = api.post("/api/receipts", _receipt("R-2", "BEER", "1", "20.00", unit="case"))
    assert moved.json()["movements"][0]["quantity"] == "20"


def test_items_and_locations_are_put_by_admins_and_read_by_viewers(api: Api) -> None:
    for role in ("viewer", "clerk", "finance"):
        assert api.put("/api/items/BEER", BEER, role=role).status_code == 403
        assert api.put("/api/locations/bar", {"name": "Bar"}, role=role).status_code == 403
    assert api.put("/api/items/BEER", BEER, role=None).status_code == 401
    position = api.put("/api/items/BEER", BEER).json()["position"]
    for path in ("/api/items", "/api/items/BEER", "/api/locations", "/api/reports/low-stock"):
        assert api.get(f"{path}?min_position={position}", role="viewer").status_code == 200
        assert api.get(path, role=None).status_code == 401


def test_locations_list_the_declared_ones_and_those_seen_in_the_ledger(any_api: Api) -> None:
    put = any_api.put("/api/locations/bar", {"name": "Main bar", "kind": "bar"})
    assert put.status_code == 201
    assert put.json() == {
        "code": "bar",
        "name": "Main bar",
        "kind": "bar",
        "declared": True,
        "position": put.json()["position"],
    }
    assert put.json()["position"] > 0
    assert any_api.put("/api/locations/bar", {"name": "Main bar", "kind": "bar"}).status_code == 200
    assert any_api.put("/api/locations/van1", {"name": "Van", "kind": "boat"}).status_code == 422
    moved = any_api.post("/api/receipts", _receipt("R-1", "AB-1", "2", "1.00", location="cellar"))
    body = fresh(any_api, "/api/locations", moved.json()["position"])
    assert body["items"] == [
        {"code": "bar", "name": "Main bar", "kind": "bar", "declared": True},
        {"code": "cellar", "name": None, "kind": None, "declared": False},
    ]


def test_low_stock_lists_positions_at_or_below_their_reorder_point(any_api: Api) -> None:
    any_api.put("/api/items/BEER", BEER)
    any_api.put("/api/items/WINE", WINE)
    any_api.post(
        "/api/receipts", _receipt("R-1", "BEER", "2", "30.00", unit="case", location="bar")
    )
    any_api.post("/api/receipts", _receipt("R-2", "WINE", "12", "9.99", unit="bottle"))
    before = any_api.post("/api/deliveries", _delivery("D-0", "WINE", "1", "bottle"))
    report = fresh(any_api, "/api/reports/low-stock", before.json()["position"])
    assert report["items"] == []
    any_api.post("/api/deliveries", _delivery("D-1", "BEER", "18", None, location="bar"))
    last = any_api.post("/api/deliveries", _delivery("D-2", "WINE", "7", "bottle"))
    report = fresh(any_api, "/api/reports/low-stock", last.json()["position"])
    for row in report["items"]:
        row["available"] = Decimal(row["available"])
    assert report["items"] == [
        {
            "sku": "BEER",
            "location": "bar",
            "available": 30,
            "reorder_point": "30",
            "reorder_qty": "48",
            "unit": "each",
        },
        {
            "sku": "WINE",
            "location": "main",
            "available": 3,
            "reorder_point": "3",
            "reorder_qty": "9",
            "unit": "l",
        },
    ]
    only = fresh(any_api, "/api/reports/low-stock?location=bar", last.json()["position"])
    assert [row["sku"] for row in only["items"]] == ["BEER"]


@pytest.fixture
def strict_api(settings: Settings) -> Iterator[Api]:
    """The app on each backend with STOCKLEDGER_REQUIRE_ITEMS on."""
    yield from _api(settings.model_copy(update={"require_items": True}))


def test_with_items_required_unknown_skus_and_locations_are_refused(strict_api: Api) -> None:
    refused = strict_api.post("/api/receipts", _receipt("R-1", "BEER", "1", "1.00"))
    assert refused.status_code == 422 and refused.json()["code"] == "unknown_item"
    strict_api.put("/api/items/BEER", BEER)
    refused = strict_api.post("/api/receipts", _receipt("R-1", "BEER", "1", "1.00"))
    assert refused.status_code == 422 and refused.json()["code"] == "unknown_location"
    strict_api.put("/api/locations/main", {"name": "Warehouse", "kind": "warehouse"})
    posted = strict_api.post("/api/receipts", _receipt("R-1", "BEER", "1", "1.00"))
    assert posted.status_code == 201, posted.text
    moved = strict_api.post("/api/transfers", transfer("T-1", "bar", "1", "BEER"))
    assert moved.status_code == 422 and moved.json()["code"] == "unknown_location"
    count = {"count_id": "C-1", "location": "main", "note": "stocktake"}
    counted = strict_api.post("/api/counts", {**count, "lines": [{"sku": "WINE", "counted": "0"}]})
    assert counted.status_code == 422 and counted.json()["code"] == "unknown_item"


def _receipt(
    receipt_id: str,
    sku: str,
    qty: str,
    cost: str,
    unit: str | None = None,
    location: str = "main",
) -> dict[str, Any]:
    line: dict[str, Any] = {"sku": sku, "quantity": qty, "unit_cost": cost}
    if unit is not None:
        line["unit"] = unit
    return {"receipt_id": receipt_id, "location": location, "lines": [line]}


def _delivery(
    delivery_id: str, sku: str, qty: str, unit: str | None, location: str = "main"
) -> dict[str, Any]:
    line: dict[str, Any] = {"sku": sku, "quantity": qty}
    if unit is not None:
        line["unit"] = unit
    return {"delivery_id": delivery_id, "location": location, "lines": [line]}


def test_an_item_change_is_published_on_the_feed(api: Api) -> None:
    api.put("/api/items/BEER", BEER)
    api.put("/api/items/BEER", BEER)  # unchanged: no event
    api.put("/api/items/BEER", {**BEER, "name": "Pils"})
    items = api.get("/api/events?type=item", role="finance").json()["items"]
    assert [(e["type"], e["data"]["name"], e["data"]["version"]) for e in items] == [
        ("item.changed", "Pils 0.33 l", 1),
        ("item.changed", "Pils", 2),
    ]
    assert items[0]["data"]["units"] == [{"unit": "case", "factor": "24"}]
    assert items[0]["data"]["user"] == "admin"


def test_balances_carry_the_base_unit_of_their_sku(any_api: Api) -> None:
    any_api.put("/api/items/WINE", WINE)
    any_api.post("/api/receipts", _receipt("R-1", "WINE", "4", "9.99", unit="bottle"))
    last = any_api.post("/api/receipts", _receipt("R-2", "LOOSE", "5", "1.00"))
    position = last.json()["position"]
    balance = fresh(any_api, "/api/stock/WINE/main", position)
    assert balance["unit"] == "l" and Decimal(balance["on_hand"]) == 3
    assert fresh(any_api, "/api/stock/LOOSE/main", position)["unit"] is None
    by_sku = fresh(any_api, "/api/stock/WINE", position)
    assert [row["unit"] for row in by_sku["locations"]] == ["l"]
    page = fresh(any_api, "/api/stock?location=main", position)
    assert {row["sku"]: row["unit"] for row in page["items"]} == {"LOOSE": None, "WINE": "l"}
