"""What `/api/context` answers: open hours, agents available and the estimated wait, each a part.

Each part is fetched from Genesys at most once per `cache_seconds` however many callers ask at
once (single flight: the first caller fetches, the others wait for its answer), and failures are
kept as briefly as answers so a broken setting does not turn every page view into an upstream
call. A part that fails is reported as unavailable with its code and plain words; the others
still answer. Only when nothing can answer (the proxy is not configured, or Genesys refuses its
credentials) is the whole answer an error.

The cache keeps its entries in this process; the multi-instance issue replaces `MemoryCache`
with one in Redis behind the same two methods.
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import datetime, timezone
from typing import Awaitable, Callable

from . import hours as hours_mod
from .genesys import GenesysClient, GenesysError, not_configured

log = logging.getLogger("proxy")
WHOLE_ANSWER_ERRORS = ("not_configured", "credentials_rejected")


class MemoryCache:
    """Answers (or errors) by key for a while, with one fetch in flight per key."""

    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self.clock = clock
        self._entries: dict[str, tuple[float, object]] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self.fetches: dict[str, int] = {}  # upstream fetches per key (tests and benchmarks read it)

    def _fresh(self, key: str):
        entry = self._entries.get(key)
        if entry and self.clock() < entry[0]:
            return entry[1], True
        return None, False

    async def get(self, key: str, ttl: float, fetch: Callable[[], Awaitable[object]]):
        value, hit = self._fresh(key)
        if not hit:
            lock = self._locks.setdefault(key, asyncio.Lock())
            async with lock:
                value, hit = self._fresh(key)
                if not hit:
                    self.fetches[key] = self.fetches.get(key, 0) + 1
                    try:
                        value = await fetch()
                    except GenesysError as exc:
                        value = exc
                    if ttl > 0 and not (isinstance(value, GenesysError) and value.code == "not_configured"):
                        self._entries[key] = (self.clock() + ttl, value)
        if isinstance(value, GenesysError):
            raise value
        return value


class Context:
    def __init__(self, client: GenesysClient, cache: MemoryCache | None = None,
                 now: Callable[[], datetime] = lambda: datetime.now(timezone.utc)):
        self.client = client
        self.settings = client.settings
        self.cache = cache or MemoryCache(client.clock)
        self.now = now

    async def answer(self) -> tuple[int, dict]:
        """(HTTP status, body) of /api/context."""
        s = self.settings
        missing = s.missing()
        if missing:
            raise not_configured(missing)
        ttl = s.cache_seconds
        queue = s.queue_id
        parts = {
            "wait": self.cache.get("wait:" + queue, ttl, self._wait),
            "agents": self.cache.get("agents:" + queue, ttl, self._agents),
        }
        if s.schedule_group_id:
            parts["hours"] = self._hours(ttl)
        names = list(parts)
        results = await asyncio.gather(*parts.values(), return_exceptions=True)
        body: dict = {"queueId": queue, "fetchedAt": _iso(self.now())}
        failures = []
        for name, result in zip(names, results):
            if isinstance(result, GenesysError):
                log.warning("/api/context %s: %s (%s) %s", name, result.code, result.message, result.detail)
                failures.append(result)
                body[name] = {"status": "unavailable", "code": result.code, "message": result.message,
                              "fix": result.fix}
            elif isinstance(result, BaseException):
                log.error("/api/context %s failed", name, exc_info=result)
                body[name] = {"status": "unavailable", "code": "internal_error",
                              "message": "The proxy failed unexpectedly."}
            else:
                body[name] = dict(result, status="ok")
        if "hours" not in body:
            body["hours"] = {"status": "unconfigured"}
        if failures and len(failures) == len(names):
            whole = [f for f in failures if f.code in WHOLE_ANSWER_ERRORS or f.code == "upstream_unreachable"]
            if whole and all(f.code == whole[0].code for f in failures):
                raise whole[0]  # nothing can answer: say why once, as before
        wait = body["wait"]
        if wait.get("status") == "ok":
            body["estimatedWaitSeconds"] = wait.get("estimatedWaitSeconds")  # the page's long-standing field
        return 200, body

    async def _wait(self) -> dict:
        wait = await self.client.estimated_wait()
        return {"estimatedWaitSeconds": wait.seconds}

    async def _agents(self) -> dict:
        return await self.client.agents_on_queue()

    async def _hours(self, ttl: float) -> dict:
        # The schedules are cached; whether they make "open" is worked out for this very moment.
        group_id = self.settings.schedule_group_id
        group, schedules = await self.cache.get("hours:" + group_id, ttl,
                                                lambda: self.client.schedule_group(group_id))
        try:
            return hours_mod.evaluate(group, schedules, self.now()).as_json()
        except hours_mod.ScheduleError as exc:
            raise GenesysError("schedule_unreadable", 502, "The schedule group's open hours cannot be read.",
                               "Fix the schedule in Architect: " + str(exc), detail=str(exc)) from None


def _iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")
