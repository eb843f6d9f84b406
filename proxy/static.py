"""Development static server for the page, and nothing else in the repository.

The root also holds `.env` (the client secret), the proxy and emulator code,
tests and `node_modules`, so this is an allow-list, not a deny-list.
"""

from __future__ import annotations

import hashlib
import os
import threading
from email.utils import formatdate, parsedate
from pathlib import Path

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.staticfiles import NotModifiedResponse

from . import compress, pack

# Explicit, because the system mime map varies: Pyodide silently never starts
# if .wasm arrives as octet-stream, and module scripts need a JS type.
MIME_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".wasm": "application/wasm",
    ".json": "application/json",
    ".py": "text/plain; charset=utf-8",
    ".toml": "text/plain; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".map": "application/json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".ico": "image/x-icon",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
    ".zip": "application/zip",
    ".whl": "application/zip",
    ".tar": "application/x-tar",
}

# App files change while developing: make the browser revalidate every time
# (answered by 304 thanks to ETag/Last-Modified). The runtime is pinned by
# version: a week of caching with `immutable` means a warm load (and a reload)
# neither downloads nor asks about ~1.2 MB (MicroPython) or ~14 MB (Pyodide);
# after the week, a 304 renews it. Everything text-like is sent gzipped
# (proxy/compress.py) with `Vary: Accept-Encoding`.
APP_CACHE = "no-cache"
RUNTIME_CACHE = "public, max-age=604800, immutable"
RUNTIME_PREFIX = ("static", "pyscript")

ALLOWED_DIRS = ("app", "static", "custom")  # custom/: the team's own modules and stylesheets
PAGE_FILES = ("index.html", "config.json", "pyscript.toml", "pyscript.pyodide.toml")

# The app is ~30 small files fetched at once at start-up; streaming each through a worker
# thread cost ~5 ms a file here (150 ms of a cold start). Files up to this size are read in
# one go and answered from the event loop; larger ones (the runtime's wasm) still stream.
SMALL_FILE = 256 * 1024


def allowed(parts: tuple[str, ...]) -> bool:
    """Whether a URL path (already split and checked for dot segments) is part of the page."""
    if not parts:
        return False
    if len(parts) == 1:
        # The page's own files by name, not by pattern: a stray credentials.json or secrets.toml
        # beside index.html is never served.
        return parts[0] in PAGE_FILES
    return parts[0] in ALLOWED_DIRS


def split_path(path: str) -> tuple[str, ...] | None:
    """URL path → segments, or None if it could escape or name hidden files."""
    if "\x00" in path or "\\" in path:
        return None
    parts = tuple(p for p in path.split("/") if p)
    for p in parts:
        # Dot segments and dotfiles (.env, .git, .venv) are never served.
        if p.startswith(".") or ":" in p:
            return None
    return parts


class PageFiles:
    def __init__(self, root: Path | str, csp: str = ""):
        self.root = Path(root).resolve()
        self.csp = csp  # the page's Content-Security-Policy (proxy/csp.py), sent with its HTML
        if (self.root / "app").is_dir():
            # Compiles the app to bytecode now (~150 ms) rather than in the first visitor's start.
            threading.Thread(target=_warm_pack, args=(self.root,), daemon=True).start()

    def resolve(self, url_path: str) -> Path | None:
        parts = split_path(url_path)
        if parts is None:
            return None
        if not parts:
            parts = ("index.html",)
        if not allowed(parts):
            return None
        candidate = self.root.joinpath(*parts)
        try:
            real = candidate.resolve(strict=True)
        except (OSError, RuntimeError):
            return None
        # A symlink may point anywhere inside the root (e.g. static/pyscript →
        # node_modules), but never outside it.
        if real != self.root and self.root not in real.parents:
            return None
        if not real.is_file():
            return None
        return real

    async def __call__(self, request: Request) -> Response:
        if request.method not in ("GET", "HEAD"):
            return PlainTextResponse("Method Not Allowed", status_code=405, headers={"Allow": "GET, HEAD"})
        path = request.url.path
        for flavour, target in pack.TARGETS.items():
            if split_path(path) == target:
                return self._pack(request, flavour)
        file = self.resolve(path)
        if file is None:
            return PlainTextResponse("Not Found", status_code=404, headers={"Cache-Control": "no-store"})
        parts = split_path(path) or ("index.html",)
        cache = RUNTIME_CACHE if parts[: len(RUNTIME_PREFIX)] == RUNTIME_PREFIX else APP_CACHE
        media_type = MIME_TYPES.get(file.suffix.lower(), "application/octet-stream")
        stat = os.stat(file)
        headers = {"Cache-Control": cache, "X-Content-Type-Options": "nosniff"}
        if file.suffix.lower() == ".html" and self.csp:
            headers["Content-Security-Policy"] = self.csp
        squeeze = compress.worth_it(file, stat.st_size)
        if squeeze:
            headers["Vary"] = "Accept-Encoding"
        headers.update(_validators(stat))
        if _not_modified(Headers(headers), request.headers):
            return NotModifiedResponse(Headers(headers))
        if squeeze and compress.accepts_gzip(request.headers.get("accept-encoding")):
            body = await compress.gzipped_file(file, stat.st_mtime_ns, stat.st_size)
            return _gzip_response(request, body, media_type, headers)
        if stat.st_size > SMALL_FILE:
            return FileResponse(file, stat_result=stat, media_type=media_type, headers=headers)
        body = b"" if request.method == "HEAD" else file.read_bytes()
        response = Response(body, media_type=media_type, headers=headers)
        if request.method == "HEAD":
            response.headers["content-length"] = str(stat.st_size)
        return response

    def _pack(self, request: Request, flavour: str) -> Response:
        # Built from app/ on every request (a few ms; each module is compiled to bytecode once per
        # change), so an edit shows on the next reload without `make pack`; whatever the packs on
        # disk hold is ignored here.
        body = pack.build(self.root, flavour)
        headers = {"Cache-Control": APP_CACHE, "X-Content-Type-Options": "nosniff", "Vary": "Accept-Encoding",
                   "etag": '"%s"' % hashlib.sha256(body).hexdigest()[:32]}
        if _not_modified(Headers(headers), request.headers):
            return NotModifiedResponse(Headers(headers))
        if len(body) >= compress.MIN_BYTES and compress.accepts_gzip(request.headers.get("accept-encoding")):
            return _gzip_response(request, compress.gzipped_body(headers["etag"], body),
                                  "application/octet-stream", headers)
        response = Response(b"" if request.method == "HEAD" else body, media_type="application/octet-stream",
                            headers=headers)
        response.headers["content-length"] = str(len(body))
        return response


def _gzip_response(request: Request, body: bytes, media_type: str, headers: dict[str, str]) -> Response:
    """The gzip representation: its own ETag (a validator names one representation's bytes)."""
    headers = dict(headers, **{"content-encoding": "gzip"})
    headers["etag"] = headers["etag"][:-1] + '-gz"'
    response = Response(b"" if request.method == "HEAD" else body, media_type=media_type, headers=headers)
    response.headers["content-length"] = str(len(body))
    return response


def _warm_pack(root: Path) -> None:
    try:
        pack.build(root, "bytecode")
    except Exception:  # noqa: BLE001  (a syntax error shows on the first request instead)
        pass


def _validators(stat: os.stat_result) -> dict[str, str]:
    # The same ETag and Last-Modified as Starlette's FileResponse gives the large files.
    tag = hashlib.md5(f"{stat.st_mtime}-{stat.st_size}".encode(), usedforsecurity=False).hexdigest()
    return {"etag": f'"{tag}"', "last-modified": formatdate(stat.st_mtime, usegmt=True)}


def _not_modified(response_headers: Headers, request_headers: Headers) -> bool:
    # Same rules as Starlette's StaticFiles (which we cannot mount: it would
    # serve the whole root): If-None-Match wins over If-Modified-Since.
    if_none_match = request_headers.get("if-none-match")
    if if_none_match:
        if if_none_match.strip() == "*":
            return True
        tags = [tag.strip().removeprefix("W/") for tag in if_none_match.split(",")]
        tag = response_headers.get("etag") or ""
        # Either representation (identity or gzip: same file version) is still valid.
        return tag in tags or (tag[:-1] + '-gz"') in tags
    since = parsedate(request_headers.get("if-modified-since") or "")
    modified = parsedate(response_headers.get("last-modified") or "")
    return since is not None and modified is not None and since >= modified
