"""The event feed (finance): immutable cursor pages and a live Server-Sent Events stream."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from anyio import to_thread
from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import StreamingResponse

from api.auth import finance
from api.dependencies import feed_of
from api.problems import responses
from api.routing import DecimalRoute
from api.schemas.feed import EventsPage, known_prefix
from feed.events import encode
from feed.service import FeedService

router = APIRouter(
    prefix="/api/events", tags=["events"], route_class=DecimalRoute, dependencies=[Depends(finance)]
)

PAGE = 100  # events read per step of a stream: a client's memory is one page at most
KEEPALIVE = 15.0  # ok-float: seconds between keep-alive comments on an idle stream

After = Query(0, ge=0, description="A position: answer events after it")
Type = Query(
    None,
    max_length=200,
    description="Type prefixes, comma-separated (`movement`, `document.posted`)",
    examples=["movement"],
)


def _service(request: Request) -> FeedService:
    return feed_of(request)


def _prefixes(type_: str | None) -> list[str]:
    if not type_:
        return []
    prefixes = [p.strip() for p in type_.split(",") if p.strip()]
    try:
        return [known_prefix(p) for p in prefixes]
    except ValueError as exc:
        raise RequestValidationError(
            [{"type": "value_error", "loc": ("query", "type"), "msg": str(exc), "input": type_}]
        ) from None


@router.get(
    "",
    response_model=EventsPage,
    responses=responses(401, 403, 422),
    summary="Published events after a position, oldest first (a page is immutable once full)",
)
def events(
    request: Request,
    after: int = After,
    limit: int = Query(100, ge=1, le=1000),
    type: str | None = Type,
) -> dict[str, Any]:
    page = _service(request).feed.page(after, limit, _prefixes(type))
    request.state.position = page.next
    return {"items": page.items, "next": page.next, "head": page.head}


def frame(event: dict[str, Any]) -> bytes:
    return (
        f"id: {event['position']}\nevent: {event['type']}\ndata: ".encode()
        + encode(event)
        + b"\n\n"
    )


@router.get(
    "/stream",
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "An endless `text/event-stream`",
            "content": {"text/event-stream": {}},
        },
        **responses(401, 403, 422),
    },
    summary="Live events as Server-Sent Events, resuming after Last-Event-ID or `after`",
)
async def stream(
    request: Request,
    after: int = After,
    type: str | None = Type,
    last_event_id: str | None = Header(None, max_length=20, pattern=r"^[0-9]+$"),
) -> StreamingResponse:
    service = _service(request)
    start = int(last_event_id) if last_event_id is not None else after
    prefixes = _prefixes(type)

    async def events() -> AsyncIterator[bytes]:
        cursor = start
        yield b": stockledger event stream v1\nretry: 2000\n\n"
        while not service.waiter.stopped:
            page = await to_thread.run_sync(service.feed.page, cursor, PAGE, prefixes)
            for event in page.items:
                yield frame(event)
            cursor = page.next
            if len(page.items) == PAGE:
                continue  # more is waiting: read on before waiting
            head = await service.waiter.wait_async(cursor, KEEPALIVE)
            if head <= cursor:
                yield b": keep-alive\n\n"

    return StreamingResponse(
        events(),
        media_type="text/event-stream",
        headers={"cache-control": "no-cache", "x-accel-buffering": "no"},
    )
