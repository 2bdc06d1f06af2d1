"""Prometheus metrics at /metrics: requests, commands, and the projections' progress.

On the API port /metrics needs a key of any role (viewer and up), like every other read.
``serve_metrics`` opens a second, keyless listener on its own port for a scraper
(`stockledger serve --metrics-port`, STOCKLEDGER_METRICS_PORT); publish that port to the
monitoring network only.

Request and command series are counted as requests finish; projection series are read from
``ReadModels.status()`` at scrape time, so they are never stale and cost nothing between
scrapes. Each app has its own registry (several apps may live in one test process).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Depends, Request, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    start_http_server,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.exposition import generate_latest
from prometheus_client.registry import Collector

from api.auth import Principal, viewer
from api.dependencies import composition_of
from api.problems import ForbiddenError

if TYPE_CHECKING:
    from projections.service import ReadModels

# Command routes and the document kind each posts (POST only).
COMMAND_KINDS = {
    "/api/receipts": "receipt",
    "/api/quotes": "quote_create",
    "/api/quotes/{quote_id}/close": "quote_close",
    "/api/quotes/{quote_id}/cancel": "quote_cancel",
    "/api/deliveries": "delivery",
    "/api/returns": "return",
    "/api/transfers": "transfer",
    "/api/consumptions": "consumption",
    "/api/waste": "waste",
    "/api/stock/{sku}/{location}/adjust": "adjustment",
    "/api/counts": "count",
    "/api/periods/{period}/close": "period_close",
    "/api/sales/{sale_id}/void": "void",
    "/api/productions": "production",
    "/api/purchase-orders": "purchase_order",
    "/api/purchase-orders/{po_id}/cancel": "purchase_order_cancel",
    "/api/supplier-invoices": "supplier_invoice",
}


# The states of a projection (projections.health), each a series of stockledger_projection_state.
STATES = ("live", "catching_up", "stopped", "rebuilding", "failing")


def outcome_of(status: int) -> str:
    """created (201), repeated (200: idempotent repeat or no-op), refused (4xx), failed (5xx)."""
    if status == 201:
        return "created"
    if status < 300:
        return "repeated"
    return "refused" if status < 500 else "failed"


class ProjectionCollector(Collector):
    """Position, head, lag (events and seconds) and rebuild progress of every projection."""

    def __init__(self, read_models: ReadModels) -> None:
        self.read_models = read_models

    def collect(self) -> Iterator[Metric]:
        labels = ["projection"]
        position = GaugeMetricFamily(
            "stockledger_projection_position", "Last event applied", labels=labels
        )
        head = GaugeMetricFamily("stockledger_projection_head", "Ledger head", labels=labels)
        lag = GaugeMetricFamily(
            "stockledger_projection_lag_events", "Events not yet applied", labels=labels
        )
        lag_s = GaugeMetricFamily(
            "stockledger_projection_lag_seconds",
            "Age of the oldest event not yet applied (0 when caught up)",
            labels=labels,
        )
        rebuild_position = GaugeMetricFamily(
            "stockledger_projection_rebuild_position", "Rebuild progress", labels=labels
        )
        rebuild_rate = GaugeMetricFamily(
            "stockledger_projection_rebuild_events_per_second", "Rebuild rate", labels=labels
        )
        state = GaugeMetricFamily(
            "stockledger_projection_state",
            "1 for the state the projection is in (live, catching_up, stopped, rebuilding, "
            "failing), 0 for the others",
            labels=["projection", "state"],
        )
        failing_position = GaugeMetricFamily(
            "stockledger_projection_failing_position",
            "Position of the event its runner cannot apply (0: not failing)",
            labels=labels,
        )
        for item in self.read_models.status():
            name = [item["name"]]
            position.add_metric(name, item["position"])
            head.add_metric(name, item["head"])
            lag.add_metric(name, item["lag"])
            lag_s.add_metric(name, self._lag_seconds(item))
            rebuild = item.get("rebuild")
            rebuild_position.add_metric(name, rebuild["position"] if rebuild else 0)
            rebuild_rate.add_metric(name, rebuild["events_per_s"] if rebuild else 0)
            for each in STATES:
                state.add_metric([item["name"], each], 1 if item["state"] == each else 0)
            failing = item.get("failing")
            failing_position.add_metric(name, failing["position"] if failing else 0)
        yield from (position, head, lag, lag_s, rebuild_position, rebuild_rate)
        yield from (state, failing_position)

    def _lag_seconds(self, item: dict[str, Any]) -> float:  # ok-float: seconds
        if item["lag"] <= 0:
            return 0.0
        ledger = self.read_models.ledger
        pending = ledger.recorder.select_notifications(item["position"] + 1, 1)
        if not pending:
            return 0.0
        event: Any = ledger.mapper.to_domain_event(pending[0])
        recorded: float = event.timestamp.timestamp()  # ok-float: epoch seconds
        return max(0.0, time.time() - recorded)


class TamperCollector(Collector):
    """Decisions refused because a movement failed its MAC check (store.authenticity)."""

    def __init__(self, read_models: ReadModels) -> None:
        self.read_models = read_models

    def collect(self) -> Iterator[Metric]:
        refused = CounterMetricFamily(
            "stockledger_ledger_tampered",
            "Decisions refused: a movement loaded for one failed its ledger-key check",
        )
        refused.add_metric([], self.read_models.ledger.authenticity.refusals)
        yield refused


# A request's series: its count, its latency, and its command's count (None: not a command).
_Series = tuple[Counter, Histogram, Counter | None]


class Metrics:
    """One app's registry and the series the HTTP edge updates."""

    def __init__(self, read_models: ReadModels) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "stockledger_http_requests",
            "HTTP requests by route and status",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "stockledger_http_request_duration_seconds",
            "HTTP request latency by route",
            ["method", "route"],
            buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
            registry=self.registry,
        )
        self.commands = Counter(
            "stockledger_commands",
            "Commands by kind and outcome",
            ["kind", "outcome"],
            registry=self.registry,
        )
        self.registry.register(ProjectionCollector(read_models))
        self.registry.register(TamperCollector(read_models))
        # The series one (method, route, status) updates, looked up once (the client
        # library's label look-up was a third of the metrics' cost per request).
        self._series: dict[tuple[str, str, int], _Series] = {}

    def observe(
        self,
        method: str,
        route: str | None,
        status: int,
        seconds: float,  # ok-float: latency
    ) -> None:
        label = route or "unmatched"
        series = self._series.get((method, label, status))
        if series is None:
            series = self._series[(method, label, status)] = self._series_of(method, label, status)
        requests, latency, commands = series
        requests.inc()
        latency.observe(seconds)
        if commands is not None:
            commands.inc()

    def _series_of(self, method: str, label: str, status: int) -> _Series:
        kind = COMMAND_KINDS.get(label) if method == "POST" else None
        return (
            self.requests.labels(method, label, str(status)),
            self.latency.labels(method, label),
            None if kind is None else self.commands.labels(kind, outcome_of(status)),
        )

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


router = APIRouter(include_in_schema=False)


@router.get("/metrics")
def metrics(request: Request, who: Principal = Depends(viewer)) -> Response:
    """Prometheus text format, for any valid key (viewer and up) of the home store: the
    figures are the process's and its home store's, not a tenant's to read."""
    if composition_of(request) is not request.app.state.tenancy.home:
        raise ForbiddenError("/metrics needs a key of the home store, not a tenant's")
    registry: Metrics = request.app.state.metrics
    return Response(registry.exposition(), media_type=CONTENT_TYPE_LATEST)


def serve_metrics(metrics: Metrics, host: str, port: int) -> Callable[[], None]:
    """Serves ``metrics`` without a key on ``host``:``port`` from a daemon thread; returns
    the function that stops it."""
    server, thread = start_http_server(port, addr=host, registry=metrics.registry)

    def stop() -> None:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)

    return stop
