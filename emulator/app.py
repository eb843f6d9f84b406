"""Assemble the emulator: one Starlette app playing every host of one region."""
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.routing import Route, WebSocketRoute

from . import attachments, control, idp, platform, rest, socket, static_bot
from .bot import Bot
from .faults import RestFaults
from .region import Region


def create_app(bot_delay=1.0):
    """Return the ASGI app; its state is `app.state.region` (one fresh region per app)."""
    region = Region(bot_delay_seconds=bot_delay)
    region.bot = Bot(region)
    routes = [
        Route("/oauth/token", rest.oauth_token, methods=["POST"]),
        Route("/webdeployments/v1/deployments/{deployment_id}/config.json", rest.deployment_config, methods=["GET"]),
        Route("/api/v2/routing/queues/{queue_id}/estimatedwaittime", platform.estimated_wait_time, methods=["GET"]),
        Route("/api/v2/routing/queues/{queue_id}/mediatypes/{media_type}/estimatedwaittime",
              platform.estimated_wait_time, methods=["GET"]),
        Route("/api/v2/routing/queues/{queue_id}", platform.get_queue, methods=["GET"]),
        Route("/api/v2/analytics/queues/observations/query", platform.queue_observations, methods=["POST"]),
        Route("/api/v2/architect/schedulegroups/{group_id}", platform.get_schedule_group, methods=["GET"]),
        Route("/api/v2/architect/schedules/{schedule_id}", platform.get_schedule, methods=["GET"]),
        Route("/api/v2/webdeployments/deployments/{deployment_id}", platform.get_web_deployment, methods=["GET"]),
        Route("/api/v2/webdeployments/token/oauthcodegrantjwtexchange", idp.code_exchange, methods=["POST"]),
        Route("/api/v2/webdeployments/token/refresh", idp.refresh, methods=["POST"]),
        Route("/api/v2/webdeployments/token/revoke", idp.revoke, methods=["DELETE"]),
        Route("/api/v2/webmessaging/messages", rest.history, methods=["GET"]),
        Route("/idp/authorize", idp.authorize_page, methods=["GET"]),
        Route("/idp/authorize", idp.authorize_submit, methods=["POST"]),
        WebSocketRoute("/v1", socket.endpoint),
        Route("/uploads/{attachment_id}", attachments.upload, methods=["PUT"]),
        Route("/uploads/{attachment_id}", attachments.download, methods=["GET"]),
        Route(static_bot.LOGO_PATH, static_bot.logo, methods=["GET"]),
        Route(static_bot.CARD_IMAGE_PATH, static_bot.card_image, methods=["GET"]),
        Route("/_emulator/reset", control.reset, methods=["POST"]),
        Route("/_emulator/frames", control.list_frames, methods=["GET"]),
        Route("/_emulator/calls", control.list_calls, methods=["GET"]),
        Route("/_emulator/faults", control.list_faults, methods=["GET"]),
        Route("/_emulator/faults/delay", control.add_delay, methods=["POST"]),
        Route("/_emulator/faults/reorder", control.add_reorder, methods=["POST"]),
        Route("/_emulator/faults/inject", control.add_inject, methods=["POST"]),
        Route("/_emulator/faults/drop-every", control.add_drop_every, methods=["POST"]),
        Route("/_emulator/faults/clear", control.clear_faults, methods=["POST"]),
        Route("/_emulator/queues/{id}", platform.control_queue, methods=["GET", "POST"]),
        Route("/_emulator/schedules/{id}", platform.control_schedule, methods=["GET", "POST"]),
        Route("/_emulator/schedulegroups/{id}", platform.control_schedule_group, methods=["GET", "POST"]),
        Route("/_emulator/sessions", control.list_sessions, methods=["GET"]),
        Route("/_emulator/sessions/{token:path}/agent/join", control.agent_join, methods=["POST"]),
        Route("/_emulator/sessions/{token:path}/agent/typing", control.agent_typing, methods=["POST"]),
        Route("/_emulator/sessions/{token:path}/agent/say", control.agent_say, methods=["POST"]),
        Route("/_emulator/sessions/{token:path}/bot/say", control.bot_say, methods=["POST"]),
        Route("/_emulator/sessions/{token:path}/disconnect", control.disconnect, methods=["POST"]),
        Route("/_emulator/sessions/{token:path}/expire", control.expire, methods=["POST"]),
        Route("/_emulator/sessions/{token:path}/drop", control.drop, methods=["POST"]),
        Route("/_emulator/sessions/{token:path}", control.get_session, methods=["GET"]),
        Route("/_emulator/deployments/{deployment_id}", control.patch_deployment, methods=["POST"]),
        Route("/_emulator/deployments/{deployment_id}", control.get_deployment, methods=["GET"]),
        Route("/agent", control.console, methods=["GET"]),
    ]
    # Browsers call the REST paths cross-origin (the page is on another port); a real region
    # answers their preflights too. Credentials are never needed, so "*" is enough.
    middleware = [Middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["*"], allow_headers=["*"],
                             max_age=600),
                  Middleware(RestFaults)]
    app = Starlette(routes=routes, middleware=middleware)
    app.state.region = region
    return app
