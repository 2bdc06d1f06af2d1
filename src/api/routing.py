"""Routing helpers: exact decimal JSON bodies, declared query parameters only, and the
command of a request body."""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from dataclasses import fields
from typing import Any, TypeVar, get_args, get_origin, get_type_hints

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from pydantic import BaseModel

from api.numbers import RawNumber, json_number
from application import commands

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

    decoded: Any = None

    async def json(self) -> Any:
        if self.decoded is None:
            self.decoded = decode(await self.body())
        return self.decoded


def query_names(route: APIRoute) -> frozenset[str]:
    """Every query parameter the route declares, its dependencies' included."""
    names: set[str] = set()
    pending = [route.dependant]
    while pending:
        dependant = pending.pop()
        names.update(param.alias for param in dependant.query_params)
        pending.extend(dependant.dependencies)
    return frozenset(names)


def repeatable_names(route: APIRoute) -> frozenset[str]:
    """The declared query parameters that take a list (``group_by``: repeated is their
    documented form); every other one may be given once."""
    names: set[str] = set()
    pending = [route.dependant]
    while pending:
        dependant = pending.pop()
        for param in dependant.query_params:
            hint = param.field_info.annotation
            if any(get_origin(t) in (list, tuple, set) for t in (hint, *get_args(hint))):
                names.add(param.alias)
        pending.extend(dependant.dependencies)
    return frozenset(names)


def refuse_unknown_query(
    request: Request, known: frozenset[str], repeatable: frozenset[str] = frozenset()
) -> None:
    """An undeclared query parameter is a 422 naming it (SPEC §7): a typo in a filter
    must never answer with unfiltered figures. So is a parameter given twice (issue 27.6:
    the last one used to win) unless it takes a list."""
    if not request.scope.get("query_string"):
        return  # nothing to parse (a command's usual request)
    given = [name for name, _ in request.query_params.multi_items()]
    repeated = sorted(
        {n for n in given if n in known and n not in repeatable and given.count(n) > 1}
    )
    if repeated:
        raise RequestValidationError(
            [
                {
                    "type": "repeated_parameter",
                    "loc": ("query", name),
                    "msg": "query parameter given more than once; give it once",
                    "input": request.query_params.getlist(name),
                }
                for name in repeated
            ]
        )
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
    """Exact JSON bodies (``DecimalRequest``) and no query parameter the route does not
    declare, through FastAPI's own handler (a ``route_class`` of every router)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        # The route's own dependencies hold its router's (``APIRouter(dependencies=…)``);
        # no router is included with dependencies of its own.
        known, repeatable = query_names(self), repeatable_names(self)

        async def exact(request: Request) -> Response:
            refuse_unknown_query(request, known, repeatable)
            return await handler(DecimalRequest(request.scope, request.receive))

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
            lines: list[Any] | None = getattr(body, "lines")  # noqa: B009 (any body with lines)
            if lines is None or not all(isinstance(each, BaseModel) for each in lines):
                values["lines"] = None if lines is None else tuple(lines)  # a void's indexes
                continue
            line = _line_type(kind)
            values["lines"] = tuple(line(**each.model_dump()) for each in lines)
        else:
            values[field.name] = getattr(body, field.name)
    return kind(**values)
