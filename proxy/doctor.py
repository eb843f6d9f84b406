"""`doctor`: walk the path a chat takes, one hop at a time, and say what is wrong.

Every check returns a `Check`; nothing here prints, so the CLI and the tests
read the same structured results.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit, parse_qsl

import httpx
import websockets
from websockets.asyncio.client import connect as ws_connect
from websockets.exceptions import InvalidHandshake, InvalidStatus, InvalidURI

from .genesys import GenesysClient, GenesysError
from .settings import REPO_ROOT, Settings, mask, region_domain

PASS, FAIL, WARN, SKIP = "pass", "fail", "warn", "skip"
SYMBOLS = {PASS: "✔", FAIL: "✘", WARN: "!", SKIP: "–"}
DEFAULT_ORIGIN = "http://127.0.0.1:8765"


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

    @property
    def failed(self) -> bool:
        return self.status == FAIL and self.required


@dataclass
class PageConfig:
    deployment_id: str
    socket_url: str
    api_base: str
    cdn_base: str
    proxy_url: str | None = None
    raw: dict = field(default_factory=dict)


@dataclass
class Report:
    checks: list[Check]

    @property
    def ok(self) -> bool:
        return not any(c.failed for c in self.checks)

    def by_key(self, key: str) -> Check:
        return next(c for c in self.checks if c.key == key)


# -- page settings -------------------------------------------------------------


def load_page_config(path: Path) -> tuple[PageConfig | None, Check]:
    title = "Page settings file"
    fix_shape = ('It should look like {"deploymentId": "<uuid>", "webMessagingUrl": "wss://webmessaging.<region>/v1", '
                 '"apiBaseUrl": "https://api.<region>"} or use "region": "mypurecloud.ie" instead of the two URLs.')
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None, Check("settings_file", title, FAIL, f"{path} does not exist.",
                           f"Create it beside index.html, or pass --config. {fix_shape}")
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        return None, Check("settings_file", title, FAIL, f"{path} is not valid JSON ({exc}).",
                           "Fix the syntax (no comments or trailing commas in JSON). " + fix_shape)
    if not isinstance(raw, dict):
        return None, Check("settings_file", title, FAIL, f"{path} holds {type(raw).__name__}, not an object.", fix_shape)
    dep = str(raw.get("deploymentId") or "").strip()
    if not dep:
        return None, Check("settings_file", title, FAIL, f"{path} has no deploymentId.",
                           "Copy the deployment id from Admin > Message > Messenger Deployments in Genesys Cloud. " + fix_shape)
    region = str(raw.get("region") or "").strip()
    d = region_domain(region) if region else ""
    socket_url = str(raw.get("webMessagingUrl") or "").strip() or (f"wss://webmessaging.{d}/v1" if d else "")
    api = str(raw.get("apiBaseUrl") or "").strip().rstrip("/")
    if not api and d:
        api = f"https://api.{d}"
    elif not api and socket_url.startswith("wss://webmessaging."):
        # The Java guest SDK derives the API host the same way.
        api = "https://api." + urlsplit(socket_url).netloc[len("webmessaging."):]
    if not socket_url or not api:
        return None, Check("settings_file", title, FAIL,
                           f"{path} says where the deployment is but not where Genesys is (no region, webMessagingUrl or apiBaseUrl).",
                           fix_shape)
    # The config CDN lives on api-cdn in real regions; an explicit API base
    # (the emulator) serves it too.
    cdn = api if raw.get("apiBaseUrl") else (f"https://api-cdn.{d}" if d else api.replace("://api.", "://api-cdn.", 1))
    warn = ""
    try:
        uuid.UUID(dep)
    except ValueError:
        warn = " (it does not look like a UUID; check for a stray character)"
    cfg = PageConfig(dep, socket_url, api, cdn, raw.get("proxyUrl") if "proxyUrl" in raw else None, raw)
    return cfg, Check("settings_file", title, WARN if warn else PASS,
                      f"{path.name}: deployment {dep}{warn}; socket {socket_url}; API {api}.",
                      "Copy the id again from Messenger Deployments." if warn else "")


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
    title = "Deployment's public config"
    url = f"{cfg.cdn_base}/webdeployments/v1/deployments/{cfg.deployment_id}/config.json"
    try:
        resp = await http.get(url)
    except httpx.HTTPError as exc:
        return Check("deployment", title, FAIL, f"{url} could not be fetched ({_why(exc)}).",
                     "Check the region in the settings file and the network.")
    if resp.status_code in (403, 404):
        return Check("deployment", title, FAIL,
                     f"No deployment {cfg.deployment_id} in this region (HTTP {resp.status_code} from {url}).",
                     "Either the deployment id is wrong or the region is: copy the id from Admin > Message > "
                     "Messenger Deployments and set the region your org lives in (the domain in your Genesys Cloud URL).")
    if resp.status_code != 200:
        return Check("deployment", title, FAIL, f"{url} answered HTTP {resp.status_code}.",
                     "Retry later; if it persists check status.mypurecloud.com.")
    try:
        data = resp.json()
    except ValueError:
        return Check("deployment", title, FAIL, f"{url} did not return JSON.",
                     "The API base URL probably points at something other than Genesys.")
    status = str(data.get("status") or "") if isinstance(data, dict) else ""
    if status and status != "Active":
        return Check("deployment", title, FAIL, f"The deployment exists but its status is {status!r}, not 'Active'.",
                     "Activate it in Admin > Message > Messenger Deployments (and publish its configuration).")
    return Check("deployment", title, PASS, f"Deployment {cfg.deployment_id} exists and is {status or 'published'}.")


def socket_url_for(cfg: PageConfig) -> str:
    parts = urlsplit(cfg.socket_url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "deploymentId"] + [("deploymentId", cfg.deployment_id)]
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/v1", urlencode(query), ""))


async def check_socket(cfg: PageConfig, origin: str, timeout: float = 5.0) -> list[Check]:
    """Handshake as the page would (with its Origin), then one configureSession."""
    t1, t2 = "Web-messaging socket handshake", "configureSession round trip"
    url = socket_url_for(cfg)
    host = urlsplit(origin).hostname or origin
    skipped = Check("session", t2, SKIP, "Not tried: the socket did not open.")
    try:
        # An HTTP(S)_PROXY from the environment may be needed for a real region,
        # but must not swallow a local emulator.
        local = urlsplit(url).hostname in ("127.0.0.1", "localhost", "::1")
        ws = await ws_connect(url, origin=origin, open_timeout=timeout, close_timeout=1, proxy=None if local else True)
    except InvalidStatus as exc:
        code = exc.response.status_code
        if code == 403:
            return [Check("handshake", t1, FAIL,
                          f"Genesys refused the socket for origin {origin} (HTTP 403).",
                          f"Add {host} to the deployment's allowed domains (Admin > Message > Messenger Deployments > "
                          f"Restrict domain access), or allow all domains. If it is already there, the deployment id "
                          f"or the region is wrong.", ), skipped]
        return [Check("handshake", t1, FAIL, f"{url} answered HTTP {code} instead of opening a socket.",
                      "Check webMessagingUrl (it should be wss://webmessaging.<region>/v1)."), skipped]
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
    handshake = Check("handshake", t1, PASS, f"{url} accepted origin {origin}.")
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


async def check_proxy(http: httpx.AsyncClient, cfg: PageConfig, origin: str) -> Check | None:
    """Ask the running proxy what the page would get; optional, the chat works without it."""
    if cfg.proxy_url is None:
        return None
    title = "Proxy /api/context (what the page gets)"
    base = (cfg.proxy_url or origin).rstrip("/")
    url = f"{base}/api/context"
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
    cfg, first = load_page_config(config_path)
    checks.append(first)
    async with httpx.AsyncClient(timeout=httpx.Timeout(timeout), follow_redirects=True) as http:
        if cfg is not None:
            checks.append(await check_api_host(http, cfg.api_base))
            checks.append(await check_deployment(http, cfg))
            checks.extend(await check_socket(cfg, origin, timeout))
        else:
            for key, title in (("api_host", "Genesys API host answers"), ("deployment", "Deployment's public config"),
                               ("handshake", "Web-messaging socket handshake"), ("session", "configureSession round trip")):
                checks.append(Check(key, title, SKIP, "Not tried: the settings file has to be fixed first."))
        client = GenesysClient(settings, http=http)
        oauth = await check_oauth(client)
        checks.append(oauth)
        checks.append(await check_wait_time(client, oauth))
        if cfg is not None:
            for extra in (check_same_region(cfg, settings), await check_proxy(http, cfg, origin)):
                if extra:
                    checks.append(extra)
    return Report(checks)


def run(settings: Settings, config_path=None, origin: str = DEFAULT_ORIGIN, timeout: float = 5.0) -> Report:
    return asyncio.run(run_checks(settings, config_path, origin, timeout))


def format_report(report: Report, secret: str = "") -> str:
    lines = []
    for c in report.checks:
        tag = "" if c.required or c.status in (PASS, SKIP) else " (optional)"
        lines.append(f"{SYMBOLS[c.status]} {c.title}{tag}: {c.detail}")
        if c.fix and c.status in (FAIL, WARN):
            lines.append(f"    Fix: {c.fix}")
    failed = [c for c in report.checks if c.failed]
    lines.append("")
    lines.append("All required checks passed." if not failed else
                 f"{len(failed)} required check(s) failed: " + ", ".join(c.title for c in failed) + ".")
    text = "\n".join(lines)
    return text.replace(secret, "******") if secret else text


def _why(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
