"""Routing helpers: exact decimal JSON bodies, declared query parameters only, the command
of a request body, and the answer of a command."""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from dataclasses import fields
from typing import Any, TypeVar, cast, get_args, get_type_hints

import fastapi.routing
from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from pydantic import BaseModel

from api.money import places_of, with_places
from api.numbers import RawNumber, json_number
from api.one_hop import OneHop
from api.schemas import command_body
from api.shortcut import SERVED
from application import commands
from application.records import CommandResult

C = TypeVar("C", bound=commands.Command)


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
    if not request.scope.get("query_string"):
        return  # nothing to parse (a command's usual request)
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


def _effective(route: APIRoute) -> APIRoute:
    """The route as included (with the including routers' dependencies) while FastAPI
    builds its handler, else the route itself."""
    context = getattr(fastapi.routing, "_effective_route_context_var", None)
    included = context.get() if context is not None else None
    if included is not None and getattr(included, "original_route", None) is route:
        return cast(APIRoute, included)
    return route


class DecimalRoute(APIRoute):
    """Exact JSON bodies, no query parameter the route does not declare, and commands in
    one hop (api.one_hop) where the route allows it."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        route = _effective(self)
        known = query_names(route)
        one_hop = self.one_hop = OneHop.of(route)

        async def exact(request: Request) -> Response:
            refuse_unknown_query(request, known)
            request = DecimalRequest(request.scope, request.receive)
            if one_hop is not None and not request.app.dependency_overrides:
                request.scope[SERVED] = exact  # api.shortcut may come here directly next time
                return await one_hop(request)
            return await handler(request)

        return exact


_LINE_TYPES: dict[Any, Any] = {}


def _line_type(kind: Any) -> Any:
    """The line type of a command (``lines: Sequence[ReceiptLine]`` → ReceiptLine), worked
    out once per command class (resolving the hints took a tenth of a command's CPU)."""
    line = _LINE_TYPES.get(kind)
    if line is None:
        line = _LINE_TYPES[kind] = get_args(get_type_hints(kind, vars(commands))["lines"])[0]
    return line


def command_of(kind: type[C], body: BaseModel | None = None, **given: Any) -> C:
    """The command ``kind`` from the request: each field from ``given`` (path parameters)
    or the body's field of the same name; body lines become the command's line type."""
    values: dict[str, Any] = {}
    for field in fields(kind):
        if field.name in given:
            values[field.name] = given[field.name]
        elif field.name == "lines":
            line = _line_type(kind)
            lines: list[BaseModel] = getattr(body, "lines")  # noqa: B009 (any body with lines)
            values["lines"] = tuple(line(**each.model_dump()) for each in lines)
        else:
            values[field.name] = getattr(body, field.name)
    return kind(**values)


def answer(request: Request, result: CommandResult) -> Response:
    """A command's answer: 201 when it recorded something new, 200 on a repeat or no-op.

    Serialised once, by the route's response model in pydantic's own JSON writer, instead
    of FastAPI's validate, dump to Python, then ``json.dumps`` (a command's answer is the
    largest thing it sends). (The read models hear of new events from the ledger itself:
    ``Ledger.on_recorded``.)"""
    request.state.position = result.position
    body = with_places(command_body(result), places_of(request))
    model: type[BaseModel] = request.scope["route"].response_model
    return Response(
        model.model_validate(body).model_dump_json(by_alias=True),
        status_code=201 if result.created else 200,
        media_type="application/json",
    )
