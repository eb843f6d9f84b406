"""Several proxy instances behind one load balancer share the token, the context caches and the rate
limits through a real redis-server (Debian's, installed by `make`); without REDIS_URL one instance
does the same on its own. The emulator counts what Genesys was really asked."""
import asyncio
import shutil
import subprocess
import time

import httpx
import pytest

from scripts import stack as stack_mod

GROUP = stack_mod.DEMO_SCHEDULE_GROUP_ID


@pytest.fixture(scope="module")
def redis_url():
    server = shutil.which("redis-server")
    assert server, "redis-server is missing: `make install` installs Debian's redis-server"
    port = stack_mod.free_port()
    process = subprocess.Popen([server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    import redis

    client = redis.Redis(host="127.0.0.1", port=port)
    deadline = time.time() + 10
    while True:
        try:
            client.ping()
            break
        except redis.ConnectionError:
            if time.time() > deadline or process.poll() is not None:
                raise RuntimeError("redis-server did not start")
            time.sleep(0.05)
    yield "redis://127.0.0.1:%d/0" % port
    client.close()
    process.terminate()
    process.wait(timeout=10)


def _emulator_port(emu):
    return int(emu.emulator_url.rsplit(":", 1)[1])


def _proxies(emu, count, **env):
    procs, urls = [], []
    try:
        for _ in range(count):
            port = stack_mod.free_port()
            procs.append(stack_mod.start_proxy(port, _emulator_port(emu), quiet=True, env_extra=dict(
                {"GENESYS_SCHEDULE_GROUP_ID": GROUP, "PROXY_RATE_LIMIT": "100000/minute"}, **env)))
            urls.append("http://127.0.0.1:%d" % port)
    except Exception:
        for p in procs:
            stack_mod.stop(p)
        raise
    return procs, urls


async def _burst(urls, total, connections=100):
    """`connections` concurrent clients (one connection each) send `total` cold requests between
    them, spread over `urls`."""
    answers = []

    async def worker(index, count):
        async with httpx.AsyncClient(timeout=60, limits=httpx.Limits(max_connections=1)) as client:
            for _ in range(count):
                answers.append(await client.get(urls[index % len(urls)] + "/api/context"))

    await asyncio.gather(*(worker(i, total // connections) for i in range(connections)))
    return [(r, 0) for r in answers]


def _calls(emu):
    return httpx.get(emu.emulator_url + "/_emulator/calls", timeout=10).json()["calls"]


def _assert_one_call_each(emu, answers):
    assert [r.status_code for r, _ in answers] == [200] * len(answers)
    bodies = [r.json() for r, _ in answers]
    assert all(b["hours"]["status"] == "ok" and b["agents"]["status"] == "ok" and b["wait"]["status"] == "ok"
               for b in bodies)
    calls = _calls(emu)
    assert calls.pop("token") == 1, calls
    assert calls == {
        "/api/v2/routing/queues/%s/estimatedwaittime" % stack_mod.DEMO_QUEUE_ID: 1,
        "/api/v2/analytics/queues/observations/query": 1,
        "/api/v2/architect/schedulegroups/%s" % GROUP: 1,
        "/api/v2/architect/schedules/9e8d7c6b-5a49-4382-9160-5f4e3d2c1b0a": 1,
    }, calls


def test_two_instances_with_redis_make_one_token_call_and_one_call_per_part(emu, redis_url):
    import redis

    redis.Redis.from_url(redis_url).flushdb()
    procs, urls = _proxies(emu, 2, REDIS_URL=redis_url, CONTEXT_CACHE_SECONDS="30")
    try:
        httpx.post(emu.emulator_url + "/_emulator/reset", json={}, timeout=10).raise_for_status()
        answers = asyncio.run(_burst(urls, 1000))
        _assert_one_call_each(emu, answers)
        served = {str(r.url).rsplit("/api", 1)[0] for r, _ in answers}
        assert served == set(urls)  # spread over both instances
    finally:
        for p in procs:
            stack_mod.stop(p)


def test_one_instance_without_redis_does_the_same_on_its_own(emu):
    procs, urls = _proxies(emu, 1, CONTEXT_CACHE_SECONDS="30")
    try:
        httpx.post(emu.emulator_url + "/_emulator/reset", json={}, timeout=10).raise_for_status()
        _assert_one_call_each(emu, asyncio.run(_burst(urls, 1000)))
    finally:
        for p in procs:
            stack_mod.stop(p)


def test_the_rate_limit_holds_across_instances(emu, redis_url):
    import redis

    own = redis_url.rsplit("/", 1)[0] + "/1"  # a database of its own: other tests' requests are not counted
    redis.Redis.from_url(own).flushdb()
    procs, urls = _proxies(emu, 2, REDIS_URL=own, PROXY_RATE_LIMIT="10/minute")
    try:
        statuses = []
        for i in range(16):
            response = httpx.get(urls[i % 2] + "/api/context", timeout=10)
            statuses.append(response.status_code)
            if response.status_code == 429:
                assert int(response.headers["retry-after"]) >= 1
        assert statuses.count(200) == 10 and statuses.count(429) == 6, statuses
    finally:
        for p in procs:
            stack_mod.stop(p)
