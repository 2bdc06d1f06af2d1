"""A command route: declared once, served lean, described (and checked) by FastAPI.

A command (a posted document, a quote's steps, a cost, an adjustment, a sale) is the
product's hot path, and FastAPI's handler spent a quarter of the API process's CPU on it:
its dependency tree solved per request, each sync dependency and the endpoint in trips of
their own through the thread pool (docs/BENCHMARKS.md). So a command route is declared
as data (``command_route``: path, body model, path parameters, role, the command it
runs, its answer's model; a router module lists its own as rows of a ``Commands``
table) and that one declaration gives

- the FastAPI endpoint (``CommandRoute.endpoint``: ``body``, ``request``, the caller at
  the role, ``ledger``, the path parameters), from which FastAPI writes the operation's
  OpenAPI entry and builds its own handler (kept as ``CommandRoute.reference``: the
  parity tests send every request through both and compare the answers);
- the handler that serves it (``CommandRoute.serve``, mounted with Starlette's own
  ``request_response``): on the event loop it refuses query parameters and reads the body
  as FastAPI would (exact decimals, 422 for bad JSON); then ONE worker thread identifies
  the caller (401, 403 first, in FastAPI's order), validates the path parameters and the
  body with pydantic ``TypeAdapter``s of the same declarations (the 422s, as FastAPI words
  them), runs the command and ``respond``s.

A command's caller may be accepted from the cached key ring: its saves check the key at
commit, and an answer given without a save is sent only once the key is known current
(application.keys). The command routes sit first in the app's route table (api.main).
"""

from __future__ import annotations

import asyncio
import contextvars
import email.message
import functools
import inspect
import json
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import Request, Response
from fastapi.exceptions import HTTPException, RequestValidationError
from fastapi.params import Path
from pydantic import BaseModel, TypeAdapter, ValidationError
from starlette.routing import request_response

from api.auth import AT_ROLE, Principal, accept, admit, token_of
from api.dependencies import LedgerDep, composition_of
from api.respond import respond
from api.route_table import documented
from api.routing import DecimalRoute, command_of, decode, refuse_unknown_query
from api.schemas import CommandResultPublic, command_body
from application.commands import Command
from application.errors import KeyRevokedError
from application.keys import ACCEPTED
from application.ledger import Ledger
from domain.access import Role

# The commands' worker threads: asyncio's executor is a plain hand-over (anyio's, which
# FastAPI uses, adds a capacity limiter, a cancel scope and task look-ups to every call).
# As many as anyio's default limit allows FastAPI's own sync handlers.
WORKERS = 40
_workers = ThreadPoolExecutor(WORKERS, thread_name_prefix="command")
NO_QUERY: frozenset[str] = frozenset()  # a command takes no query parameter
UNSET = object()  # no body was sent


@dataclass(frozen=True)
class Declared:
    """What a command route is: its body, path parameters, role and command."""

    body: type[BaseModel] | None
    params: dict[str, Path]
    role: Role
    command: type[Command]
    adapters: dict[str, TypeAdapter[Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name, info in self.params.items():
            self.adapters[name] = TypeAdapter(Annotated[str, info])
        if self.body is not None:
            self.adapters["body"] = TypeAdapter(self.body)

    def run(
        self, request: Request, who: Principal, ledger: Ledger, values: dict[str, Any]
    ) -> Response:
        """The command of the validated request, run by the ledger, and its answer: 201
        when it recorded something new, 200 on a repeat or a no-op."""
        body = values.pop("body", None)
        result = ledger.execute(command_of(self.command, body, **values), user=who.user)
        return respond(request, command_body(result), status=201 if result.created else 200)

    def validated(self, path: dict[str, Any], body: Any) -> tuple[dict[str, Any], list[Any]]:
        """The path parameters and the body, validated as FastAPI validates them (path
        first, then the body; the same error types, messages and locations)."""
        values: dict[str, Any] = {}
        errors: list[Any] = []
        for name in self.params:
            values[name] = _check(self.adapters[name], path.get(name), ("path", name), errors)
        if self.body is not None:
            if body is UNSET:
                errors.append(
                    {"type": "missing", "loc": ("body",), "msg": "Field required", "input": None}
                )
            else:
                values["body"] = _check(self.adapters["body"], body, ("body",), errors)
        return values, errors


def _check(adapter: TypeAdapter[Any], value: Any, loc: tuple[str, ...], errors: list[Any]) -> Any:
    try:
        return adapter.validate_python(value, from_attributes=True)
    except ValidationError as exc:
        for error in exc.errors(include_url=False):
            errors.append({**error, "loc": (*loc, *error["loc"])})
        return None


class CommandRoute(DecimalRoute):
    """A command's route: FastAPI's description of ``endpoint``, served by ``serve``."""

    def __init__(self, path: str, declared: Declared, *, name: str, **described: Any) -> None:
        self.declared = declared
        super().__init__(path, _endpoint(declared, name), methods=["POST"], **described)
        self.reference = self.app  # FastAPI's handler of the same declaration
        self.app = request_response(self.serve)

    async def serve(self, request: Request) -> Response:
        refuse_unknown_query(request, NO_QUERY)
        body = await self.read_body(request) if self.declared.body is not None else UNSET
        run = functools.partial(self.hop, request, body)
        context = contextvars.copy_context()
        answer: Response = await asyncio.get_running_loop().run_in_executor(
            _workers, context.run, run
        )
        return answer

    def hop(self, request: Request, body: Any) -> Response:
        """In the worker thread: who calls (401, 403), then the 422s, then the command."""
        ledger = composition_of(request).ledger
        principal, accepted = accept(request, token_of(request), ledger)
        if accepted is None:  # the store was asked: the key is current
            return self._serve(request, principal, ledger, body)
        current = ACCEPTED.set(accepted)
        try:
            answer = self._serve(request, principal, ledger, body)
        except KeyRevokedError:
            raise  # a lost save found it revoked: the store was just asked
        except Exception:
            ledger.api_keys.confirm(accepted)  # a revoked key is refused, not answered
            raise
        finally:
            ACCEPTED.reset(current)
        ledger.api_keys.confirm(accepted)
        return answer

    def _serve(self, request: Request, who: Principal, ledger: Ledger, body: Any) -> Response:
        admit(who, self.declared.role)
        values, errors = self.declared.validated(request.path_params, body)
        if errors:
            raise RequestValidationError(errors, body=None if body is UNSET else body)
        return self.declared.run(request, who, ledger, values)

    async def read_body(self, request: Request) -> Any:
        """The body as FastAPI reads it: JSON by content type (any without one, as FastAPI's
        strict default, is bytes), else the bytes; nothing sent is ``UNSET``. Bad JSON is
        a 422 naming where, as FastAPI's."""
        try:
            raw = await request.body()
            if not raw:
                return UNSET
            content_type = request.headers.get("content-type")
            return decode(raw) if content_type and _is_json(content_type) else raw
        except json.JSONDecodeError as exc:
            error = {
                "type": "json_invalid",
                "loc": ("body", exc.pos),
                "msg": "JSON decode error",
                "input": {},
                "ctx": {"error": exc.msg},
            }
            raise RequestValidationError([error], body=exc.doc) from exc
        except HTTPException:
            raise
        except Exception as exc:
            raise HTTPException(400, "There was an error parsing the body") from exc


def command_route(
    path: str,
    body: type[BaseModel] | None,
    command: type[Command],
    role: Role,
    *,
    name: str,
    params: dict[str, Path] | None = None,
    **described: Any,
) -> CommandRoute:
    """The POST route at ``path`` running ``command`` from ``body`` and the path
    ``params`` (each a ``fastapi.Path``), for callers at ``role``; ``described`` are
    ``APIRoute``'s own (``response_model``, ``status_code``, ``responses``, ``summary``,
    ``tags``)."""
    return CommandRoute(path, Declared(body, params or {}, role, command), name=name, **described)


class Commands(list[CommandRoute]):
    """A router module's command routes (``api.main`` puts them first), one row each:
    ``commands.add("/receipts", ReceiptCreate, PostReceipt, summary, 409)``. Each is
    for callers at ``role`` (unless the row says otherwise) and answers ``model`` with 201
    when it recorded something, else 200 (``repeat`` says what a repeat answers); 401,
    403 and 422 and the row's problems are documented."""

    def __init__(
        self, tag: str, role: Role, repeat: str, model: type[BaseModel] = CommandResultPublic
    ) -> None:
        super().__init__()
        self.tag, self.role, self.repeat, self.model = tag, role, repeat, model

    def add(
        self,
        path: str,
        body: type[BaseModel] | None,
        command: type[Command],
        summary: str,
        *problems: int,
        role: Role | None = None,
        name: str | None = None,
        **params: Path,
    ) -> None:
        """The POST route at ``/api{path}`` running ``command`` (named after it unless
        ``name`` is given: PostReceipt → post_receipt), its path ``params`` each a
        ``fastapi.Path``."""
        self.append(
            command_route(
                f"/api{path}",
                body,
                command,
                role or self.role,
                name=name or re.sub(r"(?<!^)(?=[A-Z])", "_", command.__name__).lower(),
                params=params,
                status_code=201,
                response_model=self.model,
                responses=documented(problems, self.repeat),
                summary=summary,
                tags=[self.tag],
            )
        )


def _endpoint(declared: Declared, name: str) -> Any:
    """The FastAPI endpoint of ``declared``: ``(body, request, who, ledger, *params)``."""

    def endpoint(request: Request, who: Principal, ledger: Ledger, **values: Any) -> Response:
        return declared.run(request, who, ledger, values)

    keyword = inspect.Parameter.KEYWORD_ONLY
    parameters = [inspect.Parameter("body", keyword, annotation=declared.body)]
    parameters = parameters if declared.body is not None else []
    parameters += [
        inspect.Parameter("request", keyword, annotation=Request),
        inspect.Parameter("who", keyword, annotation=AT_ROLE[declared.role]),
        inspect.Parameter("ledger", keyword, annotation=LedgerDep),
        *(
            inspect.Parameter(p, keyword, default=info, annotation=str)
            for p, info in declared.params.items()
        ),
    ]
    endpoint.__signature__ = inspect.Signature(parameters, return_annotation=Response)  # type: ignore[attr-defined]
    endpoint.__name__ = endpoint.__qualname__ = name
    return endpoint


@functools.lru_cache(maxsize=64)
def _is_json(content_type: str) -> bool:
    """Whether a content type is JSON as FastAPI reads it (``application/json``,
    ``application/…+json``, parameters aside), parsed once per distinct header value."""
    message = email.message.Message()
    message["content-type"] = content_type
    subtype = message.get_content_subtype()
    return message.get_content_maintype() == "application" and (
        subtype == "json" or subtype.endswith("+json")
    )
