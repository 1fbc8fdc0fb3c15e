"""Sign-in and sign-out; the signed-in user of a request."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from sclerostem.registry.models import User
from sclerostem.web._deps import (
    Forbidden,
    LoginRequired,
    WebUser,
    checked_form,
    render,
    web_state,
)
from sclerostem.web._security import new_session

__all__ = ["current_user", "require_role", "router"]

log = logging.getLogger(__name__)

router = APIRouter()


def current_user(request: Request, session: Any) -> WebUser:
    """The signed-in, still active user of ``request``.

    Raises
    ------
    LoginRequired
        When nobody is signed in or the account was deactivated since.
    """
    uid = request.session.get("uid")
    if not isinstance(uid, int):
        raise LoginRequired()
    user = session.get(User, uid)
    if user is None or not user.active:
        request.session.clear()
        request.session.update(new_session())
        raise LoginRequired()
    return WebUser(id=user.id, username=user.username, role=user.role, centre=user.centre, model=user)


def optional_user(request: Request, session: Any) -> WebUser | None:
    try:
        return current_user(request, session)
    except LoginRequired:
        return None


def require_role(user: WebUser, *roles: str) -> None:
    """Raise :class:`Forbidden` unless ``user`` has one of ``roles``."""
    if user.role not in roles:
        raise Forbidden()


def _safe_next(target: str | None) -> str:
    """Only local absolute paths are followed after sign-in (no open redirect)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/patients"


def _login_page(request: Request, *, error: str | None = None, username: str = "",
                next_url: str = "", status_code: int = 200,
                headers: dict[str, str] | None = None) -> Response:
    state = web_state(request)
    return render(
        request,
        "login.html",
        {"error": error, "username": username, "next": next_url, "demo_logins": state.demo_logins},
        status_code=status_code,
        headers=headers,
    )


@router.get("/", name="home")
def home(request: Request) -> Response:
    """The sign-in page for a visitor; the patient list once signed in."""
    state = web_state(request)
    with state.db.session() as s:
        if optional_user(request, s) is not None:
            return RedirectResponse("/patients", status_code=303)
    return _login_page(request, next_url=request.query_params.get("next", ""))


@router.get("/login", name="login")
def login_form(request: Request) -> Response:
    return _login_page(request, next_url=request.query_params.get("next", ""))


@router.post("/login")
async def login_submit(request: Request) -> Response:
    from sclerostem.registry import authenticate

    form = await checked_form(request)
    username = str(form.get("username") or "").strip()
    password = str(form.get("password") or "")
    next_url = str(form.get("next") or "")
    state = web_state(request)
    client = request.client.host if request.client else "unknown"
    wait = state.limiter.retry_after(client, username)
    if wait:
        return _login_page(
            request,
            error=f"Too many failed sign-in attempts. Try again in {wait} seconds.",
            username=username, next_url=next_url, status_code=429,
            headers={"Retry-After": str(wait)},
        )
    with state.db.session() as s:
        user = authenticate(s, username, password) if username and password else None
        if user is None or not getattr(user, "active", True):
            state.limiter.record_failure(client, username)
            log.info("failed sign-in from %s", client)
            return _login_page(request, error="Unknown user name or wrong password.",
                               username=username, next_url=next_url, status_code=401)
        state.limiter.record_success(username)
        uid, role, centre = user.id, user.role, user.centre
    # New session (new CSRF token) at sign-in: no session fixation.
    request.session.clear()
    request.session.update(new_session())
    request.session.update({"uid": uid, "role": role, "centre": centre})
    return RedirectResponse(_safe_next(next_url), status_code=303)


@router.post("/logout", name="logout")
async def logout(request: Request) -> Response:
    await checked_form(request)
    request.session.clear()
    request.session.update(new_session())
    return RedirectResponse("/login?signed_out=1", status_code=303)
