"""Routing helpers: exact decimal JSON bodies, declared query parameters only, and the
answer of a command."""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute

from api.money import places_of, with_places
from api.numbers import RawNumber, json_number
from api.schemas import command_body
from application.records import CommandResult

if TYPE_CHECKING:
    from projections.service import ReadModels


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [key for key, _ in pairs]
    for key in keys:
        if keys.count(key) > 1:
            # Decoded as a JSON error: the body is ambiguous, whichever value would win.
            raise json.JSONDecodeError(f"duplicate key {key!r} in an object", "", 0)
    return dict(pairs)


def decode(body: bytes) -> Any:
    """The JSON body, numbers exact (Decimal) or kept as raw text when not written plainly
    (``1e400``, NaN) so validation refuses them; duplicate keys refused; an error names
    its line and column."""
    try:
        return json.loads(
            body,
            parse_float=json_number,
            parse_int=json_number,
            parse_constant=RawNumber,
            object_pairs_hook=_unique,
        )
    except json.JSONDecodeError as exc:
        if not exc.doc:  # a duplicate key: no position to give
            raise
        where = f"{exc.msg} at line {exc.lineno} column {exc.colno}"
        raise json.JSONDecodeError(where, exc.doc, exc.pos) from None
    except UnicodeDecodeError as exc:
        raise json.JSONDecodeError(f"not UTF-8 text (byte {exc.start})", "", 0) from None
    except RecursionError:
        raise json.JSONDecodeError("arrays or objects nested too deeply", "", 0) from None


class DecimalRequest(Request):
    """Decodes JSON numbers exactly as Decimal, so 0.1 stays exactly 0.1 (api.numbers)."""

    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            self._json = decode(await self.body())
        return self._json


def query_names(route: APIRoute) -> frozenset[str]:
    """Every query parameter the route declares, its dependencies' included."""
    names: set[str] = set()
    pending = [route.dependant]
    while pending:
        dependant = pending.pop()
        names.update(param.alias for param in dependant.query_params)
        pending.extend(dependant.dependencies)
    return frozenset(names)


def refuse_unknown_query(request: Request, known: frozenset[str]) -> None:
    """An undeclared query parameter is a 422 naming it (SPEC §7): a typo in a filter
    must never answer with unfiltered figures."""
    unknown = sorted({name for name in request.query_params if name not in known})
    if unknown:
        raise RequestValidationError(
            [
                {
                    "type": "unknown_parameter",
                    "loc": ("query", name),
                    "msg": f"unknown query parameter; this operation takes: "
                    f"{', '.join(sorted(known)) or 'none'}",
                    "input": request.query_params.get(name),
                }
                for name in unknown
            ]
        )


class DecimalRoute(APIRoute):
    """Exact JSON bodies, and no query parameter the route does not declare."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        known = query_names(self)

        async def exact(request: Request) -> Response:
            refuse_unknown_query(request, known)
            return await handler(DecimalRequest(request.scope, request.receive))

        return exact


def answer(
    request: Request, response: Response, read_models: ReadModels, result: CommandResult
) -> dict[str, Any]:
    """A command's body: 201 when it recorded something new, 200 on a repeat or no-op.

    The read models are woken so the new events show up in queries promptly.
    """
    if result.created:
        read_models.notify()
    response.status_code = 201 if result.created else 200
    request.state.position = result.position
    body: dict[str, Any] = with_places(command_body(result), places_of(request))
    return body
