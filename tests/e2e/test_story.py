"""The full story over HTTP against `stockledger serve`, then a restart loses nothing."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx

from application.settings import Settings
from tests.e2e.conftest import Server, cli


def _key(stdout: str) -> str:
    """The one key a command printed (its own line, beside log lines in any order)."""
    keys = [line for line in stdout.splitlines() if line.startswith("sl_")]
    assert len(keys) == 1, stdout
    return keys[0]


class Client:
    def __init__(self, url: str, token: str) -> None:
        self.http = httpx.Client(
            base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=30
        )

    def post(self, path: str, body: Any = None, status: int = 201) -> Any:
        response = self.http.post(path, json=body)
        assert response.status_code == status, response.text
        return response.json()

    def get(self, path: str, **params: Any) -> Any:
        response = self.http.get(path, params=params)
        assert response.status_code == 200, response.text
        return response.json()


def _story(url: str, admin: Client, clerk: Client, finance: Client) -> int:
    lines = [
        {"sku": "AB-001", "quantity": "20", "unit_cost": "15"},
        {"sku": "CD-2", "quantity": "7.5", "unit_cost": "2.4"},
    ]
    clerk.post("/api/receipts", {"receipt_id": "R-1", "location": "main", "lines": lines})
    clerk.post(
        "/api/quotes",
        {
            "quote_id": "Q-1",
            "customer": "Bistro",
            "location": "main",
            "lines": [{"sku": "AB-001", "quantity": "6", "unit_price": "25"}],
        },
    )
    clerk.post("/api/quotes/Q-1/close")
    clerk.post(
        "/api/deliveries",
        {
            "delivery_id": "D-1",
            "location": "main",
            "quote_id": "Q-1",
            "lines": [{"sku": "AB-001", "quantity": "4"}],
        },
    )
    clerk.post(
        "/api/returns",
        {"return_id": "RT-1", "delivery_id": "D-1", "lines": [{"sku": "AB-001", "quantity": "1"}]},
    )
    clerk.post(
        "/api/transfers",
        {
            "transfer_id": "T-1",
            "from_location": "main",
            "to_location": "bar",
            "lines": [{"sku": "CD-2", "quantity": "2.5"}],
        },
    )
    admin.post(
        "/api/counts",
        {
            "count_id": "K-1",
            "location": "bar",
            "lines": [{"sku": "CD-2", "counted": "2"}],
            "note": "shelf count",
        },
    )
    last = admin.post(
        "/api/stock/AB-001/main/adjust",
        {"adjustment_id": "A-1", "quantity": "-1", "note": "broken"},
    )
    position: int = last["position"]
    balance = clerk.get("/api/stock/AB-001/main", min_position=position)
    # 20 in, 4 out, 1 back, 1 adjusted away; 2 still reserved for the quote
    assert {k: Decimal(balance[k]) for k in ("on_hand", "reserved", "value")} == {
        "on_hand": 16,
        "reserved": 2,
        "value": Decimal("240.00"),
    }
    cogs = finance.get("/api/reports/cogs", min_position=position, group_by="sku")
    rows = {row["sku"]: row for row in cogs["rows"]}
    assert Decimal(rows["AB-001"]["net_cogs"]) == Decimal("45.00")
    assert finance.get("/api/periods") == []
    return position


def _snapshot(client: Client, position: int) -> dict[str, Any]:
    return {
        "balance": client.get("/api/stock/AB-001/main", min_position=position),
        "bar": client.get("/api/stock/CD-2/bar", min_position=position),
        "history": client.get("/api/stock/AB-001/main/movements", min_position=position)["items"],
        "quote": client.get("/api/quotes/Q-1"),
    }


def _run_story(settings: Settings, tmp_path: Path, serve: list[Server]) -> None:
    server = Server(settings, tmp_path)
    serve.append(server)
    server.start()
    admin_token = _key(server.output())
    clerk_token = _key(cli(settings, "keys", "create", "--user", "alice", "--role", "clerk").stdout)
    finance_token = _key(
        cli(settings, "keys", "create", "--user", "fiona", "--role", "finance").stdout
    )
    clients = [Client(server.url, token) for token in (admin_token, clerk_token, finance_token)]
    try:
        position = _story(server.url, *clients)
        before = _snapshot(clients[0], position)
    finally:
        for client in clients:
            client.http.close()
    assert {m["user"] for m in before["history"]} >= {"alice", "admin"}
    assert server.stop() in (0, -15)  # uvicorn re-raises SIGTERM after a clean shutdown
    assert "Application shutdown complete" in server.output()

    again = Server(settings, tmp_path)
    serve.append(again)
    again.start()
    assert "sl_" not in again.output(), "a store with keys must not get a new admin key"
    admin = Client(again.url, admin_token)
    with admin.http:
        after = _snapshot(admin, position)
    assert after == before
    assert again.stop() in (0, -15)


def test_the_whole_story_survives_a_restart_on_sqlite(tmp_path: Path, serve: list[Server]) -> None:
    _run_story(Settings(database_url=None, data_dir=tmp_path / "var"), tmp_path, serve)


def test_the_whole_story_survives_a_restart_on_postgres(
    pg_settings: Settings, tmp_path: Path, serve: list[Server]
) -> None:
    _run_story(pg_settings, tmp_path, serve)
