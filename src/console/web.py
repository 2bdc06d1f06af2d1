"""What every console page shares: the Jinja2 environment, the navigation, rendering with
the security headers, and the route class that turns refusals into HTML pages.

A page module holds one ``router`` (``APIRouter(route_class=ConsoleRoute)``) and one
``NAV`` entry; ``console.pages.PAGES`` lists the modules, so a new page is one module and
one line there. Pages import this module, never the other way: the navigation is composed
once, by ``console.install``, into ``app.state.console_nav``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode
from weakref import WeakKeyDictionary

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from jinja2 import Environment, PackageLoader, select_autoescape
from pydantic import ValidationError as PydanticError

from api.problems import ApiError, lookup
from application.errors import ApplicationError
from console.present import heading, items_of, one_unit, when
from domain.access import Role, allows
from domain.errors import DomainError
from present.money import canonical, places_of, with_places
from present.reports import Body, Report, cell

if TYPE_CHECKING:
    from application.ledger import Ledger
    from feed.service import FeedService
    from projections.journal import JournalView
    from projections.service import ReadModels
    from tenancy.compositions import Composition

# No inline script or style anywhere: every asset is a file of the package.
HEADERS = {
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
}


# Where a request's field came from, left out when naming the field in an error.
PLACES = ("query", "path", "body")


@dataclass(frozen=True)
class NavEntry:
    """A page in the navigation, shown to roles that allow ``needs``."""

    label: str
    path: str
    needs: Role


@dataclass(frozen=True)
class Visitor:
    """Who is signed in: the key's user and role, its id, the session's CSRF token, and the
    tenant whose store the session reads (None: the home store)."""

    user: str
    role: Role
    key_id: str
    csrf: str
    tenant: str | None = None

    def may(self, needed: str) -> bool:
        return allows(self.role, Role(needed))


class SignInRequired(Exception):
    """No valid session (none, expired, tampered, or its key revoked)."""


class Refused(Exception):
    """The signed-in role may not see this page or do this."""


def _money(value: Any, places: int = 2) -> str:
    if value is None:
        return ""
    return format(Decimal(value).quantize(Decimal(1).scaleb(-places)), "f")


def _query(request: Request, **changes: Any) -> str:
    """The current query string with ``changes`` applied (None removes a parameter)."""
    params = dict(request.query_params)
    params.update({k: v for k, v in changes.items() if v is not None})
    for key in [k for k, v in changes.items() if v is None]:
        params.pop(key, None)
    return "?" + urlencode({k: v for k, v in params.items() if v != ""})


templates = Environment(
    loader=PackageLoader("console", "templates"),
    autoescape=select_autoescape(default=True),
    trim_blocks=True,
    lstrip_blocks=True,
)


def _quantity(value: object) -> str:
    """A quantity as the console writes it: the shortest plain decimal, one form per number
    in a column ("10", "2.5", never "2.500" under "10"), as the API writes quantities."""
    return cell(canonical(value) if isinstance(value, Decimal) else value)


templates.filters["plain"] = cell
templates.filters["qty"] = _quantity
templates.globals["query"] = _query
templates.globals["heading"] = heading
templates.globals["item_of"] = lambda request, sku: items_of(request).get(sku)
templates.globals["one_unit"] = one_unit


def render(
    request: Request,
    who: Visitor | None,
    template: str,
    status: int = 200,
    **context: Any,
) -> HTMLResponse:
    """A page of the base layout, with the navigation ``who`` may follow and the shared
    macros as ``ui``."""
    places = request.app.state.settings.currency_decimals
    pages: tuple[NavEntry, ...] = request.app.state.console_nav
    entries = [entry for entry in pages if who is not None and who.may(entry.needs)]
    values = {
        "request": request,
        "who": who,
        "nav": entries,
        "money": lambda value: _money(value, places),
        "currency": request.app.state.settings.currency,
        "when": lambda moment: when(moment, request.app.state.settings.zone),
        **context,
    }
    # The shared macros (templates/macros.html) as ``ui``, seeing the page's values.
    ui = templates.get_template("macros.html").make_module(values)
    html = templates.get_template(template).render(ui=ui, **values)
    return HTMLResponse(html, status_code=status, headers=HEADERS)


def csv_file(text: str, name: str) -> Response:
    """``text`` as the download ``<name>.csv``."""
    headers = {**HEADERS, "Content-Disposition": f'attachment; filename="{name}.csv"'}
    return Response(text, media_type="text/csv", headers=headers)


def csv_download(request: Request, report: Report, body: Body, keys: Sequence[str]) -> Response:
    """A report's rows on screen as a CSV file (every row, the API's columns and money)."""
    return csv_file(report.csv(with_places(body, places_of(request)), keys), report.name)


def error_page(request: Request, who: Visitor | None, exc: Exception) -> HTMLResponse:
    if isinstance(exc, Refused):
        status, title = 403, "Forbidden"
    elif isinstance(exc, RequestValidationError | PydanticError):
        status, title = 422, "Invalid request"
    else:
        kind = lookup(type(exc))
        status, title = kind.status, kind.title
    detail = str(exc) or title
    if isinstance(exc, RequestValidationError | PydanticError):
        detail = "; ".join(
            f"{'.'.join(str(p) for p in error['loc'] if p not in PLACES)}: {error['msg']}"
            for error in exc.errors()
        )
    return render(request, who, "error.html", status, title=title, detail=detail)


class ConsoleRoute(APIRoute):
    """A console route: no session → the sign-in page; a refusal or a rule of the ledger →
    an HTML page with the status and title the API would give (api.problems' table)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            try:
                return await handler(request)
            except SignInRequired:
                return RedirectResponse("/", status_code=303)
            except (
                Refused,
                RequestValidationError,
                PydanticError,
                DomainError,
                ApplicationError,
                ApiError,
            ) as exc:
                return error_page(request, getattr(request.state, "visitor", None), exc)

        return route


# What a page reads is the store of the request's session (set by console.session when it
# checks the cookie), never the app's home store as such.


def composition_of(request: Request) -> Composition:
    found: Composition | None = getattr(request.state, "composition", None)
    if found is None:
        raise SignInRequired
    return found


def read_models(request: Request) -> ReadModels:
    return composition_of(request).read_models


def ledger_of(request: Request) -> Ledger:
    return composition_of(request).ledger


def feed_of(request: Request) -> FeedService:
    return composition_of(request).feed


class Journals:
    """One ``JournalView`` per store, made on first use and kept while the store is open."""

    def __init__(self) -> None:
        self._views: WeakKeyDictionary[Composition, JournalView] = WeakKeyDictionary()
        self._lock = threading.Lock()

    def of(self, composition: Composition) -> JournalView:
        from projections.journal import JournalView

        with self._lock:
            view = self._views.get(composition)
            if view is None:
                models = composition.read_models
                view = JournalView(models.query_db, models.movements.projection)
                self._views[composition] = view
            return view


def journal_of(request: Request) -> JournalView:
    journals: Journals = request.app.state.console_journals
    return journals.of(composition_of(request))


@dataclass(frozen=True)
class Rows:
    """One screen of a report's rows (the totals stay those of every row)."""

    items: list[Any]
    number: int  # 1-based
    pages: int
    first: int  # 1-based index of the first row shown
    total: int

    @classmethod
    def of(cls, items: list[Any], number: int, size: int, total: int) -> Rows:
        """Page ``number`` (already clamped) of ``total`` rows whose ``items`` were read."""
        return cls(
            items, number, max((total + size - 1) // size, 1), (number - 1) * size + 1, total
        )


def screen(rows: list[Any], number: int, size: int) -> Rows:
    """Page ``number`` of ``rows``, ``size`` at a time (the last page when past the end)."""
    number = min(max(number, 1), max((len(rows) + size - 1) // size, 1))
    start = (number - 1) * size
    return Rows.of(rows[start : start + size], number, size, len(rows))
