"""/metrics exposes requests, commands and projection progress, and they move with use."""

from __future__ import annotations

import json
import logging
import os
import time

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.api.conftest import Api, receipt


def scrape(api: Api) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = api.get("/metrics", role="viewer")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    samples = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def value(
    samples: dict[tuple[str, tuple[tuple[str, str], ...]], float], name: str, **labels: str
) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_every_series_is_exposed_and_moves_as_commands_are_posted(api: Api) -> None:
    before = scrape(api)
    for name in ("balances", "movements", "cogs"):
        assert ("stockledger_projection_position", (("projection", name),)) in before
        assert ("stockledger_projection_lag_seconds", (("projection", name),)) in before
        assert (
            "stockledger_projection_rebuild_events_per_second",
            (("projection", name),),
        ) in before

    created = api.post("/api/receipts", receipt("R-1"), role="clerk")
    assert created.status_code == 201
    repeated = api.post("/api/receipts", receipt("R-1"), role="clerk")
    assert repeated.status_code == 200
    short = api.post(
        "/api/deliveries",
        {"delivery_id": "D-1", "location": "main", "lines": [{"sku": "AB-001", "quantity": 99}]},
        role="clerk",
    )
    assert short.status_code == 409
    position = created.json()["position"]
    assert api.get(f"/api/stock/AB-001/main?min_position={position}").status_code == 200

    deadline = time.monotonic() + 10
    while True:
        after = scrape(api)
        heads = [
            value(after, "stockledger_projection_position", projection=name)
            for name in ("balances", "movements", "cogs")
        ]
        if min(heads) >= position or time.monotonic() > deadline:
            break
    assert min(heads) >= position
    assert value(after, "stockledger_projection_head", projection="balances") >= position
    assert value(after, "stockledger_commands_total", kind="receipt", outcome="created") == 1
    assert value(after, "stockledger_commands_total", kind="receipt", outcome="repeated") == 1
    assert value(after, "stockledger_commands_total", kind="delivery", outcome="refused") == 1
    route = {"method": "POST", "route": "/api/receipts"}
    assert value(after, "stockledger_http_requests_total", status="201", **route) == 1
    assert value(after, "stockledger_http_request_duration_seconds_count", **route) == 2
    assert value(before, "stockledger_http_request_duration_seconds_count", **route) == 0


def test_metrics_on_the_api_port_need_a_key_of_any_role(api: Api) -> None:
    missing = api.get("/metrics", role=None)
    assert (missing.status_code, missing.json()["code"]) == (401, "unauthorized")
    bad = api.get("/metrics", role=None, headers={"Authorization": "Bearer sl_nope_nope"})
    assert bad.status_code == 401
    for role in ("viewer", "clerk", "finance", "admin"):
        response = api.get("/metrics", role=role)
        assert response.status_code == 200, role
        assert response.headers["content-type"].startswith("text/plain")
        assert "stockledger_projection_position" in response.text


def test_a_body_refused_before_routing_is_logged_and_counted_once(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    before = scrape(api)
    oversized = {"Content-Length": str(2 << 20), "Authorization": f"Bearer {api.tokens['clerk']}"}
    with caplog.at_level(logging.INFO, logger="stockledger.http"):
        response = api.client.post("/api/receipts", content=b"{}", headers=oversized)
    assert response.status_code == 413
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "stockledger.http"]
    assert [(line["status"], line["path"], line["pid"]) for line in lines] == [
        (413, "/api/receipts", os.getpid())
    ]
    after = scrape(api)
    label = {"method": "POST", "route": "unmatched", "status": "413"}
    assert value(after, "stockledger_http_requests_total", **label) == 1 + value(
        before, "stockledger_http_requests_total", **label
    )


def test_fastapi_s_own_opentelemetry_is_off(api: Api) -> None:
    # The product's observability is its log line and these metrics; FastAPI's native
    # OpenTelemetry asked the global providers on every request (api.main.TELEMETRY_OFF).
    app = api.client.app
    assert app._native_telemetry.enabled() is False  # type: ignore[attr-defined]
    assert {app._telemetry[k] for k in ("tracing", "metrics", "logs")} == {False}  # type: ignore[attr-defined]
