"""Genesys Cloud Platform API calls made with the org's client-credentials token.

Everything that touches the client secret lives here, and every failure is
turned into a `GenesysError` whose message is safe to show a browser.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Callable

import httpx

from .settings import Settings

DEFAULT_TIMEOUT = httpx.Timeout(8.0, connect=4.0)
WAIT_CACHE_SECONDS = 10.0


class GenesysError(Exception):
    """A failure with a stable code, an HTTP status for our own answer, and a fix."""

    def __init__(self, code: str, status: int, message: str, fix: str = "", upstream_status: int | None = None,
                 detail: str = ""):
        super().__init__(message)
        self.code = code
        self.status = status
        self.message = message  # plain words for any caller: never an upstream URL, client id or body
        self.fix = fix
        self.upstream_status = upstream_status
        self.detail = detail  # for the proxy's own log only (the URL that failed, the client id)

    def as_json(self, secret: str = "") -> dict:
        body = {"code": self.code, "message": self.message, "fix": self.fix}
        if self.upstream_status is not None:
            body["upstreamStatus"] = self.upstream_status
        if secret:
            # Belt and braces: no message is built from the secret, but an
            # exception text from a library might echo request data.
            body = {k: v.replace(secret, "******") if isinstance(v, str) else v for k, v in body.items()}
        return {"error": body}


def not_configured(missing: list[str]) -> GenesysError:
    return GenesysError(
        "not_configured",
        503,
        "The proxy is missing settings: " + ", ".join(missing) + ".",
        "Set them as environment variables or in the .env file next to index.html, then restart the proxy "
        "(see proxy/README.md). The chat itself works without the proxy.",
    )


def _unreachable(what: str, url: str, exc: Exception) -> GenesysError:
    kind = "timed out" if isinstance(exc, httpx.TimeoutException) else "could not be reached"
    return GenesysError(
        "upstream_unreachable",
        504,
        f"The Genesys {what} {kind}.",
        "Check GENESYS_REGION (or GENESYS_LOGIN_URL / GENESYS_API_URL) and the server's network access.",
        detail=f"{url}: {type(exc).__name__}",
    )


@dataclass
class Token:
    value: str
    expires_at: float  # on the client's monotonic clock


@dataclass
class WaitTime:
    queue_id: str
    seconds: int | None
    fetched_at: str

    def as_json(self) -> dict:
        return {"queueId": self.queue_id, "estimatedWaitSeconds": self.seconds, "fetchedAt": self.fetched_at}


def refresh_margin(expires_in: float) -> float:
    """Renew a bit early so a token never expires between our check and Genesys' check."""
    return min(60.0, 0.1 * expires_in)


class Breaker:
    """After `threshold` upstream failures in a row (unreachable, timed out, 5xx, 429), calls fail
    fast for `cool_seconds`, so a slow Genesys does not pile up waiting requests; then one call
    is let through to try again."""

    def __init__(self, clock: Callable[[], float] = time.monotonic, threshold: int = 5, cool_seconds: float = 30.0):
        self.clock = clock
        self.threshold = threshold
        self.cool_seconds = cool_seconds
        self.failures = 0
        self.open_until = 0.0

    def check(self) -> None:
        if self.failures >= self.threshold and self.clock() < self.open_until:
            raise GenesysError("upstream_unavailable", 503, "Genesys is not answering; the proxy is waiting before it "
                               "asks again.", "If it lasts, see status.mypurecloud.com.")

    def failed(self) -> None:
        self.failures += 1
        if self.failures >= self.threshold:
            self.open_until = self.clock() + self.cool_seconds

    def succeeded(self) -> None:
        self.failures = 0
        self.open_until = 0.0


class GenesysClient:
    def __init__(
        self,
        settings: Settings,
        http: httpx.AsyncClient | None = None,
        clock: Callable[[], float] = time.monotonic,
        wait_cache_seconds: float = WAIT_CACHE_SECONDS,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
    ):
        self.settings = settings
        self._own_http = http is None
        self.http = http or httpx.AsyncClient(timeout=timeout, follow_redirects=False)
        self.clock = clock
        self.wait_cache_seconds = wait_cache_seconds
        self._token: Token | None = None
        self._token_lock = asyncio.Lock()
        self._wait_lock = asyncio.Lock()
        self._wait_cache: dict[str, tuple[float, WaitTime | GenesysError]] = {}
        self.token_requests = 0  # observable for tests and `doctor`
        self.breaker = Breaker(clock)
        self.shared = None  # proxy/shared.RedisShared with REDIS_URL: one token for every instance
        self._dropped = None  # a token a 401 condemned, to drop from the shared store too
        self._token_failure: tuple[float, GenesysError] | None = None  # kept briefly: no login call per request

    async def aclose(self) -> None:
        if self._own_http:
            await self.http.aclose()

    # -- token -------------------------------------------------------------

    def drop_token(self, value: str | None = None) -> None:
        """Forget the token (only if it is still `value`: calls in flight that all saw one token
        die must not throw away the fresh one the first of them fetched)."""
        if value is None or (self._token is not None and self._token.value == value):
            self._token = None
        self._dropped = value

    async def token(self) -> str:
        if self._token and self.clock() < self._token.expires_at:
            return self._token.value
        # One fetch at a time: a burst of page loads must not mint a burst of tokens.
        async with self._token_lock:
            if self._token and self.clock() < self._token.expires_at:
                return self._token.value
            if self._token_failure and self.clock() < self._token_failure[0]:
                raise self._token_failure[1]  # a refusal a moment ago: /readyz and the parts do not ask again yet
            try:
                return await self._token_now()
            except GenesysError as exc:
                if exc.code != "not_configured" and self.settings.cache_seconds > 0:
                    self._token_failure = (self.clock() + self.settings.cache_seconds, exc)
                raise

    async def _token_now(self) -> str:
        if self.shared is not None:
            if self._dropped:
                await self.shared.drop_token(self._dropped)
                self._dropped = None
            value, seconds = await self.shared.token(self._fetch_token, self.clock, self.settings.cache_seconds,
                                                     self.settings.client_id + " " + self.settings.login_base)
            self._token = Token(value, self.clock() + max(0.0, seconds))
        else:
            self._token = await self._fetch_token()
        self._token_failure = None
        return self._token.value

    async def _fetch_token(self) -> Token:
        s = self.settings
        missing = s.missing(need_queue=False, need_api=False)
        if missing:
            raise not_configured(missing)
        url = f"{s.login_base}/oauth/token"
        self.token_requests += 1
        try:
            resp = await self.http.post(
                url,
                auth=(s.client_id, s.client_secret),
                data={"grant_type": "client_credentials"},
                headers={"Accept": "application/json"},
            )
        except httpx.HTTPError as exc:
            raise _unreachable("login service", url, exc) from None
        # OAuth servers answer a bad client with 401, some with 400 invalid_client.
        if resp.status_code == 401 or (resp.status_code == 400 and _oauth_error(resp) in ("invalid_client", "unauthorized_client")):
            raise GenesysError(
                "credentials_rejected",
                502,
                f"Genesys rejected the OAuth client credentials (HTTP {resp.status_code}).",
                "Check GENESYS_CLIENT_ID and GENESYS_CLIENT_SECRET against Admin > Integrations > OAuth in Genesys Cloud; "
                "the client must use the Client Credentials grant and belong to this region's org.",
                resp.status_code, detail=f"client id {s.client_id!r} at {url}",
            )
        if resp.status_code != 200:
            raise _unexpected("login service", resp)
        try:
            data = resp.json()
            value = str(data["access_token"])
            expires_in = float(data.get("expires_in") or 86400)
        except (ValueError, KeyError, TypeError):
            raise GenesysError(
                "upstream_error", 502, "The Genesys login service returned a token response without access_token.",
                "Check GENESYS_LOGIN_URL points at the login host (login.{region}).", resp.status_code,
            ) from None
        return Token(value, self.clock() + max(0.0, expires_in - refresh_margin(expires_in)))

    # -- platform API --------------------------------------------------------

    async def api_get(self, path: str) -> httpx.Response:
        """GET with the bearer token; a 401 means the token died early, so renew once."""
        return await self._api("GET", path)

    async def api_post(self, path: str, body: dict) -> httpx.Response:
        return await self._api("POST", path, body)

    async def _api(self, method: str, path: str, body: dict | None = None) -> httpx.Response:
        url = f"{self.settings.api_base}{path}"
        self.breaker.check()
        try:
            resp = await self._api_once(method, url, body)
        except GenesysError as exc:
            if exc.code == "upstream_unreachable":
                self.breaker.failed()
            raise
        if resp.status_code >= 500 or resp.status_code == 429:
            self.breaker.failed()
        else:
            self.breaker.succeeded()
        return resp

    async def _api_once(self, method: str, url: str, body: dict | None) -> httpx.Response:
        for attempt in (1, 2):
            token = await self.token()
            headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
            try:
                if method == "POST":
                    resp = await self.http.post(url, headers=headers, json=body)
                else:
                    resp = await self.http.get(url, headers=headers)
            except httpx.HTTPError as exc:
                raise _unreachable("API", url, exc) from None
            if resp.status_code != 401 or attempt == 2:
                return resp
            self.drop_token(token)
        raise AssertionError("unreachable")

    def _refused(self, resp: httpx.Response, permission: str, what: str, missing_code: str, missing_fix: str):
        """The common failures of a platform call, as errors that say what to fix."""
        code = resp.status_code
        if code == 401:
            return GenesysError(
                "credentials_rejected", 502, "The Genesys API rejected a freshly issued token.",
                "Check that GENESYS_LOGIN_URL and GENESYS_API_URL (or GENESYS_REGION) name the same region as the "
                "OAuth client.", code)
        if code == 403:
            return GenesysError(
                "permission_missing", 502, f"The OAuth client is not allowed to read {what}.",
                f"In Genesys Cloud, give the OAuth client's role the permission {permission} "
                "(Admin > Roles/Permissions), including the right division.", code)
        if code in (400, 404):
            return GenesysError(missing_code, 502, f"Genesys does not know {what} in this org and region.",
                                missing_fix, code)
        return _unexpected("API", resp)

    async def agents_on_queue(self, queue_id: str | None = None) -> dict:
        """On-queue members of the queue, idle or interacting, from queue observations."""
        queue_id = queue_id or self.settings.queue_id
        query = {"filter": {"type": "or", "predicates": [
            {"type": "dimension", "dimension": "queueId", "operator": "matches", "value": queue_id}]},
            "metrics": ["oOnQueueUsers"]}
        resp = await self.api_post("/api/v2/analytics/queues/observations/query", query)
        if resp.status_code != 200:
            raise self._refused(resp, "analytics:queueObservation:view", "the queue's observations", "queue_not_found",
                                "Copy the queue id from Admin > Contact Center > Queues into GENESYS_QUEUE_ID.")
        counts = {"IDLE": 0, "INTERACTING": 0}
        try:
            for result in resp.json().get("results") or []:
                for entry in result.get("data") or []:
                    if entry.get("metric") == "oOnQueueUsers" and entry.get("qualifier") in counts:
                        value = (entry.get("stats") or {}).get("count")
                        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
                            counts[entry["qualifier"]] += value
        except (ValueError, AttributeError, TypeError):
            raise GenesysError("upstream_error", 502, "The Genesys API answered queue observations it cannot read.",
                               "If it persists, see status.mypurecloud.com.", resp.status_code) from None
        return {"available": counts["IDLE"] + counts["INTERACTING"], "idle": counts["IDLE"],
                "interacting": counts["INTERACTING"]}

    async def schedule_group(self, group_id: str) -> tuple[dict, dict[str, dict]]:
        """The schedule group and every schedule it names (open, closed, holiday)."""
        resp = await self.api_get(f"/api/v2/architect/schedulegroups/{group_id}")
        if resp.status_code != 200:
            raise self._refused(resp, "routing:scheduleGroup:view", "the schedule group", "schedule_group_not_found",
                                "Copy the schedule group's id from Admin > Architect > Scheduling > Schedule Groups "
                                "into GENESYS_SCHEDULE_GROUP_ID.")
        group = _json_object(resp)
        ids = []
        for key in ("openSchedules", "closedSchedules", "holidaySchedules"):
            for ref in group.get(key) or []:
                schedule_id = ref.get("id") if isinstance(ref, dict) else None
                if isinstance(schedule_id, str) and schedule_id not in ids:
                    ids.append(schedule_id)
        schedules = {}
        for schedule_id in ids:
            one = await self.api_get(f"/api/v2/architect/schedules/{schedule_id}")
            if one.status_code != 200:
                raise self._refused(one, "routing:schedule:view", "a schedule of the group", "schedule_not_found",
                                    "A schedule the group names is gone: fix the group in Architect.")
            schedules[schedule_id] = _json_object(one)
        return group, schedules

    async def estimated_wait(self, queue_id: str | None = None) -> WaitTime:
        s = self.settings
        missing = s.missing(need_queue=queue_id is None)
        if missing:
            raise not_configured(missing)
        queue_id = queue_id or s.queue_id
        resp = await self.api_get(f"/api/v2/routing/queues/{queue_id}/estimatedwaittime")
        code = resp.status_code
        if code == 200:
            return WaitTime(queue_id, _pick_seconds(resp), _now_iso())
        if code == 401:
            raise GenesysError(
                "credentials_rejected", 502,
                "The Genesys API rejected a freshly issued token.",
                "Check that GENESYS_LOGIN_URL and GENESYS_API_URL (or GENESYS_REGION) name the same region as the OAuth client.",
                code,
            )
        if code == 403:
            raise GenesysError(
                "permission_missing", 502,
                "The OAuth client is not allowed to read the queue's estimated wait time.",
                "In Genesys Cloud, give the OAuth client's role the permission routing:queue:view "
                "(Admin > Roles/Permissions), including the queue's division.",
                code,
            )
        if code in (400, 404):
            raise GenesysError(
                "queue_not_found", 502,
                f"Genesys does not know the queue {queue_id!r} in this org/region.",
                "Copy the queue id from Admin > Contact Center > Queues into GENESYS_QUEUE_ID, and check the region.",
                code,
            )
        raise _unexpected("API", resp)

    async def cached_wait(self, queue_id: str | None = None) -> WaitTime:
        """The wait time, shared by every page load for a few seconds.

        Failures are cached too, so a misconfigured proxy does not turn each
        page view into a token request that Genesys may rate-limit.
        """
        key = queue_id or self.settings.queue_id
        hit = self._fresh(key)
        if hit is None:
            async with self._wait_lock:
                hit = self._fresh(key)
                if hit is None:
                    try:
                        hit = await self.estimated_wait(queue_id)
                    except GenesysError as exc:
                        hit = exc
                    if not (isinstance(hit, GenesysError) and hit.code == "not_configured"):
                        self._wait_cache[key] = (self.clock() + self.wait_cache_seconds, hit)
        if isinstance(hit, GenesysError):
            raise hit
        return hit

    def _fresh(self, key: str):
        entry = self._wait_cache.get(key)
        if entry and self.clock() < entry[0]:
            return entry[1]
        return None


def _json_object(resp: httpx.Response) -> dict:
    try:
        data = resp.json()
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise GenesysError("upstream_error", 502, "The Genesys API answered something that is not a JSON object.",
                           "If it persists, see status.mypurecloud.com.", resp.status_code)
    return data


def _pick_seconds(resp: httpx.Response) -> int | None:
    # `results` may hold several intents/formulas; any numeric estimate is as
    # good as another for a "about N minutes" hint, so take the first.
    try:
        results = resp.json().get("results") or []
    except (ValueError, AttributeError):
        return None
    for item in results:
        value = item.get("estimatedWaitTimeSeconds") if isinstance(item, dict) else None
        if isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0:
            return int(round(value))
    return None


def _oauth_error(resp: httpx.Response) -> str:
    try:
        return str(resp.json().get("error", ""))
    except (ValueError, AttributeError):
        return ""


def _unexpected(what: str, resp: httpx.Response) -> GenesysError:
    if resp.status_code == 429:
        return GenesysError(
            "upstream_rate_limited", 503, f"The Genesys {what} is rate-limiting this client (HTTP 429).",
            "Wait a moment; the proxy caches results, so this should clear on its own.", 429,
        )
    return GenesysError(
        "upstream_error", 502, f"The Genesys {what} answered HTTP {resp.status_code}.",
        "Check the region settings; if it persists, see status.mypurecloud.com.", resp.status_code,
    )


def _now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")
