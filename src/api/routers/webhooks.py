"""Webhooks (admin): register, list, read the attempts log, resume, delete."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Path, Query, Request, Response

from api.auth import Admin
from api.dependencies import feed_of
from api.problems import responses
from api.routing import DecimalRoute
from api.schemas.feed import (
    DeliveryAttempt,
    WebhookCreate,
    WebhookCreated,
    WebhookPublic,
    WebhookStatus,
)
from feed.service import FeedService

router = APIRouter(prefix="/api/webhooks", tags=["webhooks"], route_class=DecimalRoute)

HookId = Path(pattern=r"^wh_[0-9a-f]{16}$", examples=["wh_0123456789abcdef"])


def _service(request: Request) -> FeedService:
    return feed_of(request)


@router.post(
    "",
    status_code=201,
    response_model=WebhookCreated,
    responses=responses(401, 403, 422),
    summary="Register a webhook: events from now on are delivered, signed with the secret "
    "answered here only",
)
def create_webhook(body: WebhookCreate, who: Admin, request: Request) -> dict[str, Any]:
    service = _service(request)
    created = service.webhooks.create(
        body.url, body.types, body.description, who.user, service.feed.head()
    )
    service.deliverer.wake.set()
    return created


@router.get(
    "",
    response_model=list[WebhookPublic],
    responses=responses(401, 403, 422),
    summary="Webhooks with their status and position",
)
def list_webhooks(who: Admin, request: Request) -> list[dict[str, Any]]:
    return [hook.public() for hook in _service(request).webhooks.all()]


@router.get(
    "/{webhook_id}/deliveries",
    response_model=list[DeliveryAttempt],
    responses=responses(401, 403, 404, 422),
    summary="The latest delivery attempts, newest first",
)
def deliveries(
    who: Admin,
    request: Request,
    webhook_id: str = HookId,
    limit: int = Query(50, ge=1, le=1000),
) -> list[dict[str, Any]]:
    return _service(request).webhooks.attempts(webhook_id, limit)


@router.post(
    "/{webhook_id}/resume",
    response_model=WebhookStatus,
    responses=responses(401, 403, 404, 422),
    summary="Resume a failing or paused webhook from the event it stopped at",
)
def resume(who: Admin, request: Request, webhook_id: str = HookId) -> dict[str, Any]:
    service = _service(request)
    answer = service.webhooks.resume(webhook_id, who.user)
    service.deliverer.wake.set()
    return answer


@router.delete(
    "/{webhook_id}",
    status_code=204,
    response_class=Response,
    responses=responses(401, 403, 404, 422),
    summary="Delete a webhook (its attempts log is kept)",
)
def delete(who: Admin, request: Request, webhook_id: str = HookId) -> Response:
    _service(request).webhooks.delete(webhook_id, who.user)
    return Response(status_code=204)
