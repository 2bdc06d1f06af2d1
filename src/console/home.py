"""The console's front door: ``/`` (the sign-in page, or the stock page once signed in),
signing in with an API key and signing out."""

from __future__ import annotations

import hmac

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import RedirectResponse

from application.keys import tenant_of
from console.session import (
    COOKIE,
    LIFETIME,
    SIGN_IN_COOKIE,
    Form,
    current,
    new_sign_in_token,
    off_loop,
    read_form,
    sessions_of,
    set_cookie,
)
from console.web import ConsoleRoute, Refused, render

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)


def sign_in_page(request: Request, error: str | None = None, status: int = 200) -> Response:
    token = new_sign_in_token()
    response = render(request, None, "sign_in.html", status, sign_in_token=token, error=error)
    set_cookie(response, request, SIGN_IN_COOKIE, token, 600)
    return response


@router.get("/")
def home(request: Request) -> Response:
    """The sign-in page; signed in, the stock page, unless the ledger refused a decision on
    a forged movement (store.authenticity): then that, first."""
    visitor = current(request)
    if visitor is None:
        return sign_in_page(request)
    checked = request.state.composition.ledger.authenticity
    if checked.last is not None:
        return render(
            request, visitor, "tampered.html", last=checked.last, refusals=checked.refusals
        )
    return RedirectResponse("/dashboard", status_code=303)


@router.post("/sign-in")
async def sign_in(request: Request, form: dict[str, str] = Depends(read_form)) -> Response:
    """Opens a session for a valid key; the form must carry the sign-in page's token."""
    expected = request.cookies.get(SIGN_IN_COOKIE, "")
    if not expected or not hmac.compare_digest(form.get("csrf", ""), expected):
        raise Refused("the sign-in form has expired; reload the page")
    key = form.get("key", "").strip()
    cookie = await off_loop(request, tenant_of(key), lambda: sessions_of(request).open(key))
    if cookie is None:
        return sign_in_page(request, "Unknown or revoked API key.", 401)
    response = RedirectResponse("/dashboard", status_code=303)
    set_cookie(response, request, COOKIE, cookie, LIFETIME)
    response.delete_cookie(SIGN_IN_COOKIE, path="/")
    return response


@router.post("/sign-out")
def sign_out(request: Request, form: Form) -> Response:
    """Ends the session on the server (console.session), then drops the cookie."""
    visitor = request.state.visitor
    sessions_of(request).end(request.cookies.get(COOKIE, ""), visitor.user)
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict")
    return response
