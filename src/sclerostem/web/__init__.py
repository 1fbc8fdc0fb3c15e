"""Clinician web app: server-rendered pages (FastAPI, Jinja2, HTMX) over the registry and engines.

Use :func:`create_app` to build the ASGI application; ``sclerostem demo`` and
``sclerostem serve`` run it with uvicorn.
"""

from sclerostem.web._app import SECRET_KEY_ENV, create_app
from sclerostem.web._security import LoginRateLimiter

__all__ = ["SECRET_KEY_ENV", "LoginRateLimiter", "create_app"]
