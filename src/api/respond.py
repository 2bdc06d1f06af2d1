"""The one way an answer leaves: ``respond(request, body)``.

Every route that answers a body of its own builds it as plain data (``api.schemas``'
``*_body`` functions) and returns ``respond(request, body)``, which

- notes the body's ``position`` for the request log (``api.observe``);
- writes its money at the currency's places (SPEC §7; ``present.money``);
- writes it as the route declares it: through the route's response model (validated, by
  alias, with the route's ``response_model_exclude_*``, in pydantic's own JSON writer, as
  FastAPI's handler would), or, for a body already in the model's shape (``shaped``: a
  report's ``report_body``), straight to JSON by the stdlib encoder, or as CSV (``csv``).

The route's ``response_model`` stays its OpenAPI declaration either way.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from fastapi import Request, Response
from pydantic import TypeAdapter

from present.money import places_of, with_places

# One adapter per response model (building one compiles its validator and serializer).
_ADAPTERS: dict[Any, TypeAdapter[Any]] = {}


def respond(
    request: Request,
    body: Any,
    *,
    status: int = 200,
    shaped: bool = False,
    csv: Callable[[Any], str] | None = None,
) -> Response:
    """``body`` as the route's answer, with ``status``. ``shaped``: the body already has
    the response model's shape and key order, and every Decimal becomes its text in the
    walk that places the money (a 10,000-row report spent half its answer validating
    through the model). ``csv``: the answer is the text ``csv`` writes of the placed body."""
    if isinstance(body, dict):
        request.state.position = body.get("position")
    placed = with_places(body, places_of(request), as_text=shaped)
    if csv is not None:
        return Response(csv(placed), status_code=status, media_type="text/csv")
    if shaped:
        text = json.dumps(placed, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
        return Response(text.encode(), status_code=status, media_type="application/json")
    route = request.scope["route"]
    adapter = _adapter(route.response_model)
    value = adapter.validate_python(placed, from_attributes=True)
    text_bytes = adapter.dump_json(
        value,
        by_alias=route.response_model_by_alias,
        exclude_unset=route.response_model_exclude_unset,
        exclude_defaults=route.response_model_exclude_defaults,
        exclude_none=route.response_model_exclude_none,
    )
    return Response(text_bytes, status_code=status, media_type="application/json")


def _adapter(model: Any) -> TypeAdapter[Any]:
    adapter = _ADAPTERS.get(model)
    if adapter is None:
        adapter = _ADAPTERS[model] = TypeAdapter(model)
    return adapter
