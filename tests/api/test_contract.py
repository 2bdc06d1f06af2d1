"""The HTTP contract's shape (issue 9): money at the currency's places in JSON and CSV,
CSV totals lines, an OpenAPI document without dangling references, /docs offline."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from application.settings import Settings
from tests.api.conftest import Api, _api, receipt

MONEY = re.compile(r"-?[0-9]+\.[0-9]{2}")


def _fresh(api: Api) -> str:
    return f"min_position={api.head}"


# --- E. money at the currency's places ----------------------------------------------------


def test_movement_values_carry_the_currency_places(api: Api) -> None:
    free = api.post("/api/receipts", receipt("R-1", qty="3", cost="0"))
    (movement,) = free.json()["movements"]
    assert (movement["value"], movement["value_after"]) == ("0.00", "0.00")
    quote = {
        "quote_id": "Q-1",
        "customer": "c",
        "location": "main",
        "lines": [{"sku": "AB-001", "quantity": "1", "unit_price": "2"}],
    }
    assert api.post("/api/quotes", quote).status_code == 201
    (reserve,) = api.post("/api/quotes/Q-1/close").json()["movements"]
    assert reserve["kind"] == "RESERVE"
    assert (reserve["value"], reserve["value_after"]) == ("0.00", "0.00")


def test_balances_and_history_carry_the_currency_places(api: Api) -> None:
    assert api.get("/api/stock/NEW-1/main").json()["value"] == "0.00"
    api.post("/api/receipts", receipt("R-1", qty="2", cost="5"))
    fresh = _fresh(api)
    assert api.get(f"/api/stock/AB-001/main?{fresh}").json()["value"] == "10.00"
    sku = api.get(f"/api/stock/AB-001?{fresh}").json()
    assert sku["total"]["value"] == "10.00"
    listed = api.get(f"/api/stock?{fresh}").json()["items"]
    assert [item["value"] for item in listed] == ["10.00"]
    at = api.get("/api/stock/NEW-1/main/at", params={"time": "2020-01-01T00:00:00+00:00"})
    assert at.json()["value"] == "0.00"
    (movement,) = api.get(f"/api/stock/AB-001/main/movements?{fresh}").json()["items"]
    assert (movement["value"], movement["value_after"]) == ("10.00", "10.00")


@pytest.fixture
def three_places_api(tmp_path: Path) -> Iterator[Api]:
    """STOCKLEDGER_CURRENCY_DECIMALS=3 (a dinar-like currency)."""
    yield from _api(Settings(database_url=None, data_dir=tmp_path / "v", currency_decimals=3))


def test_money_follows_the_configured_currency_places(three_places_api: Api) -> None:
    api = three_places_api
    (movement,) = api.post("/api/receipts", receipt("R-1", qty="2", cost="5")).json()["movements"]
    assert (movement["value"], movement["value_after"]) == ("10.000", "10.000")
    assert api.get("/api/stock/NEW-1/main").json()["value"] == "0.000"


def _amounts(body: dict[str, Any]) -> list[str]:
    rows = [*body["rows"], body["totals"]]
    return [row[k] for row in rows for k in row if k.endswith("_value") or k == "net_cogs"]


def test_report_amounts_carry_the_currency_places(history_api: Api) -> None:
    api = history_api
    cogs = api.get(f"/api/reports/cogs?{_fresh(api)}", role="finance").json()
    valuation = api.get(f"/api/reports/valuation?period=2025-02&{_fresh(api)}", role="finance")
    amounts = _amounts(cogs) + _amounts(valuation.json())
    assert amounts and all(MONEY.fullmatch(amount) for amount in amounts), amounts
    empty = api.get("/api/reports/cogs?from=2030-01", role="finance").json()
    assert empty["totals"]["net_cogs"] == "0.00"


def _csv(api: Api, path: str) -> list[dict[str, str]]:
    response = api.get(path, role="finance", headers={"Accept": "text/csv"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.text)))


def test_cogs_csv_ends_with_a_totals_line(history_api: Api) -> None:
    api = history_api
    *rows, totals = _csv(api, f"/api/reports/cogs?{_fresh(api)}")
    body = api.get("/api/reports/cogs", role="finance").json()
    assert len(rows) == len(body["rows"]) == 2
    assert (totals["period"], totals["location"], totals["sku"]) == ("total", "", "")
    assert {k: totals[k] for k in body["totals"]} == body["totals"]
    assert totals["net_cogs"] == "30.00"


def test_valuation_answers_csv_with_the_same_columns_and_a_totals_line(history_api: Api) -> None:
    api = history_api
    path = f"/api/reports/valuation?period=2025-02&{_fresh(api)}"
    *rows, totals = _csv(api, path)
    body = api.get(path, role="finance").json()
    assert [list(row) for row in rows] == [list(row) for row in body["rows"]]
    assert rows == body["rows"]
    assert totals["period"] == "total"
    assert {k: totals[k] for k in body["totals"]} == body["totals"]
    assert totals["closing_value"] == "15.00"


# --- D. OpenAPI and /docs --------------------------------------------------------------------


def _walk(node: Any) -> Iterator[tuple[str, Any]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield key, value
            yield from _walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from _walk(item)


def _resolve(document: dict[str, Any], ref: str) -> Any:
    assert ref.startswith("#/"), ref
    node: Any = document
    for part in ref[2:].split("/"):
        assert isinstance(node, dict) and part in node, f"dangling $ref {ref}"
        node = node[part]
    return node


def test_every_ref_of_the_openapi_document_resolves(api: Api) -> None:
    document = api.get("/openapi.json", role=None).json()
    refs = {value for key, value in _walk(document) if key == "$ref"}
    assert "#/components/schemas/Problem" in refs
    for ref in refs:
        _resolve(document, ref)


def test_every_api_operation_documents_422_and_a_body_413_as_problems(api: Api) -> None:
    document = api.get("/openapi.json", role=None).json()
    for path, item in document["paths"].items():
        if not path.startswith("/api"):
            continue
        for method, operation in item.items():
            assert "422" in operation["responses"], (method, path)
            if "requestBody" in operation:
                assert "413" in operation["responses"], (method, path)


def test_the_decimal_pattern_refuses_what_the_server_refuses(api: Api) -> None:
    document = api.get("/openapi.json", role=None).json()
    line = document["components"]["schemas"]["ReceiptLineIn"]["properties"]["quantity"]
    (string,) = [branch for branch in line["anyOf"] if branch.get("type") == "string"]
    pattern = re.compile(string["pattern"])
    for refused in ("", " 5", "1_000", "1e3", "NaN", "+1", "05", "1."):
        assert not pattern.search(refused), refused
    for accepted in ("12.5", "0", "-2", "0.001"):
        assert pattern.search(accepted), accepted


def test_docs_load_swagger_ui_from_the_server_not_a_cdn(api: Api) -> None:
    page = api.get("/docs", role=None)
    assert page.status_code == 200
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert sources and all(source.startswith("/") for source in sources), sources
    for source in sources:
        asset = api.get(source, role=None)
        assert asset.status_code == 200, source
        assert len(asset.content) > 0
