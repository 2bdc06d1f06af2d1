"""The web console (SPEC §12): server-rendered pages for finance and ops, served by the
API's own process at ``/``. Pages call the same ledger commands and read-model queries as
the API's routers; the roles are the API's (``domain.access``)."""

from __future__ import annotations

import secrets

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from application.settings import Settings


def install(app: FastAPI, settings: Settings) -> None:
    """Adds the console's pages and assets to the app; a session reads the store of its
    key's tenant (``app.state.tenancy``), as the API's requests do."""
    from console import home
    from console.pages import PAGES
    from console.session import Sessions
    from console.web import Journals

    secret = settings.console_secret
    key = secret.get_secret_value().encode() if secret else secrets.token_bytes(32)
    app.state.console_sessions = Sessions(app.state.tenancy, key)
    app.state.console_journals = Journals()
    app.state.console_nav = tuple(module.NAV for module in PAGES)
    app.mount(
        "/console-static",
        StaticFiles(packages=[("console", "static")]),
        name="console-static",
    )
    app.include_router(home.router)
    for module in PAGES:
        app.include_router(module.router)
