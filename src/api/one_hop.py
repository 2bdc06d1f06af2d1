"""Commands served in one trip to a worker thread, without FastAPI's dependency solving.

FastAPI solves a route's dependency tree on every request (its cache keys, scopes and call
classification recomputed each time) and runs every sync dependency and the endpoint in
trips of their own through the thread pool: a command spent a quarter of the API process's
CPU there, and two hops (docs/BENCHMARKS.md "Commands in one hop"). A route whose endpoint
is sync and returns a ``Response``, and whose dependencies are role checks
(``api.auth.require``) and the ledger (``get_ledger``) only, beside the request, path
parameters and one body, is served by ``OneHop`` instead. On the event loop, the body is
read and decoded as FastAPI reads it and the path and body are validated by FastAPI's own
functions; then one worker thread identifies the caller (401 and 403 before any 422, as
FastAPI's order gave them), raises the validation errors, and runs the endpoint.

Every other route, and every route while ``app.dependency_overrides`` is set, goes
through FastAPI's handler; the OpenAPI document is FastAPI's, from the route as declared.
"""

from __future__ import annotations

import asyncio
import contextvars
import email.message
import functools
import inspect
import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar, get_type_hints

from fastapi import Request, Response
from fastapi.datastructures import DefaultPlaceholder
from fastapi.dependencies.utils import request_body_to_args, request_params_to_args
from fastapi.exceptions import HTTPException, RequestValidationError
from fastapi.routing import APIRoute
from pydantic_core import PydanticUndefined

from api.auth import ROLE_CHECKS, Principal, accept, admit, identify, token_of
from api.dependencies import composition_of, get_ledger
from application.errors import KeyRevokedError
from application.keys import ACCEPTED
from application.ledger import Ledger
from domain.access import Role

# The commands' worker threads: asyncio's executor is a plain hand-over (anyio's, which
# FastAPI uses, adds a capacity limiter, a cancel scope and task look-ups to every call).
# As many as anyio's default limit allows FastAPI's own sync handlers.
WORKERS = 40
_workers = ThreadPoolExecutor(WORKERS, thread_name_prefix="command")

E = TypeVar("E", bound=Callable[..., Any])
# Endpoints whose only writes are the ledger's saves: their callers may be accepted from the
# cached key ring (``OneHop._run``). The command routes mark themselves with ``saves_only``.
SAVES_ONLY: set[Callable[..., Any]] = set()


def saves_only(endpoint: E) -> E:
    """Marks ``endpoint`` as writing nothing but the ledger's saves."""
    SAVES_ONLY.add(endpoint)
    return endpoint


@dataclass(frozen=True)
class OneHop:
    """How to serve one route in one hop: what its endpoint takes, and from where."""

    route: APIRoute
    # (parameter name, or None for a router's dependency; role it needs), in order.
    roles: tuple[tuple[str | None, Role], ...]
    ledgers: tuple[str, ...]
    strict_content_type: bool
    # The endpoint writes through the ledger's saves only (``saves_only``).
    saves_only: bool

    @classmethod
    def of(cls, route: APIRoute) -> OneHop | None:
        """The plan of ``route``, or None when FastAPI's handler must serve it."""
        dependant = route.dependant
        call = dependant.call
        if call is None or inspect.iscoroutinefunction(call) or not _answers(call):
            return None
        others = (
            dependant.query_params,
            dependant.header_params,
            dependant.cookie_params,
            dependant.response_param_name,
            dependant.background_tasks_param_name,
            dependant.security_scopes_param_name,
            dependant.http_connection_param_name,
        )
        if any(others) or len(dependant.body_params) > 1:
            return None
        roles: list[tuple[str | None, Role]] = []
        ledgers: list[str] = []
        for sub in dependant.dependencies:
            if sub.call in ROLE_CHECKS:
                roles.append((sub.name, ROLE_CHECKS[sub.call]))
            elif sub.call is get_ledger and sub.name is not None:
                ledgers.append(sub.name)
            else:
                return None  # a dependency this module does not know
        strict = route.strict_content_type
        if isinstance(strict, DefaultPlaceholder):
            strict = strict.value
        saves_only = call in SAVES_ONLY
        return cls(route, tuple(roles), tuple(ledgers), bool(strict), saves_only)

    async def __call__(self, request: Request) -> Response:
        dependant = self.route.dependant
        body = await self._body(request)
        values, errors = request_params_to_args(dependant.path_params, request.path_params)
        if dependant.body_params:
            found, wrong = await request_body_to_args(
                body_fields=dependant.body_params,
                received_body=body,
                embed_body_fields=self.route._embed_body_fields,
            )
            values.update(found)
            errors.extend(wrong)
        if dependant.request_param_name:
            values[dependant.request_param_name] = request
        body = None if body is PydanticUndefined else body
        run = functools.partial(self._run, request, values, errors, body)
        context = contextvars.copy_context()
        loop = asyncio.get_running_loop()
        answer: Response = await loop.run_in_executor(_workers, context.run, run)
        return answer

    def _run(
        self, request: Request, values: dict[str, Any], errors: list[Any], body: Any
    ) -> Response:
        """In the worker thread: who calls (401, 403), then the 422s, then the endpoint. A
        command's caller may be accepted from the cached key ring: its saves check the key
        at commit, and whatever it answers is sent only once the key is known current
        (application.keys; nothing else this route does writes)."""
        ledger = composition_of(request).ledger
        if not self.roles:
            return self._serve(None, values, errors, body, ledger)
        token = token_of(request)
        if not self.saves_only:
            return self._serve(identify(request, token, ledger), values, errors, body, ledger)
        principal, accepted = accept(request, token, ledger)
        if accepted is None:
            return self._serve(principal, values, errors, body, ledger)
        current = ACCEPTED.set(accepted)
        try:
            answer = self._serve(principal, values, errors, body, ledger)
        except KeyRevokedError:
            raise  # a lost save found it revoked: the store was just asked
        except Exception:
            ledger.api_keys.confirm(accepted)  # a revoked key is refused, not answered
            raise
        finally:
            ACCEPTED.reset(current)
        ledger.api_keys.confirm(accepted)
        return answer

    def _serve(
        self,
        principal: Principal | None,
        values: dict[str, Any],
        errors: list[Any],
        body: Any,
        ledger: Ledger,
    ) -> Response:
        if principal is not None:
            for name, role in self.roles:
                admitted = admit(principal, role)
                if name is not None:
                    values[name] = admitted
        if errors:
            raise RequestValidationError(errors, body=body)
        values.update(dict.fromkeys(self.ledgers, ledger))
        assert self.route.dependant.call is not None
        answer: Response = self.route.dependant.call(**values)
        return answer

    async def _body(self, request: Request) -> Any:
        """The body as FastAPI reads it: JSON by content type, else the bytes; nothing
        sent is ``PydanticUndefined``. Bad JSON is a 422 naming where, as FastAPI's."""
        if not self.route.dependant.body_params:
            return PydanticUndefined
        try:
            raw = await request.body()
            if not raw:
                return PydanticUndefined
            content_type = request.headers.get("content-type")
            if not content_type:
                return raw if self.strict_content_type else await request.json()
            return await request.json() if _is_json(content_type) else raw
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


def _answers(call: Any) -> bool:
    """Whether ``call`` is declared to return a ``Response`` (sent as it is)."""
    try:
        returns = get_type_hints(call).get("return")
    except Exception:  # an annotation that does not resolve: leave the route to FastAPI
        return False
    return isinstance(returns, type) and issubclass(returns, Response)
