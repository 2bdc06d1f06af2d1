"""A router whose routes are declared once each: ``@router.read(path, Model, *problems)``.

Every read (and every write that is not a command route, api.command_route) has the same
frame: a caller at a role (401, 403), the problem answers it documents, an answer model,
a summary, and an answer written by ``respond``. ``Routes`` holds that frame once; a
route is its declaration and the function that makes its body:

    @router.read("/recipes/{menu_item}", RecipePublic, 404, 503)
    def get_recipe(ledger: LedgerDep, menu_item: str = MenuItem) -> Any:
        \"\"\"A menu item's recipe: the current version, or the one asked for\"\"\"
        recipe, position = ledger.recipe(menu_item)
        return recipe_body(recipe, position)

- the summary is the docstring's first paragraph, the rest (if any) its description;
- the caller is checked at the declared ``role`` (the router's by default); the function
  gets it by declaring ``who: Principal`` (where it stands in the signature is where the
  check stands among the dependencies), and the request by declaring ``request: Request``;
- it returns the body (answered 200), ``Answer(body, status)``, or a ``Response`` of its own;
- the documented problems are 401, 403 and 422 (every /api operation can give them) and
  ``problems``; ``repeat`` documents a 200 that records nothing beside a 201, ``answers``
  the 200's own entry (a CSV beside the JSON);
- ``described`` are ``add_api_route``'s own (``status_code``, ``tags``, ``openapi_extra``…).

The endpoint FastAPI sees is built from the function's own parameters (public API only:
``APIRouter.add_api_route`` with a ``__signature__``), so the OpenAPI entry is the one a
hand-written handler would have.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from fastapi import APIRouter, Request, Response

from api.auth import AT_ROLE, Principal
from api.problems import responses
from api.respond import respond
from api.routing import DecimalRoute
from domain.access import Role

F = TypeVar("F", bound=Callable[..., Any])
ALWAYS = (401, 403, 422)  # any caller may be unknown, at too low a role, or send bad input


@dataclass(frozen=True)
class Answer:
    """A body with its status (``created``: 201 when something new was recorded)."""

    body: Any
    status: int = 200


def created(body: Any, new: bool) -> Answer:
    """201 with ``body`` when the request recorded something, else 200 (a repeat)."""
    return Answer(body, 201 if new else 200)


def documented(
    problems: tuple[int, ...], repeat: str | None = None, **answers: Any
) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI ``responses`` of a route: its 200 when it says more than the model
    (``repeat``: the 200 beside a 201; ``answers``: the 200's own entry), then its
    problem answers."""
    found: dict[int | str, dict[str, Any]] = {}
    if repeat is not None:
        found[200] = {"description": repeat}
    if answers:
        found[200] = answers
    return {**found, **responses(*sorted({*ALWAYS, *problems}))}


class Routes(APIRouter):
    """An ``APIRouter`` of ``DecimalRoute``s whose routes are declared by ``read`` and
    ``write``, every caller checked at ``role`` unless a route says otherwise."""

    def __init__(self, prefix: str, tag: str, role: Role = Role.VIEWER, **kwargs: Any) -> None:
        kwargs.setdefault("route_class", DecimalRoute)
        super().__init__(prefix=prefix, tags=[tag], **kwargs)
        self.role = role

    def read(
        self, path: str, model: Any, *problems: int, role: Role | None = None, **described: Any
    ) -> Callable[[F], F]:
        """A GET route at ``path`` answering ``model``."""
        return self.write("GET", path, model, *problems, role=role, **described)

    def write(
        self,
        method: str,
        path: str,
        model: Any,
        *problems: int,
        role: Role | None = None,
        repeat: str | None = None,
        answers: dict[str, Any] | None = None,
        **described: Any,
    ) -> Callable[[F], F]:
        """A ``method`` route at ``path`` answering ``model``; ``described`` are
        ``add_api_route``'s own (``status_code``, ``tags``, ``openapi_extra``, …)."""

        def register(answer: F) -> F:
            summary, _, description = inspect.cleandoc(answer.__doc__ or "").partition("\n\n")
            self.add_api_route(
                path,
                endpoint(answer, role or self.role),
                methods=[method],
                response_model=model,
                responses=documented(problems, repeat, **(answers or {})),
                summary=" ".join(summary.split()),
                description=description or None,
                name=answer.__name__,
                **described,
            )
            return answer

        return register


def endpoint(answer: Callable[..., Any], role: Role) -> Callable[..., Response]:
    """FastAPI's endpoint for ``answer``: its parameters, the request and the caller at
    ``role`` (first unless ``answer`` places them), its result answered."""
    own = inspect.signature(answer, eval_str=True).parameters
    wants = {name for name in ("request", "who") if name in own}

    def serve(request: Request, who: Principal, **values: Any) -> Response:
        given = {"request": request, "who": who}
        found = answer(**values, **{name: given[name] for name in wants})
        if isinstance(found, Response):
            return found
        if isinstance(found, Answer):
            return respond(request, found.body, status=found.status)
        return respond(request, found)

    keyword = inspect.Parameter.KEYWORD_ONLY
    frame = {
        "request": inspect.Parameter("request", keyword, annotation=Request),
        "who": inspect.Parameter("who", keyword, annotation=AT_ROLE[role]),
    }
    parameters = [frame[name] for name in frame if name not in wants]
    parameters += [
        frame[p.name] if p.name in frame else p.replace(kind=keyword) for p in own.values()
    ]
    serve.__signature__ = inspect.Signature(parameters, return_annotation=Response)  # type: ignore[attr-defined]
    serve.__name__ = serve.__qualname__ = answer.__name__
    return serve
