"""The Starlette application: `/api/*` and the page's static files."""

from __future__ import annotations

import contextlib
import logging
import os
from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route

from . import csp
from .genesys import GenesysClient, GenesysError, not_configured
from .settings import REPO_ROOT, Settings, load_settings
from .static import PageFiles

log = logging.getLogger("proxy")

API_HEADERS = {"Cache-Control": "no-store"}


def create_app(
    settings: Settings | None = None,
    root: Path | str | None = None,
    genesys: GenesysClient | None = None,
) -> Starlette:
    root = Path(root) if root is not None else REPO_ROOT
    settings = settings if settings is not None else load_settings(root)
    client = genesys or GenesysClient(settings)
    secret = settings.client_secret

    def error_response(exc: GenesysError) -> JSONResponse:
        return JSONResponse(exc.as_json(secret), status_code=exc.status, headers=API_HEADERS)

    async def health(request: Request) -> JSONResponse:
        return JSONResponse({"ok": True}, headers=API_HEADERS)

    async def context(request: Request) -> JSONResponse:
        missing = settings.missing()
        if missing:
            return error_response(not_configured(missing))
        try:
            wait = await client.cached_wait()
        except GenesysError as exc:
            # Log the code, never the request: the Authorization header holds the secret.
            log.warning("/api/context: %s (%s)", exc.code, exc.message)
            return error_response(exc)
        except Exception:  # a bug must still answer JSON, not a stack trace
            log.exception("/api/context failed")
            return error_response(GenesysError("internal_error", 500, "The proxy failed unexpectedly.", "See the proxy's log."))
        return JSONResponse(wait.as_json(), headers=API_HEADERS)

    async def api_not_found(request: Request) -> JSONResponse:
        return JSONResponse(
            {"error": {"code": "not_found", "message": f"No API endpoint {request.url.path}.", "fix": "Use /api/context or /api/health."}},
            status_code=404, headers=API_HEADERS,
        )

    api_middleware = []
    if settings.allowed_origins:
        # Only needed when the page is hosted on another origin; GET-only, no
        # credentials, so a plain allow-list is enough.
        api_middleware.append(Middleware(
            CORSMiddleware, allow_origins=list(settings.allowed_origins), allow_methods=["GET"], max_age=600,
        ))
    api = Starlette(
        routes=[
            Route("/health", health),
            Route("/context", context),
            Route("/{rest:path}", api_not_found),
        ],
        middleware=api_middleware,
    )

    # The page's Content-Security-Policy (docs/security.md); CHAT_CSP=off serves an older checkout's
    # page that predates it (bench/startup --compare).
    page_csp = "" if os.environ.get("CHAT_CSP") == "off" else csp.page_policy(
        root, settings, os.environ.get("CHAT_CSP_CONNECT", ""))

    @contextlib.asynccontextmanager
    async def lifespan(app):
        try:
            yield
        finally:
            await client.aclose()

    app = Starlette(
        routes=[
            Mount("/api", app=api),
            Route("/{path:path}", PageFiles(root, page_csp).__call__, methods=["GET", "HEAD"]),
        ],
        lifespan=lifespan,
    )
    app.state.genesys = client
    app.state.settings = settings
    return app
