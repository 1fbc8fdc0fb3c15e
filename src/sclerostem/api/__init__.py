"""REST API (FastAPI) over the registry and the engines.

``build_router(db)`` gives the routes to mount under ``/api`` (the web app
does); ``create_api_app(db)`` is a standalone app for scripts and tests.
Every route needs a bearer token or a web session except ``GET /api/health``
(and ``GET /health`` on the standalone app) and ``POST /api/tokens``.
"""

from sclerostem.api._routes import ApiError, build_router, create_api_app, install_error_handlers

__all__ = ["ApiError", "build_router", "create_api_app", "install_error_handlers"]
