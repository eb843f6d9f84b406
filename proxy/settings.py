"""Proxy settings: environment variables, with a git-ignored `.env` as fallback, read and checked
at start by pydantic-settings (a wrong setting stops the process with one line per problem)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping
from urllib.parse import urlsplit

from pydantic import ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

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


class SettingsInvalid(ValueError):
    """Settings that cannot be used: one plain line per wrong setting (the process exits on it)."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def _url(value: str, name: str, schemes=("http", "https")) -> str:
    value = value.strip()
    if value and (urlsplit(value).scheme not in schemes or not urlsplit(value).hostname):
        raise ValueError(f"{name} must be a {' or '.join(s + '://' for s in schemes)} URL, not {value!r}")
    return value


class Environment(BaseSettings):
    """The proxy's settings as read and checked by pydantic-settings: the environment (passed in)
    over the `.env` file. Each validator says what is wrong in words a site owner can act on."""

    model_config = SettingsConfigDict(extra="ignore", env_file_encoding="utf-8")

    GENESYS_CLIENT_ID: str = ""
    GENESYS_CLIENT_SECRET: str = ""
    GENESYS_QUEUE_ID: str = ""
    GENESYS_REGION: str = ""
    GENESYS_LOGIN_URL: str = ""
    GENESYS_API_URL: str = ""
    PROXY_ALLOWED_ORIGINS: str = ""
    GENESYS_SCHEDULE_GROUP_ID: str = ""
    CONTEXT_CACHE_SECONDS: str = ""
    PROXY_ALLOWED_HOSTS: str = ""
    PROXY_RATE_LIMIT: str = ""
    REDIS_URL: str = ""

    @classmethod
    def settings_customise_sources(cls, settings_cls, init_settings, env_settings, dotenv_settings,
                                   file_secret_settings):
        return (init_settings, dotenv_settings)  # the environment arrives as init values (tests pass their own)

    @field_validator("GENESYS_LOGIN_URL", "GENESYS_API_URL")
    @classmethod
    def _http(cls, value, info):
        return _url(value, info.field_name)

    @field_validator("REDIS_URL")
    @classmethod
    def _redis(cls, value):
        return _url(value, "REDIS_URL", ("redis", "rediss", "unix"))

    @field_validator("GENESYS_REGION")
    @classmethod
    def _region(cls, value):
        domain = region_domain(value) if value.strip() else ""
        if value.strip() and ("." not in domain or " " in domain):
            raise ValueError(f"GENESYS_REGION must be your region's domain, like mypurecloud.ie, not {value!r}")
        return value.strip()

    @field_validator("PROXY_ALLOWED_ORIGINS")
    @classmethod
    def _origins(cls, value):
        for origin in [o.strip().rstrip("/") for o in value.split(",") if o.strip()]:
            parts = urlsplit(origin)
            if parts.scheme not in ("http", "https") or not parts.hostname or parts.path or parts.query:
                raise ValueError(f"PROXY_ALLOWED_ORIGINS holds {origin!r}: each must be an origin like "
                                 "https://www.example.com (no path)")
        return value

    @field_validator("CONTEXT_CACHE_SECONDS")
    @classmethod
    def _cache(cls, value):
        if value.strip():
            try:
                seconds = float(value)
            except ValueError:
                seconds = -1
            if not 0 <= seconds <= 3600:
                raise ValueError(f"CONTEXT_CACHE_SECONDS must be a number of seconds from 0 to 3600, not {value!r}")
        return value

    @field_validator("PROXY_RATE_LIMIT")
    @classmethod
    def _rate(cls, value):
        if value.strip():
            from .guard import parse_rate

            parse_rate(value.strip())  # its ValueError says what is wanted
        return value


def load_settings(root: Path | str | None = None, environ: Mapping[str, str] | None = None) -> Settings:
    """Environment wins over `.env` so deployments never need a file on disk. Raises SettingsInvalid."""
    root = Path(root) if root is not None else REPO_ROOT
    environ = os.environ if environ is None else environ
    env_file = root / ".env"
    given = {key: environ[key] for key in KEYS if environ.get(key) is not None}
    try:
        env = Environment(_env_file=str(env_file) if env_file.is_file() else None, **given)
    except ValidationError as exc:
        raise SettingsInvalid([str(e["msg"]).removeprefix("Value error, ") for e in exc.errors()]) from None
    values = env.model_dump()
    origins = tuple(o.strip().rstrip("/") for o in values["PROXY_ALLOWED_ORIGINS"].split(",") if o.strip())
    return Settings(
        client_id=values["GENESYS_CLIENT_ID"].strip(),
        client_secret=values["GENESYS_CLIENT_SECRET"].strip(),
        queue_id=values["GENESYS_QUEUE_ID"].strip(),
        region=values["GENESYS_REGION"].strip(),
        login_url=values["GENESYS_LOGIN_URL"].strip(),
        api_url=values["GENESYS_API_URL"].strip(),
        allowed_origins=origins,
        schedule_group_id=values["GENESYS_SCHEDULE_GROUP_ID"].strip(),
        cache_seconds=_seconds(values["CONTEXT_CACHE_SECONDS"], 10.0),
        allowed_hosts=tuple(h.strip().lower() for h in values["PROXY_ALLOWED_HOSTS"].split(",") if h.strip()),
        rate_limit=values["PROXY_RATE_LIMIT"].strip() or "120/minute",
        redis_url=values["REDIS_URL"].strip(),
    )


def _seconds(text: str, default: float) -> float:
    try:
        value = float(text)
    except ValueError:
        return default
    return value if 0 <= value <= 3600 else default
