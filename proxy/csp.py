"""The chat page's Content-Security-Policy: no 'unsafe-inline', no 'unsafe-eval'.

Both interpreters need only 'wasm-unsafe-eval' (to compile their WebAssembly); static/boot.js
drops the one PyScript hook that would otherwise call Function() (docs/security.md says why).
The page talks to the Genesys API (deployment config, history, attachments) and its Web
Messaging socket; those origins come from the page's own config.json and from the proxy's
Genesys settings (region or GENESYS_API_URL), and CHAT_CSP_CONNECT adds any others (an upload
host, say). Images may come from anywhere on https (agents and bots send card images and
attachments from their own hosts), never from http except the configured API.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

from .settings import Settings, region_domain

FIXED = {
    "default-src": ["'self'"],
    "script-src": ["'self'", "'wasm-unsafe-eval'"],
    "style-src": ["'self'"],
    "font-src": ["'self'"],
    "img-src": ["'self'", "data:", "blob:", "https:"],
    "media-src": ["'self'", "blob:", "https:"],
    "connect-src": ["'self'"],
    "worker-src": ["'self'"],
    "base-uri": ["'none'"],
    "object-src": ["'none'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'self'"],
}


def origin(url: str) -> str:
    """scheme://host[:port] of an absolute http(s)/ws(s) URL, else ""."""
    try:
        parts = urlsplit(url.strip())
    except (AttributeError, ValueError):
        return ""
    if parts.scheme not in ("http", "https", "ws", "wss") or not parts.hostname:
        return ""
    return f"{parts.scheme}://{parts.netloc.lower().rsplit('@', 1)[-1]}"


def _socket_twin(url: str) -> str:
    """ws://host for http://host (the emulator and a proxy-less region serve both on one host)."""
    o = origin(url)
    if o.startswith("http://"):
        return "ws://" + o[len("http://"):]
    if o.startswith("https://"):
        return "wss://" + o[len("https://"):]
    return ""


def page_origins(data: dict) -> list[str]:
    """Where the page's settings (config.json) send it: socket, API and CDN origins."""
    out = []
    region = data.get("region") if isinstance(data.get("region"), str) else ""
    if region.strip():
        domain = region_domain(region)
        out += [f"wss://webmessaging.{domain}", f"https://api.{domain}", f"https://api-cdn.{domain}"]
    for key in ("webMessagingUrl", "apiBaseUrl", "cdnBaseUrl"):
        value = data.get(key)
        if isinstance(value, str) and origin(value):
            out.append(origin(value))
    return out


def genesys_origins(settings: Settings) -> list[str]:
    out = []
    if settings.region:
        domain = region_domain(settings.region)
        out += [f"wss://webmessaging.{domain}", f"https://api.{domain}", f"https://api-cdn.{domain}"]
    if settings.api_url:
        out += [origin(settings.api_url), _socket_twin(settings.api_url)]
    return [o for o in out if o]


def read_page_settings(root: Path) -> dict:
    try:
        data = json.loads((Path(root) / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def policy(connect: list[str] = (), extra_images: list[str] = (), ancestors: list[str] = ()) -> str:
    directives = {name: list(values) for name, values in FIXED.items()}
    for value in ancestors:  # the host sites that may frame the chat (its embed.hosts)
        if value and value not in directives["frame-ancestors"]:
            directives["frame-ancestors"].append(value)
    for value in connect:
        if value and value not in directives["connect-src"]:
            directives["connect-src"].append(value)
    for value in extra_images:
        # http images only from the API itself (the emulator's, in development)
        if value.startswith("http://") and value not in directives["img-src"]:
            directives["img-src"].append(value)
    return "; ".join(name + " " + " ".join(values) for name, values in directives.items())


def embed_hosts(data: dict) -> list[str]:
    hosts = (data.get("embed") or {}).get("hosts") if isinstance(data.get("embed"), dict) else None
    return [origin(h) for h in hosts if isinstance(h, str) and origin(h).startswith("http")] if isinstance(
        hosts, list) else []


def page_policy(root: Path, settings: Settings, extra: str = "", ancestors: str = "") -> str:
    """The policy the proxy sends with the page it serves. `ancestors`: more origins that may frame
    the chat besides its config.json's embed.hosts (CHAT_FRAME_ANCESTORS)."""
    data = read_page_settings(root)
    connect = page_origins(data) + genesys_origins(settings)
    connect += [o for o in (origin(x) for x in extra.split()) if o]
    framers = embed_hosts(data) + [o for o in (origin(x) for x in ancestors.split()) if o]
    return policy(connect, connect, framers)
