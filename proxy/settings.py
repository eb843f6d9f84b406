"""Proxy settings: environment variables, with a git-ignored `.env` as fallback."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

REPO_ROOT = Path(__file__).resolve().parent.parent

KEYS = (
    "GENESYS_CLIENT_ID",
    "GENESYS_CLIENT_SECRET",
    "GENESYS_QUEUE_ID",
    "GENESYS_REGION",
    "GENESYS_LOGIN_URL",
    "GENESYS_API_URL",
    "PROXY_ALLOWED_ORIGINS",
    "GENESYS_SCHEDULE_GROUP_ID",
    "CONTEXT_CACHE_SECONDS",
    "PROXY_ALLOWED_HOSTS",
    "PROXY_RATE_LIMIT",
    "REDIS_URL",
)


def parse_dotenv(text: str) -> dict[str, str]:
    """Simple KEY=VALUE lines; `#` comments, optional `export ` and quotes.

    Deliberately no interpolation or multi-line values: the file holds a few
    ids and one secret, and a surprising parser is worse than a strict one.
    """
    values: dict[str, str] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        key = key.strip()
        if key.startswith("export "):
            key = key[len("export "):].strip()
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        elif " #" in value:
            value = value.split(" #", 1)[0].rstrip()
        if key:
            values[key] = value
    return values


def mask(secret: str | None) -> str:
    """What may be printed instead of a secret: only whether it is set."""
    if not secret:
        return "(not set)"
    return "****** (set, hidden)"


@dataclass(frozen=True)
class Settings:
    client_id: str = ""
    # repr=False so a settings object in a log line or traceback cannot leak it.
    client_secret: str = field(default="", repr=False)
    queue_id: str = ""
    region: str = ""
    login_url: str = ""
    api_url: str = ""
    allowed_origins: tuple[str, ...] = ()
    schedule_group_id: str = ""  # the Architect schedule group whose open hours /api/context reports
    cache_seconds: float = 10.0  # how long each part of /api/context is shared between callers
    allowed_hosts: tuple[str, ...] = ()  # Host names this server answers for (empty: any)
    rate_limit: str = "120/minute"  # per client, on /api/*
    redis_url: str = ""  # shared token, caches and limits for several instances (proxy/shared.py)

    @property
    def login_base(self) -> str:
        if self.login_url:
            return self.login_url.rstrip("/")
        if self.region:
            return f"https://login.{region_domain(self.region)}"
        return ""

    @property
    def api_base(self) -> str:
        if self.api_url:
            return self.api_url.rstrip("/")
        if self.region:
            return f"https://api.{region_domain(self.region)}"
        return ""

    @property
    def has_credentials(self) -> bool:
        return bool(self.client_id and self.client_secret)

    def missing(self, need_queue: bool = True, need_api: bool = True) -> list[str]:
        """Names of the variables still needed (for `/api/context` by default)."""
        out = []
        if not self.client_id:
            out.append("GENESYS_CLIENT_ID")
        if not self.client_secret:
            out.append("GENESYS_CLIENT_SECRET")
        if need_queue and not self.queue_id:
            out.append("GENESYS_QUEUE_ID")
        no_login = not self.login_base
        no_api = need_api and not self.api_base
        if no_login and no_api:
            out.append("GENESYS_REGION (or GENESYS_LOGIN_URL and GENESYS_API_URL)")
        elif no_login:
            out.append("GENESYS_LOGIN_URL (or GENESYS_REGION)")
        elif no_api:
            out.append("GENESYS_API_URL (or GENESYS_REGION)")
        return out

    def describe(self) -> dict[str, str]:
        """Printable view (the secret masked)."""
        return {
            "GENESYS_CLIENT_ID": self.client_id or "(not set)",
            "GENESYS_CLIENT_SECRET": mask(self.client_secret),
            "GENESYS_QUEUE_ID": self.queue_id or "(not set)",
            "login": self.login_base or "(not set)",
            "api": self.api_base or "(not set)",
        }


def region_domain(region: str) -> str:
    # Accept "mypurecloud.ie" as documented, and forgive a pasted URL or host.
    d = region.strip().lower()
    for prefix in ("https://", "http://", "wss://"):
        if d.startswith(prefix):
            d = d[len(prefix):]
    d = d.split("/", 1)[0]
    for host in ("api.", "login.", "webmessaging.", "api-cdn.", "apps."):
        if d.startswith(host):
            d = d[len(host):]
    return d


def load_settings(root: Path | str | None = None, environ: Mapping[str, str] | None = None) -> Settings:
    """Environment wins over `.env` so deployments never need a file on disk."""
    root = Path(root) if root is not None else REPO_ROOT
    environ = os.environ if environ is None else environ
    values: dict[str, str] = {}
    env_file = root / ".env"
    if env_file.is_file():
        values.update(parse_dotenv(env_file.read_text(encoding="utf-8", errors="replace")))
    for key in KEYS:
        if environ.get(key) is not None:
            values[key] = environ[key]
    origins = tuple(o.strip().rstrip("/") for o in values.get("PROXY_ALLOWED_ORIGINS", "").split(",") if o.strip())
    return Settings(
        client_id=values.get("GENESYS_CLIENT_ID", "").strip(),
        client_secret=values.get("GENESYS_CLIENT_SECRET", "").strip(),
        queue_id=values.get("GENESYS_QUEUE_ID", "").strip(),
        region=values.get("GENESYS_REGION", "").strip(),
        login_url=values.get("GENESYS_LOGIN_URL", "").strip(),
        api_url=values.get("GENESYS_API_URL", "").strip(),
        allowed_origins=origins,
        schedule_group_id=values.get("GENESYS_SCHEDULE_GROUP_ID", "").strip(),
        cache_seconds=_seconds(values.get("CONTEXT_CACHE_SECONDS", ""), 10.0),
        allowed_hosts=tuple(h.strip().lower() for h in values.get("PROXY_ALLOWED_HOSTS", "").split(",") if h.strip()),
        rate_limit=values.get("PROXY_RATE_LIMIT", "").strip() or "120/minute",
        redis_url=values.get("REDIS_URL", "").strip(),
    )


def _seconds(text: str, default: float) -> float:
    try:
        value = float(text)
    except ValueError:
        return default
    return value if 0 <= value <= 3600 else default
