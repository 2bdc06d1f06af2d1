"""API fixtures: the real app on a real store, a key per role, and a client per backend.

``client`` runs on SQLite only (fast); ``any_client`` runs on both backends.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from application.settings import Settings

ROLES = ("viewer", "clerk", "finance", "admin")


class Api:
    """A TestClient that sends the key of a chosen role."""

    def __init__(self, client: TestClient, tokens: dict[str, str]) -> None:
        self.client = client
        self.tokens = tokens

    def headers(self, role: str | None) -> dict[str, str]:
        return {} if role is None else {"Authorization": f"Bearer {self.tokens[role]}"}

    def get(self, path: str, role: str | None = "admin", **kwargs: Any) -> Any:
        return self.client.get(
            path, headers={**self.headers(role), **kwargs.pop("headers", {})}, **kwargs
        )

    def post(self, path: str, json: Any = None, role: str | None = "admin", **kwargs: Any) -> Any:
        return self.client.post(
            path, json=json, headers={**self.headers(role), **kwargs.pop("headers", {})}, **kwargs
        )

    def put(self, path: str, json: Any = None, role: str | None = "admin", **kwargs: Any) -> Any:
        return self.client.put(
            path, json=json, headers={**self.headers(role), **kwargs.pop("headers", {})}, **kwargs
        )

    @property
    def head(self) -> int:
        return int(self.client.app.state.ledger.head())  # type: ignore[attr-defined]


def _api(settings: Settings) -> Iterator[Api]:
    app = create_app(settings)
    ledger = app.state.ledger
    tokens = {role: ledger.issue_key(role, role, issued_by="test")[1] for role in ROLES}
    with TestClient(app, raise_server_exceptions=False) as client:
        yield Api(client, tokens)


@pytest.fixture
def sqlite_settings(tmp_path: Path) -> Settings:
    return Settings(database_url=None, data_dir=tmp_path / "var")


@pytest.fixture
def api(sqlite_settings: Settings) -> Iterator[Api]:
    """The app on a fresh SQLite store."""
    yield from _api(sqlite_settings)


@pytest.fixture
def any_api(settings: Settings) -> Iterator[Api]:
    """The app on each backend in turn."""
    yield from _api(settings)


def receipt(
    receipt_id: str,
    sku: str = "AB-001",
    qty: str = "20",
    cost: str = "15.00",
    location: str = "main",
) -> dict[str, Any]:
    return {
        "receipt_id": receipt_id,
        "location": location,
        "lines": [{"sku": sku, "quantity": qty, "unit_cost": cost}],
    }


def quote(
    quote_id: str = "Q-1",
    qty: str = "5",
    sku: str = "AB-001",
    price: str = "24.90",
    customer: str = "Bistro",
) -> dict[str, Any]:
    return {
        "quote_id": quote_id,
        "customer": customer,
        "location": "main",
        "lines": [{"sku": sku, "quantity": qty, "unit_price": price}],
    }


def delivery(
    delivery_id: str, qty: str, quote_id: str | None = None, sku: str = "AB-001"
) -> dict[str, Any]:
    """A delivery from main, against ``quote_id`` when one is given."""
    against = {} if quote_id is None else {"quote_id": quote_id}
    return {
        "delivery_id": delivery_id,
        "location": "main",
        **against,
        "lines": [{"sku": sku, "quantity": qty}],
    }


def transfer(transfer_id: str, to_location: str, qty: str, sku: str = "AB-001") -> dict[str, Any]:
    """A transfer out of main."""
    return {
        "transfer_id": transfer_id,
        "from_location": "main",
        "to_location": to_location,
        "lines": [{"sku": sku, "quantity": qty}],
    }


# An item with a pack unit and a reorder point (the catalogue and item-patch tests).
BEER = {
    "name": "Pils 0.33 l",
    "base_unit": "each",
    "category": "beer",
    "barcode": "4006048000019",
    "units": [{"unit": "case", "factor": "24"}],
    "reorder": [{"location": "bar", "reorder_point": "30", "reorder_qty": "48"}],
}


def post_history(settings: Settings) -> None:
    """January and February 2025 on the store: receipts, a delivery, a return, use, waste."""
    from datetime import UTC, datetime
    from decimal import Decimal

    from application.commands import (
        Line,
        PostConsumption,
        PostDelivery,
        PostReceipt,
        PostReturn,
        PostWaste,
        ReceiptLine,
    )
    from application.ledger import Ledger

    moments = iter(
        datetime(2025, month, day, 12, tzinfo=UTC)
        for month, day in [(1, 10), (1, 11), (1, 12), (2, 3), (2, 4), (2, 5)]
    )
    with closing(Ledger(settings, clock=lambda: next(moments))) as ledger:
        ledger.execute(
            PostReceipt("R-1", "main", [ReceiptLine("AB-001", Decimal(10), Decimal(5))]), user="h"
        )
        ledger.execute(PostDelivery("D-1", "main", [Line("AB-001", Decimal(4))]), user="h")
        ledger.execute(PostReturn("RT-1", "D-1", [Line("AB-001", Decimal(1))]), user="h")
        ledger.execute(PostConsumption("C-1", "main", [Line("AB-001", Decimal(2))]), user="h")
        ledger.execute(PostWaste("W-1", "main", [Line("AB-001", Decimal(1))], "spoiled"), user="h")
        ledger.execute(PostDelivery("D-2", "main", [Line("AB-001", Decimal(1))]), user="h")


@pytest.fixture
def history_api(sqlite_settings: Settings) -> Iterator[Api]:
    """The app on a SQLite store holding post_history()."""
    post_history(sqlite_settings)
    yield from _api(sqlite_settings)
