"""Load on the emulator's socket: N concurrent guests each send M texts and wait for the echoes.

    .venv/bin/python -m bench.emulator_load [--sessions 1000] [--messages 10]

The emulator runs as a subprocess on a free loopback port. The guests use a deployment of
their own with the bot off (so the figures measure the service path: receive, validate, echo)
and the real limits on: each guest is paced just under 2 messages/s, the per-session limit, and
backs off `retryAfter` on a 429 (counted). Prints total messages, messages per second, p50/p99
echo latency (send -> Inbound echo with the same tracingId), the emulator's peak RSS
(VmHWM), and messages lost (no echo within 30 s) or duplicated (echo seen twice).
Bounded: every phase has a deadline, and the subprocess is always stopped.
"""
import argparse
import asyncio
import json
import os
import random
import resource
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
import uuid

from websockets.asyncio.client import connect

# 2 msg/s per guest is the emulator's default messagesPerSecond, over a sliding second: sends
# exactly 0.5 s apart put a third message right on the window's edge, and loopback jitter then
# turns a share of them into 429s. A 5% margin keeps the real limit on and rarely hit.
PACE_SECONDS = 0.525
LOST_AFTER_SECONDS = 30.0
CONNECT_CONCURRENCY = 100  # handshakes in flight at once (keeps the listen backlog happy)


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _raise_file_limit(wanted):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = hard if hard == resource.RLIM_INFINITY else min(hard, max(soft, wanted))
    if target > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def _http(base, method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read() or b"null")


def _peak_rss_kb(pid):
    try:
        with open("/proc/%d/status" % pid) as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def _cpu_seconds(pid):
    try:
        with open("/proc/%d/stat" % pid) as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime
    except (OSError, IndexError, ValueError):
        return None


class Guest:
    def __init__(self, index, url, deployment_id, messages, stats):
        self.index = index
        self.url = url
        self.deployment_id = deployment_id
        self.messages = messages
        self.stats = stats
        self.token = str(uuid.uuid4())
        self.configured = asyncio.Event()
        self.ws = None

    async def open(self, gate):
        async with gate:
            self.ws = await connect(self.url, compression=None, ping_interval=None, open_timeout=60,
                                    max_queue=None)
        self.reader = asyncio.get_running_loop().create_task(self._read())
        await self.ws.send(json.dumps({"action": "configureSession", "token": self.token,
                                       "deploymentId": self.deployment_id, "tracingId": "cfg"}))
        await asyncio.wait_for(self.configured.wait(), 60)

    async def _read(self):
        stats = self.stats
        try:
            async for raw in self.ws:
                frame = json.loads(raw)
                tracing_id = frame.get("tracingId")
                if frame.get("class") == "SessionResponse":
                    self.configured.set()
                elif frame.get("class") == "TooManyRequestsErrorMessage" and tracing_id in stats.pending:
                    stats.retries += 1
                    stats.pending[tracing_id].set_result(frame["body"].get("retryAfter", 1))
                elif frame.get("class") == "StructuredMessage" and tracing_id in stats.sent:
                    if tracing_id in stats.echoed:
                        stats.duplicated += 1
                    else:
                        stats.echoed[tracing_id] = time.monotonic()
                        future = stats.pending.get(tracing_id)
                        if future and not future.done():
                            future.set_result(None)
        except Exception:  # closed at the end (or by the emulator): nothing more to read
            pass

    async def run(self, start_at):
        loop = asyncio.get_running_loop()
        for n in range(self.messages):
            due = start_at + n * PACE_SECONDS
            await asyncio.sleep(max(0.0, due - loop.time()))
            tracing_id = "g%d-m%d-%s" % (self.index, n, uuid.uuid4().hex[:8])
            while True:
                future = loop.create_future()
                self.stats.pending[tracing_id] = future
                self.stats.sent[tracing_id] = time.monotonic()
                await self.ws.send(json.dumps({"action": "onMessage", "token": self.token, "tracingId": tracing_id,
                                               "message": {"type": "Text", "text": "load %d" % n}}))
                # Wait only for a 429 (to resend); an echo, or nothing yet, lets pacing continue.
                try:
                    retry_after = await asyncio.wait_for(asyncio.shield(future), PACE_SECONDS)
                except asyncio.TimeoutError:
                    break
                if retry_after is None:
                    break
                self.stats.pending.pop(tracing_id, None)
                await asyncio.sleep(retry_after)

    async def close(self):
        if self.ws is not None:
            await self.ws.close()
            try:
                await asyncio.wait_for(self.reader, 5)
            except (asyncio.TimeoutError, asyncio.CancelledError):
                pass


class Stats:
    def __init__(self):
        self.sent = {}  # tracingId -> monotonic time of the (last) send
        self.echoed = {}  # tracingId -> monotonic time of the first echo
        self.pending = {}  # tracingId -> future: 429 retryAfter, or None on echo
        self.retries = 0
        self.duplicated = 0


async def _load(base, deployment_id, sessions, messages, pid):
    url = base.replace("http://", "ws://") + "/v1?deploymentId=" + deployment_id
    stats = Stats()
    guests = [Guest(i, url, deployment_id, messages, stats) for i in range(sessions)]
    gate = asyncio.Semaphore(CONNECT_CONCURRENCY)
    started = time.monotonic()
    try:
        await asyncio.wait_for(asyncio.gather(*(g.open(gate) for g in guests)), 180)
        connected = time.monotonic() - started
        loop = asyncio.get_running_loop()
        # Spread the guests' first sends over one pacing interval so the load is steady.
        first = loop.time() + 0.1
        send_started = time.monotonic()
        await asyncio.wait_for(asyncio.gather(*(g.run(first + random.random() * PACE_SECONDS) for g in guests)),
                               messages * PACE_SECONDS + 120)
        last_send = time.monotonic()
        deadline = last_send + LOST_AFTER_SECONDS
        while len(stats.echoed) < len(stats.sent) and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.3)  # a late duplicate would show up here
        finished = time.monotonic()
    finally:
        await asyncio.gather(*(g.close() for g in guests), return_exceptions=True)
    latencies = sorted(stats.echoed[t] - stats.sent[t] for t in stats.echoed)
    last_echo = max(stats.echoed.values()) if stats.echoed else finished
    return {
        "sessions": sessions,
        "messages per session": messages,
        "total messages": len(stats.sent),
        "pace per guest (msg/s)": round(1 / PACE_SECONDS, 2),
        "connect + configure (s)": round(connected, 2),
        "send phase (s)": round(last_send - send_started, 2),
        "messages per second": round(len(stats.echoed) / max(1e-9, last_echo - send_started), 1),
        "echo latency p50 (ms)": round(1000 * statistics.median(latencies), 1) if latencies else None,
        "echo latency p99 (ms)": round(1000 * latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))], 1)
        if latencies else None,
        "echo latency max (ms)": round(1000 * latencies[-1], 1) if latencies else None,
        "429 retries": stats.retries,
        "lost (no echo in 30 s)": len(stats.sent) - len(stats.echoed),
        "duplicated": stats.duplicated,
        "emulator peak RSS (MB)": round(_peak_rss_kb(pid) / 1024, 1) if _peak_rss_kb(pid) else None,
        "emulator CPU time (s)": _cpu_seconds(pid),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.emulator_load")
    parser.add_argument("--sessions", type=int, default=1000)
    parser.add_argument("--messages", type=int, default=10)
    args = parser.parse_args(argv)
    if args.sessions < 1 or args.messages < 1:
        parser.error("--sessions and --messages must be positive")
    # Both ends hold one descriptor per socket; the emulator inherits the raised limit.
    limit = _raise_file_limit(args.sessions * 2 + 256)
    if limit < args.sessions + 64:
        parser.error("open-file limit %d is too low for %d sessions" % (limit, args.sessions))
    port = _free_port()
    base = "http://127.0.0.1:%d" % port
    emulator = subprocess.Popen([sys.executable, "-m", "emulator", "--host", "127.0.0.1", "--port", str(port),
                                 "--bot-delay", "0"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                _http(base, "GET", "/_emulator/sessions")
                break
            except OSError:
                if emulator.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit("the emulator did not start: %s" % emulator.stderr.read().decode()[-2000:])
                time.sleep(0.1)
        deployment_id = "bench-" + uuid.uuid4().hex[:12]
        _http(base, "POST", "/_emulator/deployments/" + deployment_id,
              {"create": True, "bot": False, "allowAllDomains": True})
        result = asyncio.run(_load(base, deployment_id, args.sessions, args.messages, emulator.pid))
    finally:
        emulator.send_signal(signal.SIGTERM)
        try:
            emulator.wait(timeout=15)
        except subprocess.TimeoutExpired:
            emulator.kill()
            emulator.wait()
    width = max(len(k) for k in result)
    print("emulator load: %d sessions x %d messages" % (args.sessions, args.messages))
    for key, value in result.items():
        print("  %-*s  %s" % (width, key, value))
    return 0


if __name__ == "__main__":
    sys.exit(main())
