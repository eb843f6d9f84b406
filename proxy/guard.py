"""The proxy's front door: what a request must be before anything else looks at it.

One pure-ASGI middleware, in this order:
- a request id (`X-Request-Id` on the response) and one structured JSON log line per request
  (method, path without its query, status, time, client, request id: never a header, a query
  string or a body, so never a token or the secret);
- the Host allow-list (PROXY_ALLOWED_HOSTS): an unknown Host is refused (DNS rebinding);
- no request bodies (every route is GET or HEAD): 413, and 405 for other methods on /api; headers
  over 16 KB in all: 431;
- on /api/*: the Origin allow-list (PROXY_ALLOWED_ORIGINS) refuses a foreign or `null` Origin
  with 403 (a request without Origin, as a same-origin GET is, passes), and a per-client token
  bucket (PROXY_RATE_LIMIT, "120/minute" by default; counted in Redis across instances with
  REDIS_URL) answers 429 with Retry-After (/api/health is not counted).
"""

from __future__ import annotations

import json
import logging
import secrets
import time
from typing import Callable

access_log = logging.getLogger("proxy.access")
API_PREFIX = "/api/"
UNLIMITED = ("/api/health",)
MAX_HEADER_BYTES = 16 * 1024  # all headers of a request together (a browser sends a few hundred bytes)  # a load balancer's probe is not a client to slow down


class TokenBucket:
    """Per-key buckets of `capacity` tokens refilled at `rate` per second."""

    def __init__(self, capacity: float, rate: float, clock: Callable[[], float] = time.monotonic, max_keys: int = 10000):
        self.capacity = capacity
        self.rate = rate
        self.clock = clock
        self.max_keys = max_keys
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, last time)

    def take(self, key: str) -> float:
        """0 when allowed (a token taken), else the seconds until one is there."""
        now = self.clock()
        tokens, last = self._buckets.get(key, (self.capacity, now))
        tokens = min(self.capacity, tokens + (now - last) * self.rate)
        if tokens >= 1:
            if len(self._buckets) >= self.max_keys and key not in self._buckets:
                self._buckets.clear()  # a flood of new addresses: start over rather than grow without end
            self._buckets[key] = (tokens - 1, now)
            return 0.0
        self._buckets[key] = (tokens, now)
        return (1 - tokens) / self.rate


def parse_rate(text: str) -> tuple[float, float]:
    """"120/minute" -> (capacity 120, 2 per second); "10/second", "1000/hour"."""
    count, _, unit = (text or "120/minute").partition("/")
    seconds = {"second": 1, "minute": 60, "hour": 3600}.get(unit.strip() or "minute")
    if seconds is None or not count.strip().isdigit() or int(count) <= 0:
        raise ValueError(f"PROXY_RATE_LIMIT must look like 120/minute, not {text!r}")
    return float(count), int(count) / seconds


def _header(scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return value.decode("latin-1")
    return None


def _json_response(status: int, code: str, message: str, extra_headers=()):
    body = json.dumps({"error": {"code": code, "message": message}}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
               (b"cache-control", b"no-store")] + list(extra_headers)
    return status, headers, body


class FrontDoor:
    def __init__(self, app, allowed_hosts=(), allowed_origins=(), rate: str = "", clock=time.monotonic, shared=None):
        self.app = app
        self.allowed_hosts = tuple(h.lower() for h in allowed_hosts)
        self.allowed_origins = tuple(allowed_origins)
        capacity, per_second = parse_rate(rate)
        self.bucket = TokenBucket(capacity, per_second, clock)
        self.capacity = capacity
        self.window_s = max(1, int(round(capacity / per_second)))
        self.shared = shared  # proxy/shared.RedisShared: the limit counted across every instance

    def _host_ok(self, host: str | None) -> bool:
        if not self.allowed_hosts:
            return True
        if not host:
            return False
        name = host.lower()
        bare = name.rsplit(":", 1)[0] if not name.endswith("]") else name
        return name in self.allowed_hosts or bare in self.allowed_hosts

    async def _wait_for(self, client: str) -> float:
        """0 when the client may go on, else the seconds it should wait."""
        if self.shared is None:
            return self.bucket.take(client)
        count, left = await self.shared.count(client, self.window_s)
        return 0.0 if count <= self.capacity else max(left, 0.001)

    async def _refusal(self, scope):
        path = scope.get("path", "")
        if sum(len(k) + len(v) + 4 for k, v in scope.get("headers", [])) > MAX_HEADER_BYTES:
            return _json_response(431, "headers_too_large", "The request's headers are too large.")
        if not self._host_ok(_header(scope, b"host")):
            return _json_response(421, "unknown_host", "This server does not answer for that host name.")
        length = _header(scope, b"content-length")
        if (length and length.strip() not in ("", "0")) or _header(scope, b"transfer-encoding"):
            return _json_response(413, "body_not_allowed", "Requests to this server carry no body.")
        if not path.startswith(API_PREFIX):
            return None
        if scope.get("method") not in ("GET", "HEAD", "OPTIONS"):
            return _json_response(405, "method_not_allowed", "Only GET and HEAD are answered here.",
                                  [(b"allow", b"GET, HEAD")])
        origin = _header(scope, b"origin")
        if self.allowed_origins and origin is not None and origin.rstrip("/") not in self.allowed_origins:
            return _json_response(403, "origin_not_allowed", "This origin may not call this API.")
        if path in UNLIMITED:
            return None
        client = (scope.get("client") or ("?", 0))[0]
        wait = await self._wait_for(client)
        if wait:
            seconds = max(1, int(wait + 0.999))
            return _json_response(429, "rate_limited", "Too many requests; try again shortly.",
                                  [(b"retry-after", str(seconds).encode())])
        return None

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = time.monotonic()
        request_id = secrets.token_hex(8)
        status_seen = [0]

        async def tagged(message):
            if message["type"] == "http.response.start":
                status_seen[0] = message["status"]
                message = dict(message, headers=list(message.get("headers", [])) + [
                    (b"x-request-id", request_id.encode())])
            await send(message)

        try:
            refusal = await self._refusal(scope)
            if refusal is not None:
                status, headers, body = refusal
                await tagged({"type": "http.response.start", "status": status, "headers": headers})
                await tagged({"type": "http.response.body", "body": b"" if scope.get("method") == "HEAD" else body})
            else:
                await self.app(scope, receive, tagged)
        finally:
            access_log.info(json.dumps({
                "requestId": request_id, "method": scope.get("method"), "path": scope.get("path"),
                "status": status_seen[0], "ms": round((time.monotonic() - started) * 1000, 1),
                "client": (scope.get("client") or ("?", 0))[0]}))


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger and message (access lines are JSON already)."""

    def format(self, record):
        message = record.getMessage()
        try:
            fields = json.loads(message) if message.startswith("{") else {"message": message}
        except ValueError:
            fields = {"message": message}
        out = {"time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"), "level": record.levelname.lower(),
               "logger": record.name}
        out.update(fields)
        if record.exc_info:
            out["error"] = self.formatException(record.exc_info).splitlines()[-1]  # the last line, not the frames
        return json.dumps(out)
