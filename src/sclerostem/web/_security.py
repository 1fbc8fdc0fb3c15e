"""Sessions, CSRF tokens, login rate limiting and security headers.

Design
------
* The session is a cookie holding a small JSON payload signed (not encrypted)
  with :mod:`itsdangerous`; it carries the user id, the role, the centre and the
  CSRF token, never identifying patient data.  ``HttpOnly``, ``SameSite=Lax``,
  ``Secure`` when the request came over https (or when forced).
* CSRF: synchronizer token. Every visitor gets a session (anonymous at first)
  with a random token; every form carries it in a hidden ``csrf_token`` field
  (HTMX requests may send it in the ``X-CSRF-Token`` header instead); every
  state-changing request of the web pages is refused with 403 without it. The
  token is rotated at sign-in.
* Login rate limiting: sliding window of failed attempts per client address
  and per user name.
* Security headers on every response (pure ASGI middleware): a CSP without
  inline scripts, ``frame-ancestors 'none'`` + ``X-Frame-Options: DENY``,
  ``nosniff``, ``Referrer-Policy``.
"""

from __future__ import annotations

import hmac
import json
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = [
    "CONTENT_SECURITY_POLICY",
    "SESSION_COOKIE",
    "LoginRateLimiter",
    "SecurityHeadersMiddleware",
    "SessionMiddleware",
    "csrf_ok",
    "new_session",
]

SESSION_COOKIE = "sclerostem_session"
#: Session lifetime (seconds): one clinic day.
SESSION_MAX_AGE_S = 8 * 3600

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
#: Plots are served as stand-alone SVG documents shown through <img>; matplotlib
#: writes inline style attributes, and an SVG shown as an image never runs scripts.
SVG_CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"

_HEADERS = {
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=()",
    "cross-origin-opener-policy": "same-origin",
}


class SecurityHeadersMiddleware:
    """Add the security headers to every HTTP response (keeps one set by a route)."""

    def __init__(self, app: ASGIApp, *, hsts: bool = False) -> None:
        self.app = app
        self.hsts = hsts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        https = scope.get("scheme") == "https"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if "content-security-policy" not in headers:
                    headers["content-security-policy"] = CONTENT_SECURITY_POLICY
                for key, value in _HEADERS.items():
                    headers.setdefault(key, value)
                if https or self.hsts:
                    headers.setdefault("strict-transport-security", "max-age=31536000")
                ctype = headers.get("content-type", "")
                if ctype.startswith("text/html"):
                    headers.setdefault("cache-control", "no-store")
            await send(message)

        await self.app(scope, receive, send_with_headers)


class SessionMiddleware:
    """Signed-cookie sessions as pure ASGI middleware (``request.session`` works).

    Parameters
    ----------
    app : ASGI app
    secret_key : str
        Signing key; keep it secret and stable across restarts in production.
    secure : bool or None
        Force the ``Secure`` cookie flag on (``True``) or off (``False``); ``None``
        sets it when the request itself came over https.
    max_age_s : int
        Session lifetime in seconds, counted from the last change (sign-in).
    """

    def __init__(
        self, app: ASGIApp, *, secret_key: str, secure: bool | None = None,
        max_age_s: int = SESSION_MAX_AGE_S,
    ) -> None:
        self.app = app
        self.secure = secure
        self.max_age_s = max_age_s
        self._serializer = URLSafeTimedSerializer(secret_key, salt="sclerostem.session")

    def _load(self, raw: str | None) -> dict[str, Any] | None:
        if not raw:
            return None
        try:
            data = self._serializer.loads(raw, max_age=self.max_age_s)
        except BadSignature:
            return None
        if isinstance(data, dict) and isinstance(data.get("csrf"), str):
            return data
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        raw = Request(scope).cookies.get(SESSION_COOKIE)
        loaded = self._load(raw)
        data = loaded if loaded is not None else new_session()
        scope["session"] = data
        before = json.dumps(data, sort_keys=True)
        secure = self.secure if self.secure is not None else scope.get("scheme") == "https"

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                after = json.dumps(scope["session"], sort_keys=True)
                if loaded is None or after != before:
                    value = self._serializer.dumps(scope["session"])
                    cookie = (
                        f"{SESSION_COOKIE}={value}; Path=/; Max-Age={self.max_age_s}; "
                        "HttpOnly; SameSite=Lax"
                    )
                    if secure:
                        cookie += "; Secure"
                    MutableHeaders(scope=message).append("set-cookie", cookie)
            await send(message)

        await self.app(scope, receive, send_with_cookie)


def new_session() -> dict[str, Any]:
    """A fresh anonymous session with its own CSRF token."""
    return {"csrf": secrets.token_urlsafe(32)}


def csrf_ok(session: dict[str, Any], submitted: str | None) -> bool:
    """``True`` when ``submitted`` equals the session's CSRF token (constant-time)."""
    expected = session.get("csrf")
    if not expected or not submitted:
        return False
    return hmac.compare_digest(str(expected), str(submitted))


class LoginRateLimiter:
    """Refuse sign-in after too many failures in a sliding window.

    Failures are counted separately per client address and per user name (so an
    attacker can neither hammer one account from many addresses, nor many
    accounts from one address); a successful sign-in clears the user name's count.

    Parameters
    ----------
    max_failures : int
        Failures allowed inside the window before refusing.
    window_s : float
        Window length in seconds.
    clock : callable
        Monotonic clock (injectable for tests).
    """

    def __init__(
        self, max_failures: int = 5, window_s: float = 300.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.max_failures = max_failures
        self.window_s = window_s
        self.clock = clock
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _prune(self, key: str, now: float) -> deque[float]:
        q = self._failures.setdefault(key, deque())
        while q and now - q[0] >= self.window_s:
            q.popleft()
        return q

    def retry_after(self, client: str, username: str) -> int:
        """Seconds to wait before another attempt is allowed (0 = allowed now)."""
        now = self.clock()
        wait = 0.0
        with self._lock:
            for key in (f"ip:{client}", f"user:{username.lower()}"):
                q = self._prune(key, now)
                if len(q) >= self.max_failures:
                    wait = max(wait, self.window_s - (now - q[0]))
        return int(wait) + 1 if wait > 0 else 0

    def record_failure(self, client: str, username: str) -> None:
        now = self.clock()
        with self._lock:
            for key in (f"ip:{client}", f"user:{username.lower()}"):
                self._prune(key, now).append(now)

    def record_success(self, username: str) -> None:
        with self._lock:
            self._failures.pop(f"user:{username.lower()}", None)
