"""Faults a test can switch on through the control API: delayed, reordered, refused and dropped
traffic. Nothing here does I/O; the socket's writer (`connection.py`), the request handler
(`socket.py`) and an HTTP middleware (`RestFaults`) ask these tables what to do.

A fault names a session token or none; a token's own fault wins over the global one, so a
test can slow one guest while the others run normally.
"""
import random

from .rest import platform_error

REORDER_RELEASE_SECONDS = 0.3  # a group that never fills is sent anyway, so nothing stalls


class Reorder:
    def __init__(self, window, seed):
        self.window = window
        self.rng = random.Random(seed)


class Faults:
    def __init__(self):
        self.clear()

    def clear(self):
        self.delays = {}  # token|None -> {"ms", "count"} (count None = until cleared)
        self.reorders = {}  # token|None -> Reorder
        self.injects = []  # socket faults, oldest first: {"token", "action", "code", "count", ...}
        self.http = []  # REST faults: {"path", "status", "count", "method"}
        self.drop_every = {}  # token|None -> frames

    def describe(self):
        return {
            "delay": [{"token": t} | d for t, d in self.delays.items()],
            "reorder": [{"token": t, "window": r.window} for t, r in self.reorders.items()],
            "inject": [dict(f) for f in self.injects] + [dict(f) for f in self.http],
            "dropEvery": [{"token": t, "frames": n} for t, n in self.drop_every.items()],
        }

    @staticmethod
    def _pick(table, token):
        if token is not None and token in table:
            return token
        return None if None in table else False

    def take_delay(self, token):
        """Seconds to hold the next outgoing frame of `token` (0 when no delay applies)."""
        key = self._pick(self.delays, token)
        if key is False:
            return 0.0
        fault = self.delays[key]
        if fault["count"] is not None:
            fault["count"] -= 1
            if fault["count"] <= 0:
                del self.delays[key]
        return fault["ms"] / 1000.0

    def reorder_for(self, token):
        key = self._pick(self.reorders, token)
        return None if key is False else self.reorders[key]

    def drop_every_for(self, token):
        key = self._pick(self.drop_every, token)
        return None if key is False else self.drop_every[key]

    def take_socket(self, token, action):
        for fault in self.injects:
            if fault["token"] not in (None, token) or fault["action"] not in (None, action):
                continue
            fault["count"] -= 1
            if fault["count"] <= 0:
                self.injects.remove(fault)
            return fault
        return None

    def take_http(self, method, path):
        for fault in self.http:
            wanted = fault["path"]
            matches = path.startswith(wanted[:-1]) if wanted.endswith("*") else path == wanted
            if not matches or fault["method"] not in (None, method):
                continue
            fault["count"] -= 1
            if fault["count"] <= 0:
                self.http.remove(fault)
            return fault
        return None


# -- request bodies of the control API (validated here so control.py stays a thin router) -----

def _int(body, key, default=None, minimum=0):
    value = body.get(key, default)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise ValueError("%s must be an integer >= %d" % (key, minimum))
    return value


def _token(body):
    token = body.get("token")
    if token is not None and (not isinstance(token, str) or not token):
        raise ValueError("token must be a non-empty string")
    return token


def add_delay(faults, body):
    token, ms, count = _token(body), _int(body, "ms"), _int(body, "count", minimum=1)
    if ms is None:
        raise ValueError("ms (an integer) is required")
    faults.delays[token] = {"ms": ms, "count": count}


def add_reorder(faults, body):
    token, window = _token(body), _int(body, "window", minimum=2)
    if window is None:
        raise ValueError("window (an integer >= 2) is required")
    seed = body.get("seed")
    if seed is not None and (not isinstance(seed, int) or isinstance(seed, bool)):
        raise ValueError("seed must be an integer")
    faults.reorders[token] = Reorder(window, seed)


def add_inject(faults, body):
    count = _int(body, "count", minimum=1)
    if count is None:
        raise ValueError("count (an integer >= 1) is required")
    if "path" in body:
        path, status, method = body["path"], _int(body, "status", minimum=100), body.get("method")
        if not isinstance(path, str) or not path.startswith("/") or path.startswith("/_emulator/"):
            raise ValueError("path must be an emulated path starting with /")
        if status is None or status > 599:
            raise ValueError("status (an HTTP status) is required")
        if method is not None and not isinstance(method, str):
            raise ValueError("method must be a string")
        faults.http.append({"path": path, "status": status, "count": count,
                            "method": method.upper() if method else None,
                            "retryAfter": _int(body, "retryAfter", 1, minimum=0)})
        return
    code = _int(body, "code", minimum=1)
    if code is None:
        raise ValueError("code (an integer) or path is required")
    action, text = body.get("action"), body.get("body")
    if action is not None and not isinstance(action, str):
        raise ValueError("action must be a string")
    if text is not None and not isinstance(text, str):
        raise ValueError("body must be a string")
    faults.injects.append({"token": _token(body), "action": action, "code": code, "count": count,
                           "retryAfter": _int(body, "retryAfter", 1, minimum=0),
                           "body": text if text is not None else "Injected fault (%d)." % code})


def add_drop_every(faults, body):
    token, frames = _token(body), _int(body, "frames", minimum=1)
    if frames is None:
        raise ValueError("frames (an integer >= 1) is required")
    faults.drop_every[token] = frames


_HTTP_CODES = {401: "bad.credentials", 403: "forbidden", 404: "not.found", 429: "too.many.requests",
               500: "internal.server.error", 503: "service.unavailable"}


class RestFaults:
    """ASGI middleware: answers the next matching REST calls with an injected error, before the
    route runs (CORS stays outside it, so a browser still sees the error).

    For sockets it keeps the server's own `send` in the scope: Starlette wraps it in closures
    by the time the endpoint runs, and an abortive drop needs the protocol object behind it."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] == "websocket":
            scope["emulator.protocol"] = getattr(send, "__self__", None)
        if scope["type"] == "http" and scope["method"] != "OPTIONS":
            region = scope["app"].state.region if "app" in scope else None
            fault = region.faults.take_http(scope["method"], scope["path"]) if region else None
            if fault:
                status = fault["status"]
                response = platform_error(status, _HTTP_CODES.get(status, "error"), "Injected fault (%d)." % status)
                if status == 429:
                    response.headers["Retry-After"] = str(fault["retryAfter"])
                return await response(scope, receive, send)
        return await self.app(scope, receive, send)
