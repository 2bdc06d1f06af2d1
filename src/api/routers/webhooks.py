"""Webhooks (admin): register, list, read the attempts log, resume, delete."""

from __future__ import annotations

from typing import Any

from fastapi import Path, Query, Request, Response

from api.auth import Principal
from api.dependencies import feed_of
from api.route_table import Answer, Routes
from api.schemas.feed import (
    DeliveryAttempt,
    WebhookCreate,
    WebhookCreated,
    WebhookPublic,
    WebhookStatus,
)
from domain.access import Role

router = Routes("/api/webhooks", "webhooks", Role.ADMIN)

HookId = Path(pattern=r"^wh_[0-9a-f]{16}$", examples=["wh_0123456789abcdef"])
HOOK = "/{webhook_id}"


@router.write("POST", "", WebhookCreated, status_code=201)
def create_webhook(body: WebhookCreate, who: Principal, request: Request) -> Answer:
    """Register a webhook: events from now on are delivered, signed with the secret
    answered here only"""
    service = feed_of(request)
    created = service.webhooks.create(
        body.url, body.types, body.description, who.user, service.feed.head()
    )
    service.deliverer.wake.set()
    return Answer(created, 201)


@router.read("", list[WebhookPublic])
def list_webhooks(request: Request) -> Any:
    """Webhooks with their status and position"""
    return [hook.public() for hook in feed_of(request).webhooks.all()]


@router.read(HOOK + "/deliveries", list[DeliveryAttempt], 404)
def deliveries(
    request: Request, webhook_id: str = HookId, limit: int = Query(50, ge=1, le=1000)
) -> Any:
    """The latest delivery attempts, newest first"""
    return feed_of(request).webhooks.attempts(webhook_id, limit)


@router.write("POST", HOOK + "/resume", WebhookStatus, 404)
def resume(who: Principal, request: Request, webhook_id: str = HookId) -> Any:
    """Resume a failing or paused webhook from the event it stopped at"""
    service = feed_of(request)
    answer = service.webhooks.resume(webhook_id, who.user)
    service.deliverer.wake.set()
    return answer


@router.write("DELETE", HOOK, None, 404, status_code=204, response_class=Response)
def delete(who: Principal, request: Request, webhook_id: str = HookId) -> Response:
    """Delete a webhook (its attempts log is kept)"""
    feed_of(request).webhooks.delete(webhook_id, who.user)
    return Response(status_code=204)
