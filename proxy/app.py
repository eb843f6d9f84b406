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
from .context import Context
from .guard import FrontDoor
from .genesys import GenesysClient, GenesysError
from .settings import REPO_ROOT, Settings, load_settings
from .static import PageFiles

log = logging.getLogger("proxy")

API_HEADERS = {"Cache-Control": "no-store"}


class SecurityHeaders:
    """Headers every response carries, API and page alike (pure ASGI, so streaming is untouched)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        https = scope.get("scheme") == "https"

        async def with_headers(message):
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"server"]
                names = {k.lower() for k, _ in headers}
                for name, value in ((b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"no-referrer")):
                    if name not in names:
                        headers.append((name, value))
                if https:
                    headers.append((b"strict-transport-security", b"max-age=31536000; includeSubDomains"))
                message = dict(message, headers=headers)
            await send(message)

        await self.app(scope, receive, with_headers)


def create_app(
    settings: Settings | None = None,
    root: Path | str | None = None,
    genesys: GenesysClient | None = None,
) -> Starlette:
    root = Path(root) if root is not None else REPO_ROOT
    settings = settings if settings is not None else load_settings(root)
    client = genesys or GenesysClient(settings)
    shared = None
    if settings.redis_url:
        from .shared import RedisShared  # redis-py is needed only for several instances

        shared = RedisShared(settings.redis_url)
        client.shared = shared
    answers = Context(client, cache=shared)
    secret = settings.client_secret

    def error_response(exc: GenesysError) -> JSONResponse:
        return JSONResponse(exc.as_json(secret), status_code=exc.status, headers=API_HEADERS)

    async def health(request: Request) -> JSONResponse:
        return JSONResponse({"ok": True}, headers=API_HEADERS)

    async def healthz(request: Request) -> JSONResponse:
        """Alive: the process answers (for a load balancer's liveness probe)."""
        return JSONResponse({"alive": True}, headers=API_HEADERS)

    async def readyz(request: Request) -> JSONResponse:
        """Ready: the settings are complete and a token can be had (the one fetch is shared)."""
        missing = settings.missing()
        if missing:
            return JSONResponse({"ready": False, "code": "not_configured",
                                 "message": "Missing settings: " + ", ".join(missing) + "."},
                                status_code=503, headers=API_HEADERS)
        try:
            await client.token()
        except GenesysError as exc:
            log.warning("/readyz: %s (%s) %s", exc.code, exc.message, exc.detail)
            return JSONResponse({"ready": False, "code": exc.code, "message": exc.message}, status_code=503,
                                headers=API_HEADERS)
        return JSONResponse({"ready": True}, headers=API_HEADERS)

    async def context(request: Request) -> JSONResponse:
        try:
            status, body = await answers.answer()
        except GenesysError as exc:
            # Log the code and detail, never the request: the Authorization header holds the secret.
            log.warning("/api/context: %s (%s) %s", exc.code, exc.message, exc.detail)
            return error_response(exc)
        except Exception:  # a bug must still answer JSON, not a stack trace
            log.exception("/api/context failed")
            return error_response(GenesysError("internal_error", 500, "The proxy failed unexpectedly.", "See the proxy's log."))
        return JSONResponse(body, status_code=status, headers=API_HEADERS)

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
        root, settings, os.environ.get("CHAT_CSP_CONNECT", ""), os.environ.get("CHAT_FRAME_ANCESTORS", ""))

    @contextlib.asynccontextmanager
    async def lifespan(app):
        try:
            yield
        finally:
            await client.aclose()
            if shared is not None:
                await shared.aclose()

    app = Starlette(
        middleware=[Middleware(FrontDoor, allowed_hosts=settings.allowed_hosts,
                              allowed_origins=settings.allowed_origins, rate=settings.rate_limit, shared=shared),
                    Middleware(SecurityHeaders)],
        routes=[
            Route("/healthz", healthz, methods=["GET", "HEAD"]),
            Route("/readyz", readyz, methods=["GET", "HEAD"]),
            Mount("/api", app=api),
            Route("/{path:path}", PageFiles(root, page_csp).__call__, methods=["GET", "HEAD"]),
        ],
        lifespan=lifespan,
    )
    app.state.genesys = client
    app.state.settings = settings
    return app
