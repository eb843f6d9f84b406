"""`doctor`: walk the path a chat takes, one hop at a time, and say what is wrong.

Every check returns a `Check`; nothing here prints, so the CLI and the tests
read the same structured results. `format_report` draws them as a table and
`Report.as_json` gives the same for scripts.

The page's settings file is read with the page's own rules (`app.chat.settings`:
`parse`, `socket_url`, `deployment_config_url`, `context_url`), so the doctor
checks exactly the URLs the page will use, `cdnBaseUrl` included.
"""

from __future__ import annotations

import asyncio
import json
import sys
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import websockets
from websockets.asyncio.client import connect as ws_connect
from websockets.exceptions import InvalidHandshake, InvalidStatus, InvalidURI

from . import explain as explain_mod
from . import hours as hours_mod
from .genesys import GenesysClient, GenesysError
from .settings import REPO_ROOT, Settings, mask

try:
    from app.chat import settings as page_rules
except ImportError:  # run from elsewhere than the checkout's root: the page's code is beside proxy/
    sys.path.insert(0, str(REPO_ROOT))
    from app.chat import settings as page_rules

PASS, FAIL, WARN, SKIP = "pass", "fail", "warn", "skip"
SYMBOLS = {PASS: "✔", FAIL: "✘", WARN: "!", SKIP: "–"}
LABELS = {PASS: "pass", FAIL: "FAIL", WARN: "warn", SKIP: "skip"}
DEFAULT_ORIGIN = "http://127.0.0.1:8765"

# What a cause of a handshake 403 turned out to be.
CONFIRMED, RULED_OUT, UNKNOWN = "confirmed", "ruled_out", "unknown"
CAUSE_LABELS = {CONFIRMED: "CAUSE", RULED_OUT: "ruled out", UNKNOWN: "cannot tell"}
MESSENGER_ADMIN = "Admin > Message > Messenger Deployments"


@dataclass
class Cause:
    """One possible reason for a failure, and what the doctor could find out about it."""
    key: str
    title: str
    status: str          # CONFIRMED, RULED_OUT or UNKNOWN
    evidence: str        # what was seen (or why it cannot be seen from here)
    how_to_check: str    # where to look in Genesys Cloud

    def as_json(self) -> dict:
        return {"key": self.key, "title": self.title, "status": self.status, "evidence": self.evidence,
                "howToCheck": self.how_to_check}


@dataclass
class Check:
    key: str
    title: str
    status: str
    detail: str
    fix: str = ""
    # Optional checks (the proxy's extras) may fail without failing the run:
    # the chat works without them.
    required: bool = True
    causes: list[Cause] = field(default_factory=list)
    data: dict = field(default_factory=dict, repr=False)  # what later checks need (HTTP status, ...)

    @property
    def failed(self) -> bool:
        return self.status == FAIL and self.required

    def as_json(self) -> dict:
        out = {"key": self.key, "title": self.title, "status": self.status, "required": self.required,
               "detail": self.detail, "fix": self.fix}
        if self.causes:
            out["causes"] = [c.as_json() for c in self.causes]
        return out


@dataclass
class PageConfig:
    """The page's settings (app.chat.settings.Settings) and the URLs the page derives from them."""
    page: tuple
    raw: dict = field(default_factory=dict)

    @property
    def deployment_id(self) -> str:
        return self.page.deployment_id

    @property
    def socket_url(self) -> str:  # webMessagingUrl as the page normalises it (no deploymentId yet)
        return self.page.web_messaging_url

    @property
    def api_base(self) -> str:
        return self.page.api_base_url

    @property
    def cdn_base(self) -> str:
        return self.page.cdn_base_url

    @property
    def proxy_url(self) -> str | None:
        return self.page.proxy_url

    @property
    def socket(self) -> str:
        return page_rules.socket_url(self.page)

    @property
    def deployment_config_url(self) -> str:
        return page_rules.deployment_config_url(self.page)

    @property
    def context_url(self) -> str | None:
        return page_rules.context_url(self.page)

    def as_json(self) -> dict:
        return {"deploymentId": self.deployment_id, "socketUrl": self.socket, "apiBaseUrl": self.api_base,
                "deploymentConfigUrl": self.deployment_config_url, "contextUrl": self.context_url}


@dataclass
class Report:
    checks: list[Check]
    page: PageConfig | None = None
    origin: str = ""
    config_path: str = ""

    @property
    def ok(self) -> bool:
        return not any(c.failed for c in self.checks)

    @property
    def exit_code(self) -> int:
        return 0 if self.ok else 1

    def by_key(self, key: str) -> Check:
        return next(c for c in self.checks if c.key == key)

    def summary(self) -> str:
        failed = [c for c in self.checks if c.failed]
        if not failed:
            return "All required checks passed."
        return f"{len(failed)} required check(s) failed: " + ", ".join(c.title for c in failed) + "."

    def as_json(self, secret: str = "") -> dict:
        body = {"ok": self.ok, "exitCode": self.exit_code, "origin": self.origin, "settingsFile": self.config_path,
                "page": self.page.as_json() if self.page else None,
                "checks": [c.as_json() for c in self.checks],
                "failed": [c.key for c in self.checks if c.failed], "summary": self.summary()}
        return _masked(body, secret)


def _masked(value, secret: str):
    if not secret:
        return value
    if isinstance(value, str):
        return value.replace(secret, "******")
    if isinstance(value, dict):
        return {k: _masked(v, secret) for k, v in value.items()}
    if isinstance(value, list):
        return [_masked(v, secret) for v in value]
    return value


# -- page settings -------------------------------------------------------------


def genesys_domain(url: str) -> str | None:
    """'wss://webmessaging.mypurecloud.ie/v1' -> 'mypurecloud.ie'; None for a host that is not a
    Genesys region host (the emulator, a CDN of one's own)."""
    host = (urlsplit(url).hostname or "").lower()
    for prefix in ("webmessaging.", "api-cdn.", "api.", "login.", "streaming.", "apps."):
        if host.startswith(prefix) and "." in host[len(prefix):]:
            return host[len(prefix):]
    return None


def load_page_config(path: Path, origin: str = DEFAULT_ORIGIN) -> tuple[PageConfig | None, Check]:
    """Read the settings file as the page does: app.chat.settings.parse on the page's URL
    (`origin`/), so `"proxyUrl": ""`, `cdnBaseUrl`, `region` and every other rule match the page."""
    title = "Page settings file"
    fix_shape = ('It should look like {"deploymentId": "<uuid>", "region": "mypurecloud.ie"}, or name the hosts: '
                 '{"deploymentId": "<uuid>", "webMessagingUrl": "wss://webmessaging.<region>/v1", '
                 '"apiBaseUrl": "https://api.<region>"} (plus "cdnBaseUrl" if the deployment config is elsewhere).')
    path = Path(path)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None, Check("settings_file", title, FAIL, f"{path} does not exist.",
                           f"Create it beside index.html, or pass --config. {fix_shape}")
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        return None, Check("settings_file", title, FAIL, f"{path} is not valid JSON ({exc}).",
                           "Fix the syntax (no comments or trailing commas in JSON). " + fix_shape)
    page_url = origin.rstrip("/") + "/"
    try:
        page = page_rules.parse(raw, page_url)
    except page_rules.SettingsError as exc:
        if "deploymentId" in exc.detail:
            fix = ("Copy the deployment id from " + MESSENGER_ADMIN + " in Genesys Cloud (it is also the "
                   "deploymentId of the deployment's snippet). " + fix_shape)
        elif any(word in exc.detail for word in ("webMessagingUrl", "apiBaseUrl", "region")):
            fix = fix_shape
        else:
            fix = "See docs/customising.md for that setting."
        return None, Check("settings_file", title, FAIL,
                           f"{path.name}: {exc.detail}. The page refuses this file too.", fix)
    except (AttributeError, TypeError, ValueError) as exc:  # a value of a shape the page's code trips over
        return None, Check("settings_file", title, FAIL,
                           f"{path.name} has a value the page cannot use ({type(exc).__name__}: {exc}).",
                           "Each URL setting must be a string. " + fix_shape)
    cfg = PageConfig(page, raw)
    warns, fixes = [], []
    try:
        uuid.UUID(cfg.deployment_id)
    except ValueError:
        warns.append("the deployment id does not look like a UUID; check for a stray character")
        fixes.append("Copy the id again from Messenger Deployments.")
    socket_d, config_d, api_d = (genesys_domain(u) for u in (cfg.socket_url, cfg.cdn_base, cfg.api_base))
    other = next((d for d in (config_d, api_d) if d and socket_d and d != socket_d), None)
    if other:
        warns.append(f"the socket is in region {socket_d} but the API or config CDN is in {other}")
        fixes.append("Use one region for every URL; the simplest is \"region\" alone, which makes the page "
                     "derive all of them.")
    cdn = "" if cfg.cdn_base == cfg.api_base else f"; config CDN {cfg.cdn_base}"
    detail = f"{path.name}: deployment {cfg.deployment_id}; socket {cfg.socket_url}; API {cfg.api_base}{cdn}."
    if warns:
        detail += " But " + "; and ".join(warns) + "."
    return cfg, Check("settings_file", title, WARN if warns else PASS, detail, " ".join(fixes))


# -- hops ----------------------------------------------------------------------


async def check_api_host(http: httpx.AsyncClient, api: str) -> Check:
    title = "Genesys API host answers"
    try:
        resp = await http.get(api + "/")
    except httpx.HTTPError as exc:
        return Check("api_host", title, FAIL, f"{api} did not answer ({_why(exc)}).",
                     "Check the region (\"region\" or \"apiBaseUrl\" in the settings file) and this machine's network; "
                     "for the emulator, start it: python -m emulator.")
    return Check("api_host", title, PASS, f"{api} answered (HTTP {resp.status_code}).")


async def check_deployment(http: httpx.AsyncClient, cfg: PageConfig) -> Check:
    """The deployment's public config.json, fetched from exactly where the page fetches it."""
    title = "Deployment's public config"
    url = cfg.deployment_config_url
    data: dict = {"url": url, "http_status": None, "status": ""}
    try:
        resp = await http.get(url)
    except httpx.HTTPError as exc:
        return Check("deployment", title, FAIL, f"{url} could not be fetched ({_why(exc)}).",
                     "Check the region (or cdnBaseUrl) in the settings file and the network.", data=data)
    data["http_status"] = resp.status_code
    if resp.status_code in (403, 404):
        return Check("deployment", title, FAIL,
                     f"No deployment {cfg.deployment_id} in this region (HTTP {resp.status_code} from {url}).",
                     "Either the deployment id is wrong or the region is: copy the id from " + MESSENGER_ADMIN +
                     " and set the region your org lives in (the domain in your Genesys Cloud URL).", data=data)
    if resp.status_code != 200:
        return Check("deployment", title, FAIL, f"{url} answered HTTP {resp.status_code}.",
                     "Retry later; if it persists check status.mypurecloud.com.", data=data)
    try:
        body = resp.json()
    except ValueError:
        return Check("deployment", title, FAIL, f"{url} did not return JSON.",
                     "The API base URL (or cdnBaseUrl) probably points at something other than Genesys.", data=data)
    status = str(body.get("status") or "") if isinstance(body, dict) else ""
    data["status"] = status
    if status and status != "Active":
        return Check("deployment", title, FAIL,
                     f"The deployment exists but its status is {status!r}, not 'Active' ({url}).",
                     "Activate it in " + MESSENGER_ADMIN + " (and publish its configuration).", data=data)
    return Check("deployment", title, PASS, f"Deployment {cfg.deployment_id} exists and is {status or 'published'} "
                 f"({url}).", data=data)


def socket_url_for(cfg: PageConfig) -> str:
    """The socket URL the page opens (app.chat.settings.socket_url)."""
    return cfg.socket


def _is_local(url: str) -> bool:
    return urlsplit(url).hostname in ("127.0.0.1", "localhost", "::1")


async def _open(url: str, origin: str | None, timeout: float):
    # An HTTP(S)_PROXY from the environment may be needed for a real region,
    # but must not swallow a local emulator.
    return await ws_connect(url, origin=origin, open_timeout=timeout, close_timeout=1,
                            proxy=None if _is_local(url) else True)


async def check_socket(cfg: PageConfig, origin: str, timeout: float = 5.0) -> list[Check]:
    """Handshake as the page would (with its Origin), then one configureSession."""
    t1, t2 = "Web-messaging socket handshake", "configureSession round trip"
    url = socket_url_for(cfg)
    host = urlsplit(origin).hostname or origin
    skipped = Check("session", t2, SKIP, "Not tried: the socket did not open.")
    try:
        ws = await _open(url, origin, timeout)
    except InvalidStatus as exc:
        code = exc.response.status_code
        if code == 403:
            return [Check("handshake", t1, FAIL,
                          f"Genesys refused the socket for origin {origin} (HTTP 403).",
                          f"Add {host} to the deployment's allowed domains ({MESSENGER_ADMIN} > "
                          f"Restrict domain access), or allow all domains. If it is already there, the deployment id "
                          f"or the region is wrong, or the deployment is not active.",
                          data={"http_status": 403, "url": url}), skipped]
        return [Check("handshake", t1, FAIL, f"{url} answered HTTP {code} instead of opening a socket.",
                      "Check webMessagingUrl (it should be wss://webmessaging.<region>/v1).",
                      data={"http_status": code, "url": url}), skipped]
    except InvalidURI:
        return [Check("handshake", t1, FAIL, f"{url} is not a WebSocket URL.",
                      "webMessagingUrl must start with wss:// (ws:// for the local emulator)."), skipped]
    except (TimeoutError, asyncio.TimeoutError):
        return [Check("handshake", t1, FAIL, f"{url} did not complete a handshake within {timeout:g} s.",
                      "Check the URL and any firewall or proxy between here and Genesys."), skipped]
    except ConnectionRefusedError:
        return [Check("handshake", t1, FAIL, f"Connection to {url} was refused.",
                      "Wrong host/port in webMessagingUrl, or the server is down (for the emulator: python -m emulator)."), skipped]
    except (OSError, InvalidHandshake) as exc:
        return [Check("handshake", t1, FAIL, f"Could not open {url} ({_why(exc)}).",
                      "Check webMessagingUrl / region and the network."), skipped]
    handshake = Check("handshake", t1, PASS, f"{url} accepted origin {origin}.", data={"http_status": 101, "url": url})
    try:
        token = str(uuid.uuid4())
        await ws.send(json.dumps({"action": "configureSession", "token": token, "deploymentId": cfg.deployment_id}))
        session = await asyncio.wait_for(_await_session(ws), timeout)
    except (TimeoutError, asyncio.TimeoutError):
        session = Check("session", t2, FAIL, f"No SessionResponse within {timeout:g} s.",
                        "The socket opened but the session did not start; check the deployment is Active and retry.")
    except websockets.ConnectionClosed as exc:
        session = Check("session", t2, FAIL, f"The server closed the socket ({exc.rcvd.code if exc.rcvd else 'no close frame'}).",
                        "Check the deployment id and that the deployment is Active.")
    finally:
        await ws.close()
    return [handshake, session]


async def _await_session(ws) -> Check:
    t2 = "configureSession round trip"
    while True:
        raw = await ws.recv()
        try:
            frame = json.loads(raw)
        except (TypeError, ValueError):
            continue
        if not isinstance(frame, dict):
            continue
        if frame.get("class") == "SessionResponse" and frame.get("code", 200) == 200:
            body = frame.get("body") or {}
            return Check("session", t2, PASS,
                         f"SessionResponse: connected={body.get('connected')}, readOnly={body.get('readOnly', False)}.")
        if frame.get("type") == "response" and frame.get("code") not in (None, 200):
            return Check("session", t2, FAIL,
                         f"Genesys answered {frame.get('class')} {frame.get('code')}: {frame.get('body')}",
                         "Check the deployment id and that the deployment is Active.")


# -- why a handshake 403 -------------------------------------------------------


@dataclass
class Evidence:
    """What could be found out about a handshake 403 from outside Genesys Cloud."""
    origin: str
    deployment_id: str = ""
    config_url: str = ""
    config_http: int | None = None       # config.json's HTTP status; None: not fetched (unreachable)
    config_status: str = ""              # its "status" ("Active", "Inactive"); "" unknown
    socket_domain: str | None = None     # region domain of the socket (None: not a Genesys host)
    config_domain: str | None = None     # region domain of config.json's host
    probe: str = ""                      # the same handshake without an Origin: "accepted", "refused", "" unknown
    lookup: dict | None = None           # the Platform API's WebDeployment, through the proxy's OAuth client


def domain_allows(entries, host: str) -> bool | None:
    """Whether an allowedDomains list lets `host` in: True, False, or None when it depends on how
    Genesys matches subdomains (an entry `example.com` for `shop.example.com`; Genesys does not
    document its matching, so only an exact host or a `*.` wildcard counts as certain)."""
    host = host.lower()
    maybe = False
    for entry in entries or []:
        entry = str(entry).strip().lower()
        if "://" in entry:
            entry = entry.split("://", 1)[1]
        entry = entry.split("/", 1)[0].split(":", 1)[0]
        if not entry:
            continue
        if entry == host or (entry.startswith("*.") and host.endswith(entry[1:])):
            return True
        if host.endswith("." + entry.lstrip("*.")):
            maybe = True
    return None if maybe else False


def causes_of_403(ev: Evidence) -> list[Cause]:
    """The three real causes of a handshake 403, most common first, each checked as far as the
    evidence allows. Pure: the evidence is gathered by `gather_403_evidence`."""
    host = urlsplit(ev.origin).hostname or ev.origin
    lookup = ev.lookup or {}
    found = lookup.get("outcome") == "found"
    same_region = lookup.get("same_region", True)
    admin_origin = (f"In Genesys Cloud: {MESSENGER_ADMIN} > (the deployment) > Restrict domain access: {host} must be "
                    f"in the allowed domains (the host only, no scheme or path), or allow all domains. The public "
                    f"config.json does not list allowed domains; the Platform API does (GET "
                    f"/api/v2/webdeployments/deployments/{{id}}, permission webDeployments:deployment:view): give the "
                    f"proxy's OAuth client's role that permission and the doctor checks it too.")
    admin_id = (f"In Genesys Cloud: {MESSENGER_ADMIN}: copy the deployment's id (also the deploymentId of its "
                f"snippet). Your region is the domain of your Genesys Cloud URL (apps.{{domain}}), e.g. "
                f"mypurecloud.ie; put it as \"region\" in the settings file.")
    admin_status = (f"In Genesys Cloud: {MESSENGER_ADMIN}: the deployment's status must be Active, with a Messenger "
                    f"configuration published to it.")

    # (a) the origin
    if found and same_region and lookup.get("allowAllDomains"):
        a = Cause("origin", "The page's origin is not in the deployment's allowed domains", RULED_OUT,
                  "The deployment allows all domains (Platform API).", admin_origin)
    elif found and same_region and lookup.get("allowedDomains") is not None:
        allowed = lookup.get("allowedDomains") or []
        verdict = domain_allows(allowed, host)
        listed = ", ".join(map(str, allowed)) or "(none)"
        if verdict is True:
            a = Cause("origin", "The page's origin is not in the deployment's allowed domains", RULED_OUT,
                      f"{host} is in the allowed domains ({listed}).", admin_origin)
        elif verdict is False:
            a = Cause("origin", "The page's origin is not in the deployment's allowed domains", CONFIRMED,
                      f"{host} is not in the allowed domains ({listed}), according to the Platform API.", admin_origin)
        elif ev.probe == "accepted":
            a = Cause("origin", "The page's origin is not in the deployment's allowed domains", CONFIRMED,
                      f"The allowed domains are {listed}: {host} is only a subdomain of one of them, and the same "
                      f"socket opened when the doctor sent no Origin header: Genesys does not count it.",
                      admin_origin)
        else:
            a = Cause("origin", "The page's origin is not in the deployment's allowed domains", UNKNOWN,
                      f"The allowed domains are {listed}: {host} is only a subdomain of one of them, and whether "
                      f"Genesys counts subdomains is not documented. Add {host} itself to be sure.", admin_origin)
    elif ev.probe == "accepted":
        a = Cause("origin", "The page's origin is not in the deployment's allowed domains", CONFIRMED,
                  f"The same socket opened when the doctor sent no Origin header, and was refused with "
                  f"Origin {ev.origin}: only the origin differs.", admin_origin)
    else:
        why = {
            "no_credentials": "the proxy has no OAuth client to ask the Platform API with",
            "forbidden": "the proxy's OAuth client may not read deployments (webDeployments:deployment:view)",
            "not_found": "the Platform API of the proxy's org does not know this deployment",
            "other_region": "the proxy's OAuth client is in another region than the socket",
        }.get(lookup.get("outcome", ""), "the Platform API could not be asked")
        probe = " The same socket without an Origin header was refused too, which says nothing either way." \
            if ev.probe == "refused" else ""
        a = Cause("origin", "The page's origin is not in the deployment's allowed domains", UNKNOWN,
                  f"Cannot be checked from outside: the public config.json does not list allowed domains, and "
                  f"{why}.{probe}", admin_origin)

    # (b) the deployment id or the region
    if ev.config_http in (403, 404):
        if found and not same_region:
            b_evidence = (f"config.json for {ev.deployment_id} is not in the socket's region (HTTP {ev.config_http} "
                          f"from {ev.config_url}), but the proxy's region knows the deployment: the region is wrong.")
        else:
            b_evidence = (f"config.json for {ev.deployment_id} is not there (HTTP {ev.config_http} from "
                          f"{ev.config_url}): this id does not exist in this region.")
        b = Cause("deployment_or_region", "Wrong deployment id or region", CONFIRMED, b_evidence, admin_id)
    elif ev.socket_domain and ev.config_domain and ev.socket_domain != ev.config_domain:
        b = Cause("deployment_or_region", "Wrong deployment id or region", CONFIRMED,
                  f"The socket goes to region {ev.socket_domain} but the deployment's config comes from "
                  f"{ev.config_domain}: the settings mix two regions.", admin_id)
    elif ev.config_http == 200:
        b = Cause("deployment_or_region", "Wrong deployment id or region", RULED_OUT,
                  f"The deployment's config.json is there ({ev.config_url})"
                  + (f", in the socket's region {ev.socket_domain}." if ev.socket_domain else "."), admin_id)
    elif found and not same_region:
        b = Cause("deployment_or_region", "Wrong deployment id or region", CONFIRMED,
                  "The Platform API of the proxy's region knows the deployment, and that is not the socket's "
                  "region.", admin_id)
    else:
        b = Cause("deployment_or_region", "Wrong deployment id or region", UNKNOWN,
                  f"The deployment's config.json could not be read ({ev.config_url or 'not tried'}"
                  + (f", HTTP {ev.config_http}" if ev.config_http else "") + ").", admin_id)

    # (c) the deployment's status
    status = str(lookup.get("status") or "") if found and same_region else ""
    status = status or ev.config_status
    if status and status != "Active":
        c = Cause("inactive", "The deployment is inactive", CONFIRMED, f"Its status is {status!r}, not 'Active'.",
                  admin_status)
    elif status == "Active":
        c = Cause("inactive", "The deployment is inactive", RULED_OUT, "Its status is 'Active'.", admin_status)
    elif ev.config_http == 200:
        c = Cause("inactive", "The deployment is inactive", UNKNOWN,
                  "Its config.json is published but says no status.", admin_status)
    else:
        c = Cause("inactive", "The deployment is inactive", UNKNOWN,
                  "Cannot tell for a deployment whose config cannot be read.", admin_status)
    return [a, b, c]


def fix_for_403(causes: list[Cause], origin: str) -> str:
    """What to do: the confirmed causes' fixes, or else every cause not ruled out, in order."""
    host = urlsplit(origin).hostname or origin
    fixes = {
        "origin": f"Add {host} to the deployment's allowed domains ({MESSENGER_ADMIN} > Restrict domain access), "
                  f"or allow all domains.",
        "deployment_or_region": "Fix the deployment id or the region in the settings file (copy the id from "
                                f"{MESSENGER_ADMIN}; the region is the domain of your Genesys Cloud URL).",
        "inactive": f"Activate the deployment in {MESSENGER_ADMIN} and publish its configuration.",
    }
    chosen = [c for c in causes if c.status == CONFIRMED] or [c for c in causes if c.status != RULED_OUT] or causes
    text = " ".join(fixes[c.key] for c in chosen)
    if not any(c.status == CONFIRMED for c in causes):
        text = "Go through these in order: " + text
    return text


async def probe_without_origin(url: str, timeout: float) -> str:
    """The page's handshake without an Origin header: 'accepted', 'refused', or '' (other failure)."""
    try:
        ws = await _open(url, None, timeout)
    except InvalidStatus:
        return "refused"
    except (OSError, InvalidHandshake, TimeoutError, asyncio.TimeoutError):
        return ""
    await ws.close()
    return "accepted"


async def lookup_deployment(client: GenesysClient, oauth: Check, deployment_id: str) -> dict:
    """The Platform API's WebDeployment (allowAllDomains, allowedDomains, status) through the proxy's
    OAuth client, which needs webDeployments:deployment:view for it. Never required."""
    if oauth.status != PASS:
        return {"outcome": "no_credentials"}
    try:
        resp = await client.api_get(f"/api/v2/webdeployments/deployments/{deployment_id}")
    except GenesysError as exc:
        return {"outcome": "unavailable", "message": exc.message}
    try:
        body = resp.json()
    except ValueError:
        body = None
    if resp.status_code == 403:
        return {"outcome": "forbidden", "http_status": 403}
    if resp.status_code == 404 and isinstance(body, dict):
        return {"outcome": "not_found", "http_status": 404}
    if resp.status_code != 200 or not isinstance(body, dict):
        # Not a Genesys answer (a host without this API, e.g. a bare fake region).
        return {"outcome": "unavailable", "http_status": resp.status_code}
    allowed = body.get("allowedDomains")
    return {"outcome": "found", "http_status": 200, "allowAllDomains": bool(body.get("allowAllDomains")),
            "allowedDomains": list(allowed) if isinstance(allowed, list) else [],
            "status": str(body.get("status") or "")}


async def gather_403_evidence(cfg: PageConfig, origin: str, deployment: Check, client: GenesysClient,
                              oauth: Check, timeout: float) -> Evidence:
    ev = Evidence(origin, cfg.deployment_id, cfg.deployment_config_url, deployment.data.get("http_status"),
                  deployment.data.get("status", ""), genesys_domain(cfg.socket_url), genesys_domain(cfg.cdn_base))
    ev.probe = await probe_without_origin(cfg.socket, timeout)
    lookup = await lookup_deployment(client, oauth, cfg.deployment_id)
    proxy_api = client.settings.api_base
    # The proxy's API and the page's socket are in one region when their region domains match
    # (or, off Genesys, when the proxy's API is the page's own API host).
    mine = genesys_domain(proxy_api) or urlsplit(proxy_api).netloc
    page = ev.socket_domain or urlsplit(cfg.api_base).netloc
    lookup["same_region"] = mine == page
    if lookup.get("outcome") == "not_found" and not lookup["same_region"]:
        lookup["outcome"] = "other_region"
    ev.lookup = lookup
    return ev


async def explain_handshake_403(handshake: Check, cfg: PageConfig, origin: str, deployment: Check,
                                client: GenesysClient, oauth: Check, timeout: float) -> None:
    ev = await gather_403_evidence(cfg, origin, deployment, client, oauth, timeout)
    handshake.causes = causes_of_403(ev)
    handshake.fix = fix_for_403(handshake.causes, origin)


# -- the proxy's own calls -----------------------------------------------------


async def check_oauth(client: GenesysClient) -> Check:
    title = "OAuth client credentials (proxy)"
    s = client.settings
    if not s.client_id and not s.client_secret:
        return Check("oauth", title, WARN,
                     "GENESYS_CLIENT_ID / GENESYS_CLIENT_SECRET are not set: the proxy's wait-time feature is off. "
                     "The chat still works.",
                     "To enable it, create a Client Credentials OAuth client (see proxy/README.md) and put its id and "
                     "secret in .env.", required=False)
    if not s.has_credentials:
        which = "GENESYS_CLIENT_SECRET" if s.client_id else "GENESYS_CLIENT_ID"
        return Check("oauth", title, FAIL, f"{which} is not set (client id {s.client_id or '(not set)'}, "
                     f"secret {mask(s.client_secret)}).", f"Set {which} in .env or the environment.")
    if not s.login_base:
        return Check("oauth", title, FAIL, "The proxy does not know where Genesys is.",
                     "Set GENESYS_REGION (e.g. mypurecloud.ie) or GENESYS_LOGIN_URL and GENESYS_API_URL.")
    try:
        await client.token()
    except GenesysError as exc:
        if exc.code == "credentials_rejected":
            fix = ("The client id or secret is wrong, or the client belongs to another region/org. Copy both again "
                   "from Admin > Integrations > OAuth (grant type: Client Credentials).")
        else:
            fix = exc.fix
        return Check("oauth", title, FAIL, exc.message, fix)
    return Check("oauth", title, PASS,
                 f"{s.login_base} issued a token to client {s.client_id} (secret {mask(s.client_secret)}).")


async def check_wait_time(client: GenesysClient, oauth: Check) -> Check:
    title = "Estimated wait time (proxy)"
    s = client.settings
    if oauth.status != PASS:
        return Check("wait_time", title, SKIP, "Not tried: no working OAuth token.", required=False)
    if not s.queue_id:
        return Check("wait_time", title, WARN, "GENESYS_QUEUE_ID is not set, so /api/context has no queue to ask about.",
                     "Copy the queue id from Admin > Contact Center > Queues into GENESYS_QUEUE_ID.", required=False)
    try:
        wait = await client.estimated_wait()
    except GenesysError as exc:
        return Check("wait_time", title, FAIL, exc.message, exc.fix)
    shown = "no estimate right now" if wait.seconds is None else f"{wait.seconds} s"
    return Check("wait_time", title, PASS, f"Queue {wait.queue_id}: {shown}.")


async def check_agents(client: GenesysClient, oauth: Check) -> Check:
    """Agents on queue, from queue observations (analytics:queueObservation:view)."""
    title = "Agents on queue (proxy)"
    s = client.settings
    if oauth.status != PASS:
        return Check("agents", title, SKIP, "Not tried: no working OAuth token.", required=False)
    if not s.queue_id:
        return Check("agents", title, SKIP, "Not tried: GENESYS_QUEUE_ID is not set.", required=False)
    try:
        agents = await client.agents_on_queue()
    except GenesysError as exc:
        return Check("agents", title, FAIL, exc.message, exc.fix)
    return Check("agents", title, PASS, f"Queue {s.queue_id}: {agents['available']} on queue "
                 f"({agents['idle']} idle, {agents['interacting']} interacting).")


async def check_hours(client: GenesysClient, oauth: Check, now: datetime | None = None) -> Check:
    """Open hours from the schedule group (routing:scheduleGroup:view, routing:schedule:view)."""
    title = "Open hours (proxy)"
    s = client.settings
    if not s.schedule_group_id:
        return Check("hours", title, SKIP, "Not tried: GENESYS_SCHEDULE_GROUP_ID is not set, so the page shows no "
                     "open hours (that is fine).", required=False)
    if oauth.status != PASS:
        return Check("hours", title, SKIP, "Not tried: no working OAuth token.", required=False)
    try:
        group, schedules = await client.schedule_group(s.schedule_group_id)
        got = hours_mod.evaluate(group, schedules, now or datetime.now(timezone.utc))
    except GenesysError as exc:
        return Check("hours", title, FAIL, exc.message, exc.fix)
    except hours_mod.ScheduleError as exc:
        return Check("hours", title, FAIL, f"The schedule group's open hours cannot be read: {exc}.",
                     "Fix the schedule in Admin > Architect > Scheduling.")
    why = {"closed": "a closed schedule", "holiday": "a holiday", "outside": "outside open hours"}
    state = "open now" if got.open else f"closed now ({why.get(got.reason, got.reason)})"
    if got.next_change is not None:
        at = got.next_change.astimezone(timezone.utc).isoformat(timespec="minutes").replace("+00:00", "Z")
        state += f"; {'opens' if got.next_open else 'closes'} at {at}"
    return Check("hours", title, PASS, f"Schedule group {s.schedule_group_id} ({got.time_zone}): {state}.")


async def check_proxy(http: httpx.AsyncClient, cfg: PageConfig, origin: str) -> Check | None:
    """Ask the running proxy what the page would get; optional, the chat works without it."""
    url = cfg.context_url
    if url is None:
        return None
    title = "Proxy /api/context (what the page gets)"
    try:
        resp = await http.get(url, headers={"Origin": origin})
    except httpx.HTTPError as exc:
        return Check("proxy", title, WARN, f"No proxy answered at {url} ({_why(exc)}).",
                     "Start it with: python -m proxy serve (the chat still works without it).", required=False)
    try:
        body = resp.json()
    except ValueError:
        body = None
    parts = {name: body.get(name) for name in ("hours", "agents", "wait")} if isinstance(body, dict) else {}
    if resp.status_code == 200 and any(isinstance(p, dict) for p in parts.values()):
        down = [f"{name}: {p.get('code')} ({p.get('message')})" for name, p in parts.items()
                if isinstance(p, dict) and p.get("status") == "unavailable"]
        said = ", ".join(f"{name} {p.get('status')}" for name, p in parts.items() if isinstance(p, dict))
        if down:
            fixes = [str(p.get("fix")) for p in parts.values()
                     if isinstance(p, dict) and p.get("status") == "unavailable" and p.get("fix")]
            return Check("proxy", title, WARN, f"{url} answered, but not every part: " + "; ".join(down),
                         " ".join(fixes) or "See proxy/README.md.", required=False)
        wait = body.get("estimatedWaitSeconds")
        return Check("proxy", title, PASS, f"{url} answered ({said}; estimatedWaitSeconds={wait}).", required=False)
    err = body.get("error") if isinstance(body, dict) else None
    if isinstance(err, dict):
        return Check("proxy", title, WARN, f"{url} answered {resp.status_code} {err.get('code')}: {err.get('message')}",
                     str(err.get("fix") or ""), required=False)
    return Check("proxy", title, WARN, f"{url} answered HTTP {resp.status_code}, which is not the proxy's JSON.",
                 "Check proxyUrl in the settings file (\"\" means the page's own origin).", required=False)


def check_same_region(cfg: PageConfig, settings: Settings) -> Check | None:
    if not settings.api_base:
        return None
    title = "Page and proxy use the same region"
    if urlsplit(settings.api_base).netloc == urlsplit(cfg.api_base).netloc:
        return Check("same_region", title, PASS, f"Both use {cfg.api_base}.", required=False)
    return Check("same_region", title, WARN, f"The page uses {cfg.api_base} but the proxy uses {settings.api_base}.",
                 "Point GENESYS_REGION (or GENESYS_API_URL) at the same region as the page's settings file.",
                 required=False)


# -- run -----------------------------------------------------------------------


async def run_checks(
    settings: Settings,
    config_path: Path | str | None = None,
    origin: str = DEFAULT_ORIGIN,
    timeout: float = 5.0,
) -> Report:
    config_path = Path(config_path) if config_path else REPO_ROOT / "config.json"
    checks: list[Check] = []
    cfg, first = load_page_config(config_path, origin)
    checks.append(first)
    async with httpx.AsyncClient(timeout=httpx.Timeout(timeout), follow_redirects=True) as http:
        client = GenesysClient(settings, http=http)
        deployment = handshake = None
        if cfg is not None:
            checks.append(await check_api_host(http, cfg.api_base))
            deployment = await check_deployment(http, cfg)
            checks.append(deployment)
            socket_checks = await check_socket(cfg, origin, timeout)
            handshake = socket_checks[0]
            checks.extend(socket_checks)
        else:
            for key, title in (("api_host", "Genesys API host answers"), ("deployment", "Deployment's public config"),
                               ("handshake", "Web-messaging socket handshake"), ("session", "configureSession round trip")):
                checks.append(Check(key, title, SKIP, "Not tried: the settings file has to be fixed first."))
        oauth = await check_oauth(client)
        checks.append(oauth)
        checks.append(await check_wait_time(client, oauth))
        checks.append(await check_agents(client, oauth))
        checks.append(await check_hours(client, oauth))
        if cfg is not None and handshake is not None and handshake.data.get("http_status") == 403:
            await explain_handshake_403(handshake, cfg, origin, deployment, client, oauth, timeout)
        if cfg is not None:
            for extra in (check_same_region(cfg, settings), await check_proxy(http, cfg, origin)):
                if extra:
                    checks.append(extra)
    return Report(checks, cfg, origin, str(config_path))


def run(settings: Settings, config_path=None, origin: str = DEFAULT_ORIGIN, timeout: float = 5.0) -> Report:
    return asyncio.run(run_checks(settings, config_path, origin, timeout))


def format_report(report: Report, secret: str = "") -> str:
    """A pass/fail table, one row per check, the fix under each failure or warning."""
    def title(c: Check) -> str:
        return c.title + ("" if c.required or c.status in (PASS, SKIP) else " (optional)")

    width = max(len(title(c)) for c in report.checks)
    pad = " " * 8
    lines = [f"{'Result':<6}  {'Check':<{width}}  Detail", f"{'-' * 6}  {'-' * width}  {'-' * 6}"]
    for c in report.checks:
        lines.append(f"{SYMBOLS[c.status]} {LABELS[c.status]:<4}  {title(c):<{width}}  {c.detail}")
        if c.fix and c.status in (FAIL, WARN):
            lines.append(f"{pad}Fix: {c.fix}")
        if c.causes:
            lines.append(f"{pad}Why: the causes of a refused handshake, most common first:")
            for n, cause in enumerate(c.causes, 1):
                lines.append(f"{pad}  {n}. [{CAUSE_LABELS[cause.status]}] {cause.title}. {cause.evidence}")
                if cause.status != RULED_OUT:
                    lines.append(f"{pad}     How to check: {cause.how_to_check}")
    lines.append("")
    lines.append(report.summary())
    text = "\n".join(lines)
    return text.replace(secret, "******") if secret else text


def format_json(report: Report, secret: str = "") -> str:
    return json.dumps(report.as_json(secret), indent=2, ensure_ascii=False)


# -- --explain -----------------------------------------------------------------


def format_explanation(findings: list[explain_mod.Finding]) -> str:
    marks = {explain_mod.WRONG: "✘", explain_mod.RIGHT: "✔", explain_mod.NOTE: "!"}
    lines = []
    for f in findings:
        lines.append(f"{marks[f.verdict]} {f.label} (line {f.line}): {' | '.join(f.matches)}")
        lines.append(f"    What it is: {f.what}")
        lines.append(("    Use instead: " if f.wrong else "    Note: ") + f.instead)
        lines.append("")
    lines.append(explain_mod.summary(findings))
    return "\n".join(lines)


def _why(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
