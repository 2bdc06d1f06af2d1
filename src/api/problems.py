"""Every error answer is RFC 9457 problem+json, chosen from ONE table.

The table maps exception types to (status, code, title); the most specific class wins
(the exception's MRO is walked in order). The driver's and the event store's connection
errors (``store.backend.UNAVAILABLE_ERRORS``: the server restarting, a failover under
way, a standby reached where the primary was meant) answer 503 ``database_unavailable``.
Edge errors of the API itself:

ApiError
├── UnauthorizedError          missing, malformed or unknown key (401)
├── ForbiddenError             the key's role may not do this (403)
└── ProjectionLaggingError     a read model did not reach min_position in time (503)
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from api import body_errors
from api.schemas.common import example
from application.errors import (
    ApplicationError,
    ConcurrencyConflictError,
    KeyRevokedError,
    NotFoundError,
    PeriodNotEndedError,
    PeriodNotStartedError,
    QuoteNotFoundError,
    ReceiptNotFoundError,
    WriterBusyError,
)
from domain.codes import SimilarCodeError, UnknownPositionError
from domain.count_sheet import UncountedLinesError
from domain.errors import (
    DocumentConflictError,
    DomainError,
    InsufficientStockError,
    InvalidStateError,
    NoCostBasisError,
    UnknownItemError,
    UnknownLocationError,
    UnknownRecipeError,
    UnknownUnitError,
    ValidationError,
)
from domain.purchase_order import NotOnOrderError, OverReceiptError
from domain.recipe import RecipeCycleError, UnknownSkuError
from domain.supplier import UnknownSupplierError
from domain.supplier_invoice import OverBilledError
from store.authenticity import LedgerTamperedError
from store.backend import UNAVAILABLE_ERRORS

PROBLEM_JSON = "application/problem+json"
log = logging.getLogger("stockledger.http")


class ApiError(Exception):
    """A refusal at the edge; its text is the answer's ``detail`` (no field errors)."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class UnauthorizedError(ApiError):
    """No valid API key was presented."""


class ForbiddenError(ApiError):
    """The key is valid but its role is too low."""


class ProjectionLaggingError(ApiError):
    """The answering projection has not reached the requested position."""


@dataclass(frozen=True)
class Kind:
    status: int
    code: str
    title: str


PROBLEMS: dict[type[Exception], Kind] = {
    DomainError: Kind(422, "validation_error", "Request refused by a ledger rule"),
    ValidationError: Kind(422, "validation_error", "Invalid request"),
    NoCostBasisError: Kind(422, "validation_error", "No cost basis for this adjustment"),
    UnknownUnitError: Kind(422, "unknown_unit", "Unknown unit"),
    UnknownItemError: Kind(422, "unknown_item", "Unknown item"),
    UnknownLocationError: Kind(422, "unknown_location", "Unknown location"),
    UnknownRecipeError: Kind(422, "unknown_recipe", "Unknown recipe"),
    RecipeCycleError: Kind(422, "recipe_cycle", "The recipe reaches itself"),
    UnknownSkuError: Kind(422, "unknown_sku", "Unknown SKU"),
    UnknownSupplierError: Kind(422, "unknown_supplier", "Unknown supplier"),
    NotOnOrderError: Kind(422, "not_on_order", "Not on the purchase order"),
    OverReceiptError: Kind(409, "over_receipt", "More than is still on order"),
    OverBilledError: Kind(409, "over_billed", "More than was received and not yet billed"),
    InsufficientStockError: Kind(409, "insufficient_stock", "Insufficient stock"),
    UnknownPositionError: Kind(409, "unknown_position", "Never stocked at this location"),
    SimilarCodeError: Kind(422, "similar_code", "A code differing only in case exists"),
    InvalidStateError: Kind(409, "invalid_state", "Not allowed in the current state"),
    UncountedLinesError: Kind(409, "uncounted_lines", "A full count has uncounted lines"),
    DocumentConflictError: Kind(409, "document_conflict", "Document id already used"),
    ApplicationError: Kind(409, "invalid_state", "Not allowed in the current state"),
    NotFoundError: Kind(404, "not_found", "Not found"),
    QuoteNotFoundError: Kind(404, "not_found", "Quote not found"),
    ReceiptNotFoundError: Kind(404, "not_found", "Receipt not found"),
    ConcurrencyConflictError: Kind(409, "concurrency_conflict", "Concurrent change; retry"),
    PeriodNotEndedError: Kind(409, "period_not_ended", "Period has not ended"),
    PeriodNotStartedError: Kind(409, "period_not_started", "Period has not started"),
    WriterBusyError: Kind(503, "writer_busy", "The writer is busy; retry"),
    LedgerTamperedError: Kind(503, "ledger_tampered", "The ledger failed its integrity check"),
    KeyRevokedError: Kind(401, "unauthorized", "Unauthorized"),
    ApiError: Kind(400, "bad_request", "Bad request"),
    UnauthorizedError: Kind(401, "unauthorized", "Unauthorized"),
    ForbiddenError: Kind(403, "forbidden", "Forbidden"),
    ProjectionLaggingError: Kind(503, "projection_lagging", "Projection lagging"),
}

UNAVAILABLE = Kind(503, "database_unavailable", "The database is unavailable; retry")
PROBLEMS.update(dict.fromkeys(UNAVAILABLE_ERRORS, UNAVAILABLE))

INTERNAL = Kind(500, "internal_error", "Internal server error")

# Codes for the HTTP errors Starlette raises itself (unknown route, wrong method, …).
HTTP_CODES = {404: "not_found", 405: "method_not_allowed", 413: "payload_too_large"}


def lookup(cls: type[BaseException]) -> Kind:
    """The entry of the most specific class of ``cls`` in the table."""
    for klass in cls.__mro__:
        if klass in PROBLEMS:
            return PROBLEMS[klass]
    return INTERNAL


class Problem(BaseModel):
    """An RFC 9457 problem detail with StockLedger's stable ``code``."""

    model_config = example(
        {
            "type": "about:blank",
            "title": "Insufficient stock",
            "status": 409,
            "detail": "quote Q-1 cannot be closed: 1 line(s) short of stock",
            "code": "insufficient_stock",
            "errors": [{"line": 0, "sku": "AB-001", "available": "2"}],
        }
    )

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    code: str
    errors: list[dict[str, Any]] = Field(default_factory=list)


def problem_response(
    status: int,
    code: str,
    title: str,
    detail: str,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body = Problem(title=title, status=status, detail=detail, code=code, errors=errors or [])
    return JSONResponse(
        body.model_dump(mode="json"), status_code=status, media_type=PROBLEM_JSON, headers=headers
    )


def for_exception(exc: Exception) -> JSONResponse:
    kind = lookup(type(exc))
    detail = getattr(exc, "detail", None) or str(exc) or kind.title
    if kind is UNAVAILABLE:
        # The driver's message names hosts and ports: logged, not answered.
        log.warning("database unavailable: %s", exc)
        detail = (
            "the database is unreachable or switching over; retry (a document posted "
            "again with the same id is never recorded twice)"
        )
    errors = getattr(exc, "errors", None)
    headers = {"WWW-Authenticate": "Bearer"} if kind.status == 401 else None
    return problem_response(
        kind.status,
        kind.code,
        kind.title,
        str(detail),
        errors if isinstance(errors, list) else None,
        headers,
    )


def internal_error() -> JSONResponse:
    return problem_response(
        INTERNAL.status, INTERNAL.code, INTERNAL.title, "an unexpected error occurred"
    )


def field_name(loc: tuple[Any, ...] | list[Any]) -> str:
    """``("body", "lines", 0, "quantity")`` → ``lines[0].quantity``; a query or path
    parameter is named as it is written."""
    parts = list(loc)
    if parts and parts[0] in ("body", "query", "path", "header", "cookie"):
        parts = parts[1:]
    name = ""
    for part in parts:
        if isinstance(part, int):
            name += f"[{part}]"
        else:
            name += f".{part}" if name else str(part)
    return name or "body"


def _field_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    found = []
    for error in exc.errors():
        message = str(error.get("msg", ""))
        if error.get("type") == "json_invalid":
            field = "body"
            message = f"the body is not valid JSON: {error.get('ctx', {}).get('error', '')}"
        else:
            field = field_name(error.get("loc", ()))
        loc = error.get("loc", ())
        where = loc[0] if loc and loc[0] in ("body", "query", "path", "header") else "body"
        found.append(
            {"field": field, "in": where, "message": message, "type": error.get("type", "")}
        )
    return found


def _detail(errors: list[dict[str, Any]]) -> str:
    if not errors:
        return "the request is invalid"
    first = errors[0]
    if first["type"] == "json_invalid":
        detail = str(first["message"])
    else:
        detail = f"{first['field']}: {first['message']}"
    if len(errors) > 1:
        detail += f" (and {len(errors) - 1} more: see errors)"
    return detail


async def _on_known(request: Request, exc: Exception) -> JSONResponse:
    return for_exception(exc)


async def _on_request_validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    if unreadable := body_errors.unreadable(request.headers.get("content-type"), exc):
        return problem_response(*unreadable)
    errors = _field_errors(exc)
    return problem_response(422, "validation_error", "Invalid request", _detail(errors), errors)


async def _on_http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    status = exc.status_code
    phrase = HTTPStatus(status).phrase
    code = HTTP_CODES.get(status, phrase.lower().replace(" ", "_").replace("-", "_"))
    headers = dict(exc.headers) if exc.headers else None
    return problem_response(status, code, phrase, str(exc.detail), headers=headers)


def install(app: FastAPI) -> None:
    """Registers the handlers: table entries, request validation, Starlette HTTP errors."""
    for cls in PROBLEMS:
        app.add_exception_handler(cls, _on_known)
    app.add_exception_handler(RequestValidationError, _on_request_validation)
    app.add_exception_handler(StarletteHTTPException, _on_http)


def responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries for the problem answers an operation can give."""
    return {
        status: {
            "description": HTTPStatus(status).phrase,
            "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for status in statuses
    }
