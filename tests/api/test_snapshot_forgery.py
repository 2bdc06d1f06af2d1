"""A snapshot planted in the store does not survive a restart of the service (issue 9)."""

from __future__ import annotations

from decimal import Decimal

from application.ledger import Ledger
from application.settings import Settings
from domain.stock_item import StockItem
from tests.api.conftest import _api, receipt
from tests.tamper import plant_snapshot


def test_after_a_restart_a_planted_snapshot_does_not_let_a_delivery_oversell(
    settings: Settings,
) -> None:
    first = _api(settings)
    api = next(first)
    assert api.post("/api/receipts", receipt("R-1", qty="10"), role="clerk").status_code == 201
    first.close()
    with Ledger(settings) as ledger:  # the application role may INSERT snapshots
        item_id = StockItem.create_id("AB-001", "main")
        plant_snapshot(ledger, item_id, on_hand=Decimal(1000), value=Decimal(15000))

    restarted = _api(settings)
    api = next(restarted)
    try:
        delivery = {
            "delivery_id": "D-1",
            "location": "main",
            "lines": [{"sku": "AB-001", "quantity": "500"}],
        }
        response = api.post("/api/deliveries", delivery, role="clerk")
        assert response.status_code == 409, response.json()
        assert response.json()["code"] == "insufficient_stock"
    finally:
        restarted.close()
