"""Routing helpers: exact decimal JSON bodies, and the answer of a command."""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from fastapi import Request, Response
from fastapi.routing import APIRoute

from api.schemas import command_body
from application.records import CommandResult

if TYPE_CHECKING:
    from projections.service import ReadModels


class DecimalRequest(Request):
    """Decodes JSON numbers with a fraction as Decimal, so 0.1 stays exactly 0.1.

    NaN and Infinity are passed on as the strings they were, which validation refuses.
    """

    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            body = await self.body()
            self._json = json.loads(body, parse_float=Decimal, parse_constant=str)
        return self._json


class DecimalRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def exact(request: Request) -> Response:
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
    return command_body(result)
