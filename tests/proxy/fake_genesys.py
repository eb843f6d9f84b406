"""A tiny stand-in for one Genesys Cloud region, enough to exercise the proxy.

Login, platform API, config CDN and web-messaging socket share one port, as in
the emulator. Tests flip attributes on `FakeGenesys` to produce each failure.
"""

from __future__ import annotations

import base64
import socket
import threading
import time
from urllib.parse import parse_qsl, urlsplit

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

CLIENT_ID = "test-client-id"
CLIENT_SECRET = "test-secret-Zq81-must-never-leak"
QUEUE_ID = "7c1e2d3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f"
DEPLOYMENT_ID = "f3b8c4d2-5a6e-4b7f-8c9d-0e1f2a3b4c5d"


class FakeGenesys:
    def __init__(self):
        self.reset()
        self.app = Starlette(routes=[
            Route("/", self.root),
            Route("/oauth/token", self.token, methods=["POST"]),
            Route("/api/v2/routing/queues/{queue_id}/estimatedwaittime", self.ewt),
            Route("/api/v2/analytics/queues/observations/query", self.observations, methods=["POST"]),
            Route("/webdeployments/v1/deployments/{dep}/config.json", self.deployment_config),
            WebSocketRoute("/v1", self.socket),
        ])

    def reset(self):
        self.expires_in = 86400
        self.token_requests = 0
        self.api_requests = 0
        self.issued: list[str] = []
        self.revoked: set[str] = set()
        self.always_401 = False
        self.forbidden = False
        self.wait_seconds: int | None = 42
        self.api_status: int | None = None  # force a status on the wait-time call
        self.token_delay = 0.0
        self.queues = {QUEUE_ID}
        self.deployments = {DEPLOYMENT_ID: {"status": "Active", "allowedDomains": ["127.0.0.1", "localhost"]}}
        self.seen_auth: list[str] = []
        self.observation_requests = 0
        self.on_queue = {"IDLE": 2, "INTERACTING": 1}

    async def root(self, request: Request):
        return JSONResponse({"message": "fake region"}, status_code=404)

    async def token(self, request: Request):
        self.token_requests += 1
        if self.token_delay:
            time.sleep(self.token_delay)  # blocks this server thread only; the proxy must time out
        auth = request.headers.get("authorization", "")
        # python-multipart is not installed; the body is a plain urlencoded form.
        form = dict(parse_qsl((await request.body()).decode()))
        expected = "Basic " + base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        if auth != expected:
            return JSONResponse({"error": "invalid_client", "description": "client not found"}, status_code=401)
        if form.get("grant_type") != "client_credentials":
            return JSONResponse({"error": "unsupported_grant_type"}, status_code=400)
        tok = f"tok-{len(self.issued) + 1}"
        self.issued.append(tok)
        return JSONResponse({"access_token": tok, "token_type": "bearer", "expires_in": self.expires_in})

    async def ewt(self, request: Request):
        self.api_requests += 1
        auth = request.headers.get("authorization", "")
        self.seen_auth.append(auth)
        tok = auth.removeprefix("Bearer ")
        if self.always_401 or tok not in self.issued or tok in self.revoked:
            return JSONResponse({"status": 401, "code": "bad.credentials"}, status_code=401)
        if self.api_status:
            return JSONResponse({"status": self.api_status}, status_code=self.api_status)
        if self.forbidden:
            return JSONResponse({"status": 403, "code": "missing.permissions",
                                 "message": "Missing permission routing:queue:view"}, status_code=403)
        if request.path_params["queue_id"] not in self.queues:
            return JSONResponse({"status": 404, "code": "not.found"}, status_code=404)
        results = [] if self.wait_seconds is None else [
            {"intent": "ESTIMATE", "formula": "BEST", "estimatedWaitTimeSeconds": self.wait_seconds}]
        return JSONResponse({"results": results})

    async def observations(self, request: Request):
        self.observation_requests += 1
        tok = request.headers.get("authorization", "").removeprefix("Bearer ")
        if self.always_401 or tok not in self.issued or tok in self.revoked:
            return JSONResponse({"status": 401, "code": "bad.credentials"}, status_code=401)
        body = await request.json()
        queue = body["filter"]["predicates"][0]["value"]
        if queue not in self.queues:
            return JSONResponse({"results": []})
        data = [{"metric": "oOnQueueUsers", "qualifier": q, "stats": {"count": n}} for q, n in self.on_queue.items()]
        return JSONResponse({"results": [{"group": {"queueId": queue}, "data": data}]})

    async def deployment_config(self, request: Request):
        dep = self.deployments.get(request.path_params["dep"])
        if dep is None:
            return JSONResponse({"message": "not found"}, status_code=404)
        return JSONResponse({"id": request.path_params["dep"], "version": "1", "status": dep["status"],
                             "messenger": {"enabled": True}},
                            headers={"Access-Control-Allow-Origin": "*"})

    async def socket(self, ws: WebSocket):
        dep = self.deployments.get(ws.query_params.get("deploymentId", ""))
        origin = ws.headers.get("origin")
        if dep is None or (origin and urlsplit(origin).hostname not in dep["allowedDomains"]):
            await ws.close()  # before accept: uvicorn answers the handshake with HTTP 403
            return
        await ws.accept()
        try:
            while True:
                frame = await ws.receive_json()
                if frame.get("action") == "configureSession":
                    await ws.send_json({"type": "response", "class": "SessionResponse", "code": 200,
                                        "body": {"connected": True, "newSession": True, "readOnly": False}})
                else:
                    await ws.send_json({"type": "response", "class": "string", "code": 400, "body": "unsupported"})
        except WebSocketDisconnect:
            pass


class ServerThread:
    """uvicorn on a free 127.0.0.1 port in a daemon thread."""

    def __init__(self, app):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        config = uvicorn.Config(app, log_level="warning", lifespan="off", ws="websockets-sansio")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self):
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("fake upstream did not start")
            time.sleep(0.02)
        return self

    def stop(self):
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.sock.close()


def refused_url() -> str:
    """A 127.0.0.1 URL nothing listens on (the port was just free)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return f"http://127.0.0.1:{port}"
