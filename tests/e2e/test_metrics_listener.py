"""`stockledger serve` with STOCKLEDGER_METRICS_PORT: a keyless /metrics on that port only."""

from __future__ import annotations

from pathlib import Path

import httpx

from application.settings import Settings
from tests.e2e.conftest import Server, wait_until
from tests.pgserver import free_port


def test_the_metrics_port_serves_metrics_without_a_key_and_the_api_port_still_needs_one(
    tmp_path: Path, serve: list[Server]
) -> None:
    metrics_port = free_port()
    settings = Settings(database_url=None, data_dir=tmp_path / "var")
    server = Server(settings, tmp_path, {"STOCKLEDGER_METRICS_PORT": str(metrics_port)})
    serve.append(server)
    server.start()
    keyless = f"http://127.0.0.1:{metrics_port}/metrics"

    def answering() -> bool:
        try:
            return httpx.get(keyless, timeout=1).status_code == 200
        except httpx.TransportError:
            return False

    wait_until(answering, 10, f"metrics on {keyless}")
    scraped = httpx.get(keyless, timeout=5)
    assert scraped.headers["content-type"].startswith("text/plain")
    assert 'stockledger_projection_position{projection="balances"}' in scraped.text
    on_api = httpx.get(f"{server.url}/metrics", timeout=5)
    assert on_api.status_code == 401
    assert f"127.0.0.1:{metrics_port}" in server.output()
    assert server.stop() in (0, -15)
