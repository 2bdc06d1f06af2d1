"""The HTTP edge: ``create_app(settings)`` wires one Ledger and one ReadModels.

The read models' runners start with the app (in-process projectors) and stop with it.
Every request leaves one JSON log line on ``stockledger.http`` (``api.observe``); tokens
never appear in it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from api import docs, limits, metrics, problems
from api.observe import RequestLog
from api.routers import (
    adjustments,
    catalogue,
    costs,
    documents,
    events,
    health,
    periods,
    projections,
    quotes,
    reports,
    stock,
    webhooks,
)
from application.ledger import Ledger
from application.settings import Settings

DESCRIPTION = """\
An event-sourced inventory ledger. Commands post typed stock movements; queries read
rebuildable projections. Decimals are JSON strings in responses and accept strings or
numbers in requests. Errors are `application/problem+json` with a stable `code`.
Send `Authorization: Bearer <key>` (`stockledger keys create`) on every `/api` call.
"""


def create_app(settings: Settings) -> FastAPI:
    """The StockLedger API on the store ``settings`` name; the projectors run in-process
    unless ``settings.run_projectors`` is off (workers run them: `projections run`)."""
    from feed.service import FeedService
    from projections.service import ReadModels

    ledger = Ledger(settings)
    read_models = ReadModels(settings, ledger)
    ledger.on_recorded.append(lambda _position: read_models.notify())
    feed = FeedService(settings, ledger, read_models.db)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if settings.run_projectors:
            read_models.start()
        feed.start(deliver=settings.run_projectors)  # webhooks are delivered beside them
        try:
            yield
        finally:
            feed.stop()
            read_models.stop()
            read_models.close()
            ledger.close()

    app = FastAPI(
        title="StockLedger",
        version="1.0.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,  # api.docs serves it with Swagger UI from the package, offline
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.ledger = ledger
    app.state.read_models = read_models
    app.state.feed = feed
    app.state.metrics = metrics.Metrics(read_models)
    app.include_router(metrics.router)
    for module in (
        health,
        documents,
        costs,
        quotes,
        stock,
        adjustments,
        reports,
        periods,
        projections,
        events,
        webhooks,
        catalogue,
    ):
        app.include_router(module.router)
    docs.install(app)
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
            if "requestBody" in operation:
                answers.setdefault("413", problems.responses(413)[413])
        app.openapi_schema = schema
    return app.openapi_schema
