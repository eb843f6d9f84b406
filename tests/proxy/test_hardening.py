"""The proxy as an attacker finds it: origins, hosts, methods, bodies, rate limits, health probes,
the circuit breaker, and logs and answers that never hold the secret, a token or an upstream URL."""
import json
import logging
from dataclasses import replace

import pytest

from proxy.app import create_app
from proxy.genesys import Breaker, GenesysClient, GenesysError
from proxy.guard import JsonFormatter, TokenBucket, parse_rate

from .conftest import TestClient
from .fake_genesys import CLIENT_ID, CLIENT_SECRET, refused_url


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def client_for(settings, tmp_path, **kw):
    (tmp_path / "index.html").write_text("<!doctype html><title>chat</title>")
    return TestClient(create_app(settings, tmp_path, GenesysClient(settings)), **kw)


def test_foreign_and_null_origins_are_refused_when_an_allow_list_is_set(fake, settings, tmp_path):
    s = replace(settings, allowed_origins=("https://www.example.com",))
    with client_for(s, tmp_path) as c:
        assert c.get("/api/context", headers={"Origin": "https://www.example.com"}).status_code == 200
        assert c.get("/api/context").status_code == 200  # no Origin: a same-origin GET, or a server
        for origin in ("https://evil.example", "null", "https://www.example.com.evil.example"):
            r = c.get("/api/context", headers={"Origin": origin})
            assert r.status_code == 403 and r.json()["error"]["code"] == "origin_not_allowed", origin
            assert "access-control-allow-origin" not in r.headers


def test_only_get_and_head_and_no_bodies(fake, settings, tmp_path):
    with client_for(settings, tmp_path) as c:
        for method in ("POST", "PUT", "DELETE", "PATCH"):
            r = c.request(method, "/api/context")
            assert r.status_code in (405, 413), method
        assert c.request("POST", "/api/context").status_code == 405
        r = c.request("GET", "/api/context", content=b"x" * 10_000)
        assert r.status_code == 413 and r.json()["error"]["code"] == "body_not_allowed"
        assert c.request("GET", "/", content=b"{}").status_code == 413
        assert c.head("/api/health").status_code == 200


def test_an_unknown_host_is_refused(fake, settings, tmp_path):
    s = replace(settings, allowed_hosts=("chat.example.com", "127.0.0.1"))
    with client_for(s, tmp_path, base_url="http://chat.example.com") as c:
        assert c.get("/").status_code == 200
        assert c.get("/api/context").status_code == 200
        for host in ("evil.example", "chat.example.com.evil.example", "", "localhost"):
            r = c.get("/api/context", headers={"Host": host})
            assert r.status_code == 421 and r.json()["error"]["code"] == "unknown_host", host
        assert c.get("/", headers={"Host": "127.0.0.1:8765"}).status_code == 200


def test_the_rate_limit_answers_429_with_retry_after(fake, settings, tmp_path):
    s = replace(settings, rate_limit="3/minute")
    with client_for(s, tmp_path) as c:
        assert [c.get("/api/context").status_code for _ in range(3)] == [200, 200, 200]
        assert c.get("/api/health").status_code == 200  # a probe is not counted
        r = c.get("/api/context")
        assert r.status_code == 429 and r.json()["error"]["code"] == "rate_limited"
        assert 1 <= int(r.headers["retry-after"]) <= 20
        assert c.get("/").status_code == 200  # the page itself is not counted


def test_token_bucket_refills_and_keys_are_separate():
    clock = Clock()
    bucket = TokenBucket(2, 1.0, clock)
    assert bucket.take("a") == 0 and bucket.take("a") == 0 and bucket.take("a") == pytest.approx(1.0)
    assert bucket.take("b") == 0
    clock.now += 1.0
    assert bucket.take("a") == 0
    assert parse_rate("10/second") == (10.0, 10.0) and parse_rate("60/minute") == (60.0, 1.0)
    for bad in ("fast", "0/minute", "5/fortnight"):
        with pytest.raises(ValueError):
            parse_rate(bad)


def test_health_and_readiness(fake, settings, tmp_path):
    with client_for(settings, tmp_path) as c:
        assert c.get("/healthz").json() == {"alive": True}
        assert c.get("/readyz").json() == {"ready": True}
    with client_for(replace(settings, client_secret="wrong"), tmp_path) as c:
        r = c.get("/readyz")
        assert r.status_code == 503 and r.json()["code"] == "credentials_rejected"
        assert c.get("/healthz").status_code == 200
    with client_for(replace(settings, client_id=""), tmp_path) as c:
        r = c.get("/readyz")
        assert r.status_code == 503 and r.json()["code"] == "not_configured"


def test_every_response_has_a_request_id_and_one_json_log_line(fake, settings, tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="proxy.access")
    with client_for(settings, tmp_path) as c:
        r = c.get("/api/context?token=leaky-query-value")
    request_id = r.headers["x-request-id"]
    lines = [json.loads(rec.getMessage()) for rec in caplog.records if rec.name == "proxy.access"]
    assert lines[-1]["requestId"] == request_id and lines[-1]["path"] == "/api/context"
    assert lines[-1]["status"] == 200 and lines[-1]["method"] == "GET"
    assert "leaky-query-value" not in caplog.text


def test_no_answer_or_log_line_holds_the_secret_a_token_or_the_upstream_url(fake, settings, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    dead = refused_url()
    cases = [settings, replace(settings, client_secret="wrong-" + CLIENT_SECRET), replace(settings, api_url=dead),
             replace(settings, login_url=dead)]
    bodies = []
    for case in cases:
        with client_for(case, tmp_path) as c:
            for path in ("/api/context", "/readyz", "/api/nope"):
                bodies.append(c.get(path).text)
    fake.forbidden = True
    with client_for(settings, tmp_path) as c:
        bodies.append(c.get("/api/context").text)
    everything = "\n".join(bodies) + caplog.text
    assert CLIENT_SECRET not in everything
    for token in fake.issued:
        assert token not in everything, token
    answers = "\n".join(bodies)
    assert dead not in answers and settings.api_url not in answers  # URLs go to the log only
    assert CLIENT_ID not in answers


def test_the_breaker_fails_fast_after_repeated_upstream_failures():
    clock = Clock()
    breaker = Breaker(clock, threshold=3, cool_seconds=30)
    for _ in range(3):
        breaker.check()
        breaker.failed()
    with pytest.raises(GenesysError) as caught:
        breaker.check()
    assert caught.value.code == "upstream_unavailable" and caught.value.status == 503
    clock.now += 31
    breaker.check()  # cooled down: one more try
    breaker.succeeded()
    breaker.check()


def test_a_dead_api_stops_being_called(fake, settings, tmp_path):
    dead = refused_url()
    client = GenesysClient(replace(settings, api_url=dead))
    import asyncio

    async def calls():
        codes = []
        for _ in range(8):
            try:
                await client.api_get("/api/v2/routing/queues/x")
            except GenesysError as exc:
                codes.append(exc.code)
        await client.aclose()
        return codes

    codes = asyncio.run(calls())
    assert codes[:5] == ["upstream_unreachable"] * 5 and codes[5:] == ["upstream_unavailable"] * 3


def test_json_log_lines():
    record = logging.LogRecord("proxy", logging.WARNING, __file__, 1, "wait: %s", ("slow",), None)
    line = json.loads(JsonFormatter().format(record))
    assert line["level"] == "warning" and line["message"] == "wait: slow" and line["logger"] == "proxy"


@pytest.mark.parametrize("env, words", [
    ({"GENESYS_API_URL": "api.mypurecloud.ie"}, "GENESYS_API_URL must be a http:// or https:// URL"),
    ({"GENESYS_LOGIN_URL": "ftp://login"}, "GENESYS_LOGIN_URL must be"),
    ({"GENESYS_REGION": "ireland"}, "GENESYS_REGION must be your region's domain"),
    ({"PROXY_ALLOWED_ORIGINS": "https://www.example.com/shop"}, "each must be an origin"),
    ({"CONTEXT_CACHE_SECONDS": "forever"}, "CONTEXT_CACHE_SECONDS must be a number of seconds"),
    ({"PROXY_RATE_LIMIT": "lots"}, "PROXY_RATE_LIMIT must look like 120/minute"),
    ({"REDIS_URL": "http://cache:6379"}, "REDIS_URL must be a redis://"),
])
def test_wrong_settings_are_refused_at_start_with_one_line_each(tmp_path, env, words):
    from proxy.settings import SettingsInvalid, load_settings

    with pytest.raises(SettingsInvalid) as caught:
        load_settings(tmp_path, env)
    assert any(words in problem for problem in caught.value.problems), caught.value.problems


def test_every_wrong_setting_is_named_at_once(tmp_path):
    from proxy.settings import SettingsInvalid, load_settings

    (tmp_path / ".env").write_text("GENESYS_API_URL=nope\n")
    with pytest.raises(SettingsInvalid) as caught:
        load_settings(tmp_path, {"PROXY_RATE_LIMIT": "fast", "GENESYS_CLIENT_SECRET": CLIENT_SECRET})
    assert len(caught.value.problems) == 2 and CLIENT_SECRET not in str(caught.value)


def test_absolute_urls_and_host_tricks_on_the_wire_are_refused(fake, settings, tmp_path):
    """Raw requests, as a client that does not play by a browser's rules would send them."""
    import socket

    from .fake_genesys import ServerThread

    (tmp_path / "index.html").write_text("<!doctype html><title>chat</title>")
    server = ServerThread(create_app(replace(settings, allowed_hosts=("127.0.0.1",)), tmp_path)).start()

    def raw(request):
        with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
            sock.sendall(request.encode("latin-1"))
            return sock.recv(65536).decode("latin-1").split("\r\n", 1)[0]

    try:
        assert raw("GET http://evil.example/api/context HTTP/1.1\r\nHost: evil.example\r\n\r\n").split()[1] == "421"
        assert raw("GET /api/context HTTP/1.1\r\nHost: 127.0.0.1.evil.example\r\n\r\n").split()[1] == "421"
        assert raw("GET /api/context HTTP/1.1\r\n\r\n").split()[1] in ("400", "421")  # no Host at all
        assert raw("GET /%2e%2e/.env HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").split()[1] == "404"
        assert raw("GET /api/health HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n\r\n" % server.port).split()[1] == "200"
        assert raw("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + "a" * 70000 + "\r\n\r\n").split()[1] in (
            "431",)  # headers over 16 KB
    finally:
        server.stop()


def test_serve_refuses_to_start_on_wrong_settings_and_says_why(tmp_path, monkeypatch, capsys):
    from proxy.__main__ import main

    monkeypatch.setenv("PROXY_RATE_LIMIT", "loads")
    monkeypatch.setenv("GENESYS_API_URL", "api.example.com")
    assert main(["serve", "--root", str(tmp_path), "--port", "1"]) == 2
    err = capsys.readouterr().err
    assert "cannot start" in err and "PROXY_RATE_LIMIT must look like 120/minute" in err
    assert "GENESYS_API_URL must be a http:// or https:// URL" in err


def test_the_real_server_logs_one_json_line_per_request(emu, tmp_path):
    import subprocess
    import sys

    from scripts import stack as stack_mod

    port = stack_mod.free_port()
    env = {"GENESYS_CLIENT_ID": stack_mod.DEMO_CLIENT_ID, "GENESYS_CLIENT_SECRET": stack_mod.DEMO_CLIENT_SECRET,
           "GENESYS_QUEUE_ID": stack_mod.DEMO_QUEUE_ID, "GENESYS_LOGIN_URL": emu.emulator_url,
           "GENESYS_API_URL": emu.emulator_url, "PATH": "/usr/bin:/bin"}
    process = subprocess.Popen([sys.executable, "-m", "proxy", "serve", "--port", str(port), "--root", str(tmp_path)],
                               cwd=stack_mod.ROOT, env=env, stderr=subprocess.PIPE, text=True)
    try:
        stack_mod.wait_http("http://127.0.0.1:%d/api/health" % port, process)
        import httpx

        answer = httpx.get("http://127.0.0.1:%d/api/context?secret=in-the-query" % port, timeout=10)
        assert answer.status_code == 200
    finally:
        process.terminate()
        _, err = process.communicate(timeout=10)
    lines = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
    requests = [line for line in lines if line.get("logger") == "proxy.access"]
    assert any(r["path"] == "/api/context" and r["status"] == 200 and r["requestId"] for r in requests), lines
    assert all(set(r) >= {"time", "level", "requestId", "method", "path", "status", "ms"} for r in requests)
    assert "in-the-query" not in err and stack_mod.DEMO_CLIENT_SECRET not in err
    # besides the start-up notes, every line is JSON
    assert not [line for line in err.splitlines() if line.strip() and not line.startswith(("{", "note:"))], err
