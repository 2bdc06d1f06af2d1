"""The web console (SPEC §12): server-rendered pages for finance and ops, served by the
API's own process at ``/``. Pages call the same ledger commands and read-model queries as
the API's routers; the roles are the API's (``domain.access``)."""

from __future__ import annotations

import secrets

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from application.ledger import Ledger
from application.settings import Settings


def install(app: FastAPI, settings: Settings, ledger: Ledger) -> None:
    """Adds the console's pages and assets to the app."""
    from console import home
    from console.pages import PAGES
    from console.session import Sessions
    from projections.journal import JournalView

    secret = settings.console_secret
    key = secret.get_secret_value().encode() if secret else secrets.token_bytes(32)
    app.state.console_sessions = Sessions(ledger, key)
    models = app.state.read_models
    app.state.console_journal = JournalView(models.query_db, models.movements.projection)
    app.mount(
        "/console-static",
        StaticFiles(packages=[("console", "static")]),
        name="console-static",
    )
    app.include_router(home.router)
    for module in PAGES:
        app.include_router(module.router)
