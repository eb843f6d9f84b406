"""/api/context under a burst: 1,000 cold requests from 100 concurrent connections on one proxy instance, and spread over
two instances sharing a redis-server; what Genesys (the emulator) was asked, and the latencies;
then how many requests per second one instance answers from its cache.

    .venv/bin/python -m bench.context [--requests 1000] [--connections 100]

Needs Debian's redis-server (`make install`). Prints figures; asserts nothing.
"""
import argparse
import asyncio
import shutil
import statistics
import subprocess
import time

import httpx

from scripts import stack as stack_mod


def _percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


async def _burst(urls, total, connections):
    """`connections` workers, each with its own connection, send `total` requests between them;
    a request's latency is its own round trip (no time queued in a client pool)."""
    latencies, statuses = [], []
    per_worker = [total // connections + (1 if i < total % connections else 0) for i in range(connections)]

    async def worker(index, count):
        async with httpx.AsyncClient(timeout=60, limits=httpx.Limits(max_connections=1)) as client:
            url = urls[index % len(urls)] + "/api/context"
            for _ in range(count):
                started = time.monotonic()
                response = await client.get(url)
                latencies.append(time.monotonic() - started)
                statuses.append(response.status_code)

    started = time.monotonic()
    await asyncio.gather(*(worker(i, n) for i, n in enumerate(per_worker) if n))
    return list(zip(statuses, latencies)), time.monotonic() - started


def _calls(emulator_url):
    return httpx.get(emulator_url + "/_emulator/calls", timeout=10).json()["calls"]


def _report(name, results, elapsed, calls):
    latencies = [seconds * 1000 for _, seconds in results]
    ok = sum(1 for status, _ in results if status == 200)
    token = calls.pop("token", 0)
    parts = ", ".join("%s %d" % (path.rsplit("/", 2)[-2] if "architect" in path else path.rsplit("/", 1)[-1], n)
                      for path, n in sorted(calls.items()))
    print("%-34s %4d/%d ok  token calls %d  upstream calls: %s  p50 %5.0f ms  p99 %5.0f ms  (%.1f s)"
          % (name, ok, len(results), token, parts, statistics.median(latencies), _percentile(latencies, 99), elapsed),
          flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--connections", type=int, default=100, help="concurrent connections (each its own client)")
    args = parser.parse_args()
    redis_server = shutil.which("redis-server")
    if not redis_server:
        raise SystemExit("redis-server is missing: run `make install`")
    emulator_port = stack_mod.free_port()
    emulator = stack_mod.start_emulator(emulator_port, quiet=True)
    emulator_url = "http://127.0.0.1:%d" % emulator_port
    redis_port = stack_mod.free_port()
    redis = subprocess.Popen([redis_server, "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "",
                              "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    env = {"GENESYS_SCHEDULE_GROUP_ID": stack_mod.DEMO_SCHEDULE_GROUP_ID, "PROXY_RATE_LIMIT": "1000000/minute",
           "CONTEXT_CACHE_SECONDS": "60"}
    procs = []
    try:
        time.sleep(0.3)
        single = stack_mod.free_port()
        procs.append(stack_mod.start_proxy(single, emulator_port, quiet=True, env_extra=env))
        pair = [stack_mod.free_port(), stack_mod.free_port()]
        for port in pair:
            procs.append(stack_mod.start_proxy(port, emulator_port, quiet=True, env_extra=dict(
                env, REDIS_URL="redis://127.0.0.1:%d/0" % redis_port)))
        one_url = ["http://127.0.0.1:%d" % single]
        two_urls = ["http://127.0.0.1:%d" % p for p in pair]

        httpx.post(emulator_url + "/_emulator/reset", json={}, timeout=10)
        results, elapsed = asyncio.run(_burst(one_url, args.requests, args.connections))
        _report("one instance, cold", results, elapsed, _calls(emulator_url))

        httpx.post(emulator_url + "/_emulator/reset", json={}, timeout=10)
        results, elapsed = asyncio.run(_burst(two_urls, args.requests, args.connections))
        _report("two instances + Redis, cold", results, elapsed, _calls(emulator_url))

        for connections in (1, 10, args.connections):
            results, elapsed = asyncio.run(_burst(one_url, args.requests, connections))
            latencies = [seconds * 1000 for _, seconds in results]
            print("one instance from cache, %3d connections: %6.0f requests/s  p50 %4.0f ms  p99 %4.0f ms"
                  % (connections, len(results) / elapsed, statistics.median(latencies), _percentile(latencies, 99)),
                  flush=True)
    finally:
        for process in procs:
            stack_mod.stop(process)
        stack_mod.stop(emulator)
        redis.terminate()
        redis.wait(timeout=10)


if __name__ == "__main__":
    main()
