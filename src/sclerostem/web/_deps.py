"""Shared plumbing of the page routes: templates, the signed-in user, CSRF-checked forms."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi.templating import Jinja2Templates
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from sclerostem.web._cache import PatientViewCache
from sclerostem.web._security import LoginRateLimiter, csrf_ok

__all__ = [
    "TEMPLATES_DIR",
    "Forbidden",
    "LoginRequired",
    "WebState",
    "WebUser",
    "checked_form",
    "render",
    "web_state",
]

TEMPLATES_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"


class LoginRequired(Exception):
    """Raised by a page that needs a signed-in user; turned into a redirect to sign-in."""


class Forbidden(Exception):
    """Raised when the signed-in user's role may not see a page."""

    def __init__(self, message: str = "Your role does not give access to this page.") -> None:
        super().__init__(message)
        self.message = message


class CsrfFailed(Exception):
    """A state-changing request without the session's CSRF token."""


@dataclass(frozen=True, slots=True)
class WebUser:
    """The signed-in user as the pages see it (from the session, checked against the database)."""

    id: int
    username: str
    role: str
    centre: str | None
    model: Any = field(default=None, compare=False, repr=False)

    @property
    def can_edit(self) -> bool:
        return self.role in ("clinician", "admin")

    @property
    def sees_identifying(self) -> bool:
        return self.role in ("clinician", "admin")


@dataclass
class WebState:
    """What the routes share: the database, templates, rate limiter, cached patient views."""

    db: Any
    templates: Jinja2Templates
    limiter: LoginRateLimiter
    demo_logins: tuple[tuple[str, str, str], ...] = ()
    patient_views: PatientViewCache = field(default_factory=PatientViewCache)


def web_state(request: Request) -> WebState:
    state: WebState = request.app.state.web
    return state


def _fmt_date(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _fmt_num(value: Any, digits: int = 1) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return "—"
        return f"{value:.{digits}f}"
    return str(value)


def _fmt_bool(value: Any) -> str:
    if value is None:
        return "not recorded"
    return "yes" if value else "no"


def _label(value: Any) -> str:
    if value is None:
        return "—"
    return str(value).replace("_", " ")


def make_templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
    env = templates.env
    env.filters["date"] = _fmt_date
    env.filters["num"] = _fmt_num
    env.filters["yesno"] = _fmt_bool
    env.filters["label"] = _label
    env.globals["urlquote"] = quote
    return templates


def render(
    request: Request,
    name: str,
    context: dict[str, Any] | None = None,
    *,
    user: WebUser | None = None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    """Render a template with the common context (user, CSRF token, active section)."""
    ctx: dict[str, Any] = {"user": user, "csrf_token": request.session["csrf"]}
    if context:
        ctx.update(context)
    return web_state(request).templates.TemplateResponse(
        request, name, ctx, status_code=status_code, headers=headers
    )


async def checked_form(request: Request) -> FormData:
    """The submitted form, after checking its CSRF token (field ``csrf_token`` or header ``X-CSRF-Token``).

    Raises
    ------
    CsrfFailed
        When the token is absent or wrong (the app answers 403).
    """
    form = await request.form()
    submitted = form.get("csrf_token") or request.headers.get("x-csrf-token")
    if not csrf_ok(request.session, submitted if isinstance(submitted, str) else None):
        raise CsrfFailed()
    return form


def form_dict(form: FormData, names: tuple[str, ...] | list[str]) -> dict[str, str]:
    """The submitted text of ``names`` (missing -> ``""``), to refill a form after an error."""
    out: dict[str, str] = {}
    for name in names:
        v = form.get(name)
        out[name] = v.strip() if isinstance(v, str) else ""
    return out
