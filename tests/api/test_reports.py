"""GET /api/reports/cogs (JSON and CSV) and /api/reports/valuation."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from tests.api.conftest import Api


def _fresh(api: Api) -> str:
    return f"min_position={api.head}"


def test_cogs_per_period_nets_shipments_returns_and_consumption(history_api: Api) -> None:
    response = history_api.get(
        f"/api/reports/cogs?from=2025-01&to=2025-02&{_fresh(history_api)}", role="finance"
    )
    assert response.status_code == 200
    body = response.json()
    rows = {row["period"]: row for row in body["rows"]}
    january = rows["2025-01"]
    assert (january["location"], january["sku"]) == ("main", "AB-001")
    assert {
        k: Decimal(january[k])
        for k in ("shipped_qty", "shipped_value", "returned_value", "net_cogs")
    } == {
        "shipped_qty": 4,
        "shipped_value": 20,
        "returned_value": 5,
        "net_cogs": 15,
    }
    february = rows["2025-02"]
    assert Decimal(february["consumed_value"]) == 10
    assert Decimal(february["waste_value"]) == 5
    assert Decimal(february["net_cogs"]) == 15  # 5 shipped + 10 consumed
    assert Decimal(body["totals"]["net_cogs"]) == 30
    assert isinstance(body["totals"]["net_cogs"], str)


def test_cogs_grouped_by_location_only_has_no_period_or_sku_keys(history_api: Api) -> None:
    body = history_api.get(
        f"/api/reports/cogs?group_by=location&{_fresh(history_api)}", role="finance"
    ).json()
    (row,) = body["rows"]
    assert row["location"] == "main"
    assert "period" not in row and "sku" not in row
    assert Decimal(row["net_cogs"]) == 30


def test_cogs_as_csv_has_the_same_columns_and_figures(history_api: Api) -> None:
    response = history_api.get(
        f"/api/reports/cogs?from=2025-01&to=2025-01&{_fresh(history_api)}",
        role="finance",
        headers={"Accept": "text/csv"},
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    # Since issue 9 the CSV ends with a totals line (checked in test_inputs.py).
    row, _totals = list(csv.DictReader(io.StringIO(response.text)))
    json_row = history_api.get("/api/reports/cogs?from=2025-01&to=2025-01", role="finance").json()[
        "rows"
    ][0]
    assert list(row) == list(json_row)
    assert {k: row[k] for k in ("period", "sku")} == {"period": "2025-01", "sku": "AB-001"}
    assert Decimal(row["net_cogs"]) == Decimal(json_row["net_cogs"]) == 15


def test_cogs_refuses_an_unknown_group_and_a_malformed_period(history_api: Api) -> None:
    for query in ("group_by=colour", "from=2025-1", "to=2025-13"):
        response = history_api.get(f"/api/reports/cogs?{query}", role="finance")
        assert (response.status_code, response.json()["code"]) == (422, "validation_error"), query


def test_valuation_rolls_forward_from_opening_to_closing(history_api: Api) -> None:
    response = history_api.get(
        f"/api/reports/valuation?period=2025-02&{_fresh(history_api)}", role="finance"
    )
    assert response.status_code == 200
    (row,) = response.json()["rows"]
    assert (Decimal(row["opening_qty"]), Decimal(row["opening_value"])) == (7, 35)
    assert Decimal(row["consumed_value"]) == -10
    columns = [
        k for k in row if k.endswith("_value") and k not in ("opening_value", "closing_value")
    ]
    assert Decimal(row["opening_value"]) + sum(Decimal(row[k]) for k in columns) == Decimal(
        row["closing_value"]
    )
    assert (Decimal(row["closing_qty"]), Decimal(row["closing_value"])) == (3, 15)
