"""The event feed's webhooks (admin): each with its status, position and last error and
its latest delivery attempts; register one (its signing secret is shown once); resume a
failing or paused one."""

from __future__ import annotations

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from api.schemas.feed import WebhookCreate
from console.session import Admin, Form
from console.web import ConsoleRoute, NavEntry, Visitor, feed_of, render
from domain.access import Role

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)
NAV = NavEntry("Feed", "/feed", Role.ADMIN)
ATTEMPTS = 5
HookId = Path(pattern=r"^wh_[0-9a-f]{16}$")


def _page(request: Request, who: Visitor, created: dict[str, object] | None = None) -> HTMLResponse:
    webhooks = feed_of(request).webhooks
    hooks = [(hook.public(), webhooks.attempts(hook.id, ATTEMPTS)) for hook in webhooks.all()]
    return render(request, who, "feed.html", hooks=hooks, created=created)


@router.get("/feed")
def feed_page(request: Request, who: Admin) -> HTMLResponse:
    return _page(request, who)


@router.post("/feed/webhooks")
def create_webhook(request: Request, who: Admin, form: Form) -> HTMLResponse:
    """Registers a webhook with the API's own validation (``WebhookCreate``)."""
    types = [t.strip() for t in form.get("types", "").split(",") if t.strip()]
    body = WebhookCreate(
        url=form.get("url", ""), types=types, description=form.get("description") or None
    )
    service = feed_of(request)
    created = service.webhooks.create(
        body.url, body.types, body.description, who.user, service.feed.head()
    )
    service.deliverer.wake.set()
    return _page(request, who, created)


@router.post("/feed/webhooks/{hook_id}/resume")
def resume_webhook(
    request: Request, who: Admin, form: Form, hook_id: str = HookId
) -> RedirectResponse:
    service = feed_of(request)
    service.webhooks.resume(hook_id, who.user)
    service.deliverer.wake.set()
    return RedirectResponse("/feed", status_code=303)
