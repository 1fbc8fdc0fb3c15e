"""The FastAPI application factory of the clinician web app."""

from __future__ import annotations

import logging
import os
import secrets
from typing import Any

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from sclerostem._version import __version__
from sclerostem.errors import InputError, InputTypeError, SclerostemError
from sclerostem.registry import AccessDeniedError, AuditTamperError, ConflictError, NotFoundError
from sclerostem.web import _auth, _candidacy, _cohort, _evidence, _patients, _visits
from sclerostem.web._deps import (
    STATIC_DIR,
    CsrfFailed,
    Forbidden,
    LoginRequired,
    WebState,
    make_templates,
    render,
)
from sclerostem.web._security import LoginRateLimiter, SecurityHeadersMiddleware, SessionMiddleware

__all__ = ["SECRET_KEY_ENV", "create_app"]

#: Page errors: registry/engine error class -> (HTTP status, page title); most specific first.
_PAGE_ERRORS: dict[type[SclerostemError], tuple[int, str]] = {
    NotFoundError: (404, "Not found"),
    AccessDeniedError: (403, "Not allowed"),
    AuditTamperError: (403, "Not allowed"),
    ConflictError: (409, "Changed by someone else"),
    InputError: (422, "Invalid input"),
    InputTypeError: (422, "Invalid input"),
}

log = logging.getLogger(__name__)

#: Environment variable holding the session signing key (a random key per process otherwise).
SECRET_KEY_ENV = "SCLEROSTEM_SECRET_KEY"


def _database(db_url_or_database: Any) -> Any:
    if isinstance(db_url_or_database, str):
        from sclerostem.registry import Database

        return Database(db_url_or_database)
    return db_url_or_database


def create_app(
    db: Any,
    *,
    secret_key: str | None = None,
    secure_cookies: bool | None = None,
    rate_limiter: LoginRateLimiter | None = None,
    demo_logins: tuple[tuple[str, str, str], ...] = (),
    mount_api: bool = True,
) -> FastAPI:
    """Build the web application.

    Parameters
    ----------
    db : str or sclerostem.registry.Database
        Database URL (``sqlite:///clinic.db``, ``postgresql+psycopg://...``) or an
        open :class:`~sclerostem.registry.Database`.
    secret_key : str, optional
        Session signing key; defaults to ``$SCLEROSTEM_SECRET_KEY`` or a random key
        (sessions then end when the process restarts).
    secure_cookies : bool, optional
        Force the ``Secure`` cookie flag; by default it is set when the request
        came over https.
    rate_limiter : LoginRateLimiter, optional
        Sign-in rate limiter (default: 5 failures per 5 minutes per address and per user).
    demo_logins : tuple of (username, password, role)
        Shown on the sign-in page (only for the demo database).
    mount_api : bool
        Mount the REST API at ``/api`` when :mod:`sclerostem.api` provides it.
    """
    database = _database(db)
    key = secret_key or os.environ.get(SECRET_KEY_ENV) or secrets.token_urlsafe(48)
    app = FastAPI(title="sclerostem clinic", version=__version__, docs_url=None, redoc_url=None,
                  openapi_url=None)
    app.state.web = WebState(
        db=database,
        templates=make_templates(),
        limiter=rate_limiter or LoginRateLimiter(),
        demo_logins=tuple(demo_logins),
    )
    app.add_middleware(SessionMiddleware, secret_key=key, secure=secure_cookies)
    app.add_middleware(SecurityHeadersMiddleware)

    @app.exception_handler(LoginRequired)
    async def _login_required(request: Request, exc: LoginRequired) -> Response:
        target = "/login?next=" + request.url.path
        if request.headers.get("hx-request"):
            return Response(status_code=200, headers={"HX-Redirect": target})
        return RedirectResponse(target, status_code=303)

    @app.exception_handler(Forbidden)
    async def _forbidden(request: Request, exc: Forbidden) -> Response:
        return render(request, "error.html", {"title": "Not allowed", "message": exc.message},
                      status_code=403)

    @app.exception_handler(CsrfFailed)
    async def _csrf(request: Request, exc: CsrfFailed) -> Response:
        log.warning("CSRF token missing or wrong on %s", request.url.path)
        return render(request, "error.html", {
            "title": "Form expired",
            "message": "The form was missing its security token or it had expired. "
                       "Reload the page and submit again."}, status_code=403)

    @app.exception_handler(SclerostemError)
    async def _registry_error(request: Request, exc: SclerostemError) -> Response:
        """A registry/engine error escaping a page handler: the app's error page, never JSON.

        (The REST API under /api maps its own errors inside its router.)
        """
        status, title = next(((st, ti) for cls, (st, ti) in _PAGE_ERRORS.items() if isinstance(exc, cls)),
                             (400, "Request not possible"))
        log.info("page error %s on %s", type(exc).__name__, request.url.path)
        return render(request, "error.html", {"title": title, "message": str(exc)}, status_code=status)

    @app.get("/health", include_in_schema=False)
    def _health() -> JSONResponse:
        return JSONResponse({"status": "ok", "version": __version__})

    for module in (_auth, _patients, _visits, _candidacy, _cohort, _evidence):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static")

    if mount_api:
        try:
            from sclerostem.api import build_router
        except ImportError:
            log.info("sclerostem.api.build_router not available; /api not mounted")
        else:
            # The API authenticates by bearer token. The web session is stored under
            # "uid", not the API's "user_id": the API has no CSRF check, so a browser
            # session must not authorise its state-changing routes. The router maps
            # its own errors to JSON, so no app-wide (JSON) error handlers are installed.
            app.include_router(build_router(database), prefix="/api")
    return app
