"""What several proxy instances share through Redis (REDIS_URL): the token, the context caches with
their single flight, and the rate-limit counters. Without REDIS_URL each process keeps its own
(proxy/context.MemoryCache, the client's token, guard.TokenBucket).

- Cache with single flight across instances: a value (or an error) is kept under its key for the
  part's TTL. A caller that finds none takes the key's lock (SET NX PX: one holder in the whole
  fleet), fetches, stores and releases; the others poll for the stored value meanwhile. A holder
  that dies frees the lock when its PX runs out.
- The token: the same, under one key, kept for its lifetime minus the renewal margin.
- Rate limits: a counter per client per window (INCR + EXPIRE in one transaction), so the limit
  holds across every instance.

Redis holds the access token (never the client secret): keep it on a private network.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import secrets
import time

import logging

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from .genesys import GenesysError

log = logging.getLogger("proxy")

RELEASE = """if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end"""
POLL_SECONDS = 0.02  # the first wait for another instance's answer; it doubles up to POLL_MAX
POLL_MAX = 0.2
CONNECTIONS = 64  # per instance; a burst waits for a free connection rather than failing
LOCK_MS = 15000  # longer than any upstream call (the client's timeout is 8 s)


def _encode(value) -> str:
    if isinstance(value, GenesysError):
        return json.dumps({"error": {"code": value.code, "status": value.status, "message": value.message,
                                     "fix": value.fix, "upstream": value.upstream_status}})
    return json.dumps({"value": value})


def _decode(text):
    data = json.loads(text)
    if "error" in data:
        e = data["error"]
        return GenesysError(e["code"], e["status"], e["message"], e.get("fix", ""), e.get("upstream"))
    return data["value"]


class RedisShared:
    def __init__(self, url: str, prefix: str = "pychat:", client=None):
        if client is None:
            pool = aioredis.BlockingConnectionPool.from_url(url, max_connections=CONNECTIONS, timeout=20,
                                                            decode_responses=True)
            client = aioredis.Redis(connection_pool=pool)
        self.redis = client
        self.prefix = prefix
        self._release = self.redis.register_script(RELEASE)
        self.fetches: dict[str, int] = {}  # this instance's upstream fetches per key

    async def aclose(self):
        await self.redis.aclose()

    async def _single_flight(self, key: str, ttl_ms, fetch, keep=lambda value: True):
        """`ttl_ms`: milliseconds to keep the value, or a function of the value giving them."""
        try:
            return await self._flight(key, ttl_ms, fetch, keep)
        except RedisError as exc:
            log.error("redis: %s (%s)", type(exc).__name__, exc)
            raise GenesysError("shared_store_unavailable", 503, "The proxy's shared store is not answering.",
                               "Check REDIS_URL and that Redis is up.") from None

    async def _flight(self, key: str, ttl_ms, fetch, keep):
        pause = POLL_SECONDS
        store = self.prefix + "v:" + key
        lock = self.prefix + "lock:" + key
        deadline = time.monotonic() + LOCK_MS / 1000 + 5
        while True:
            text = await self.redis.get(store)
            if text is not None:
                return _decode(text)
            owner = secrets.token_hex(8)
            if await self.redis.set(lock, owner, nx=True, px=LOCK_MS):
                try:
                    text = await self.redis.get(store)  # stored while we took the lock
                    if text is not None:
                        return _decode(text)
                    self.fetches[key] = self.fetches.get(key, 0) + 1
                    try:
                        value = await fetch()
                    except GenesysError as exc:
                        value = exc
                    keep_ms = ttl_ms(value) if callable(ttl_ms) else ttl_ms
                    if keep_ms > 0 and keep(value):
                        await self.redis.set(store, _encode(value), px=max(1, int(keep_ms)))
                    return value
                finally:
                    await self._release(keys=[lock], args=[owner])
            if time.monotonic() > deadline:
                raise GenesysError("upstream_unavailable", 503, "The proxy waited too long for another instance's "
                                   "answer.", "Check the proxy instances' logs and Redis.")
            await asyncio.sleep(pause)
            pause = min(POLL_MAX, pause * 2)

    # -- the context caches (the same two-argument shape as MemoryCache.get) ----------------------
    async def get(self, key: str, ttl: float, fetch):
        value = await self._single_flight("ctx:" + key, int(ttl * 1000), fetch,
                                          keep=lambda v: not (isinstance(v, GenesysError) and v.code == "not_configured"))
        if isinstance(value, GenesysError):
            raise value
        return value

    # -- the token --------------------------------------------------------------------------------
    async def token(self, fetch_token, clock, error_seconds: float = 10.0, whose: str = "") -> tuple[str, float]:
        """(access token, seconds it stays good), fetched once for the whole fleet and kept for its
        own lifetime (a refusal for `error_seconds`, so a wrong secret does not hammer the login).
        `whose` (the client id and login host) keys it: proxies of two orgs may share one Redis."""
        async def fetch():
            token = await fetch_token()
            return {"token": token.value, "until": time.time() + max(0.0, token.expires_at - clock())}

        def lifetime(value):
            if isinstance(value, GenesysError):
                return 0 if value.code == "not_configured" else error_seconds * 1000
            return (value["until"] - time.time()) * 1000

        key = "token:" + hashlib.sha256(whose.encode()).hexdigest()[:16]
        self._token_key = self.prefix + "v:" + key
        value = await self._single_flight(key, lifetime, fetch)
        if isinstance(value, GenesysError):
            raise value
        return value["token"], value["until"] - time.time()

    async def drop_token(self, value: str) -> None:
        store = getattr(self, "_token_key", self.prefix + "v:token")
        try:
            text = await self.redis.get(store)
            if text is not None and (_decode(text) or {}).get("token") == value:
                await self.redis.delete(store)
        except RedisError as exc:
            log.error("redis: %s (%s)", type(exc).__name__, exc)

    # -- rate limits --------------------------------------------------------------------------------
    async def count(self, client: str, window_s: int) -> tuple[int, float]:
        """(requests from `client` in the current window, seconds until the window ends)."""
        now = time.time()
        window = int(now // window_s)
        key = f"{self.prefix}rl:{client}:{window}"
        try:
            async with self.redis.pipeline(transaction=True) as pipe:
                pipe.incr(key)
                pipe.expire(key, window_s + 1)
                count, _ = await pipe.execute()
        except RedisError as exc:  # the limit fails open: a Redis outage must not take the chat's API down
            log.error("redis: rate limit not counted: %s (%s)", type(exc).__name__, exc)
            return 0, 0.0
        return int(count), (window + 1) * window_s - now
