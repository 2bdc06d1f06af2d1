"""The HTTP edge: ``create_app(settings)`` wires a Ledger and ReadModels per store: the home
store's, and each tenant's (tenancy.compositions), picked per request by the key's tenant.

The read models' runners start with the app (in-process projectors) and stop with it.
Every request leaves one JSON log line on ``stockledger.http`` (``api.observe``); tokens
never appear in it.

A request goes through the middleware (the request log, the body cap), then the app's one
route table: the command routes first (``api.command_route``: the hot path, found in a few
regular-expression matches), then every router FastAPI serves; each answer is
``api.respond.respond``'s and each error ``api.problems``'.
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

import console
from api import docs, limits, metrics, problems
from api.observe import RequestLog
from api.routers import (
    adjustments,
    avt,
    catalogue,
    costs,
    count_sheets,
    documents,
    events,
    gl_journal,
    health,
    periods,
    productions,
    projections,
    purchasing,
    quotes,
    recipes,
    reports,
    sales,
    stock,
    tickets,
    webhooks,
)
from application.settings import Settings

DESCRIPTION = """\
An event-sourced inventory ledger. Commands post typed stock movements; queries read
rebuildable projections. Decimals are JSON strings in responses and accept strings or
numbers in requests. Errors are `application/problem+json` with a stable `code`.
Send `Authorization: Bearer <key>` (`stockledger keys create`) on every `/api` call.
"""


# FastAPI's own OpenTelemetry (from 0.16x), off: StockLedger's observability is its request
# log and Prometheus metrics, and asking OpenTelemetry's global providers on every request
# cost 2-3 % of the API process (docs/DECISIONS.md "A command reaches its route directly").
TELEMETRY_OFF = {"tracing": False, "metrics": False, "logs": False, "operation_spans": False}


def _telemetry() -> dict[str, Any]:
    """``telemetry=TELEMETRY_OFF`` where this FastAPI takes it (older ones have none)."""
    accepted = "telemetry" in inspect.signature(FastAPI).parameters
    return {"telemetry": TELEMETRY_OFF} if accepted else {}


def create_app(settings: Settings, *, tenant: str | None = None) -> FastAPI:
    """The StockLedger API on the store ``settings`` name, and on every tenant registered
    there (a key's tenant prefix picks the ledger); the projectors run in-process unless
    ``settings.run_projectors`` is off (workers run them: `projections run`). With
    ``tenant``, ``settings`` name that tenant's store and the app serves it alone."""
    from tenancy.compositions import Composition, Tenancy
    from tenancy.registry import TenantRegistry

    home = Composition(settings, tenant)
    registry = None if tenant else TenantRegistry(home.read_models.db)
    tenancy = Tenancy(settings, home, registry)
    ledger, read_models, feed = home.ledger, home.read_models, home.feed

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        tenancy.start()  # webhooks are delivered beside the projectors
        try:
            yield
        finally:
            tenancy.stop()

    app = FastAPI(
        title="StockLedger",
        version="1.0.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,  # api.docs serves it with Swagger UI from the package, offline
        redoc_url=None,
        **_telemetry(),
    )
    app.state.settings = settings
    app.state.ledger = ledger
    app.state.read_models = read_models
    app.state.feed = feed
    app.state.tenancy = tenancy
    app.state.metrics = metrics.Metrics(read_models)
    # The command routes first: the router tries routes in order, and a command is the
    # request it meets most often.
    for commands in (
        documents,
        costs,
        quotes,
        adjustments,
        sales,
        tickets,
        productions,
        purchasing,
    ):
        app.router.routes.extend(commands.commands)
    app.include_router(metrics.router)
    for module in (
        health,
        quotes,
        stock,
        reports,
        periods,
        projections,
        events,
        webhooks,
        catalogue,
        recipes,
        sales,
        tickets,
        count_sheets,
        avt,
        gl_journal,
        purchasing,
    ):
        app.include_router(module.router)
    docs.install(app)
    console.install(app, settings)
    problems.install(app)
    app.add_middleware(limits.BodyLimit)
    app.add_middleware(RequestLog)  # outermost: it sees every answer, the 413s too
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    return app


def _operations(schema: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [
        (path, operation)
        for path, item in schema.get("paths", {}).items()
        for operation in item.values()
        if isinstance(operation, dict)
    ]


def _openapi(app: FastAPI) -> dict[str, Any]:
    """FastAPI's document, with the Problem schema every error response refers to."""
    if app.openapi_schema is None:
        schema = get_openapi(
            title=app.title,
            version=app.version,
            description=app.description,
            routes=app.routes,
        )
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components["Problem"] = problems.Problem.model_json_schema(
            ref_template="#/components/schemas/{model}"
        )
        for name in ("HTTPValidationError", "ValidationError"):
            components.pop(name, None)
        for path, operation in _operations(schema):
            answers = operation.setdefault("responses", {})
            # FastAPI's own 422 entry points at the schema popped above; every /api
            # operation refuses unknown query parameters (422), a body one a body > 1 MiB.
            if "422" in answers or path.startswith("/api"):
                answers["422"] = problems.responses(422)[422]
            if "requestBody" in operation:  # and 400/415: a body not JSON (issue 35.2)
                for status in (413, 400, 415):
                    answers.setdefault(str(status), problems.responses(status)[status])
        app.openapi_schema = schema
    return app.openapi_schema
