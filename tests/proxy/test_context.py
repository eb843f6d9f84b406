import base64
import re
from dataclasses import replace

import pytest

from proxy.app import create_app
from proxy.genesys import GenesysClient
from proxy.settings import Settings

from .conftest import TestClient
from .fake_genesys import CLIENT_SECRET, QUEUE_ID, refused_url


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def make(settings, tmp_path, wait_cache_seconds=None, **kw):
    if wait_cache_seconds is not None:
        settings = replace(settings, cache_seconds=wait_cache_seconds)
    genesys = GenesysClient(settings, **kw)
    return TestClient(create_app(settings, tmp_path, genesys)), genesys


def assert_no_secret(response):
    basic = base64.b64encode(f"x:{CLIENT_SECRET}".encode()).decode()
    blob = response.text + "\n" + "\n".join(f"{k}: {v}" for k, v in response.headers.items())
    assert CLIENT_SECRET not in blob
    assert basic[4:20] not in blob
    assert "Traceback" not in blob


def test_context_success(fake, settings, tmp_path):
    client, _ = make(settings, tmp_path)
    with client:
        r = client.get("/api/context")
    assert r.status_code == 200
    body = r.json()
    assert body["queueId"] == QUEUE_ID
    assert body["estimatedWaitSeconds"] == 42 and body["wait"] == {"status": "ok", "estimatedWaitSeconds": 42}
    assert body["agents"] == {"status": "ok", "available": 3, "idle": 2, "interacting": 1}
    assert body["hours"] == {"status": "unconfigured"}  # no GENESYS_SCHEDULE_GROUP_ID
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", body["fetchedAt"])
    assert r.headers["cache-control"] == "no-store"
    assert fake.seen_auth == ["Bearer tok-1"]
    assert_no_secret(r)


def test_no_estimate_is_null(fake, settings, tmp_path):
    fake.wait_seconds = None
    client, _ = make(settings, tmp_path)
    with client:
        assert client.get("/api/context").json()["estimatedWaitSeconds"] is None


def test_wait_time_is_cached_briefly(fake, settings, tmp_path):
    clock = Clock()
    client, _ = make(settings, tmp_path, clock=clock)
    with client:
        for _ in range(5):
            assert client.get("/api/context").status_code == 200
        assert fake.api_requests == 1
        clock.now += 11
        fake.wait_seconds = 7
        assert client.get("/api/context").json()["estimatedWaitSeconds"] == 7
        assert fake.api_requests == 2


def test_token_is_reused(fake, settings, tmp_path):
    client, _ = make(settings, tmp_path, wait_cache_seconds=0)
    with client:
        client.get("/api/context")
        client.get("/api/context")
    assert fake.api_requests == 2
    assert fake.token_requests == 1


def test_token_renewed_shortly_before_expiry(fake, settings, tmp_path):
    fake.expires_in = 3600  # renew 60 s early (10% would be 360 s; the sooner is 60 s)
    clock = Clock()
    client, _ = make(settings, tmp_path, clock=clock, wait_cache_seconds=0)
    with client:
        client.get("/api/context")
        clock.now += 3539
        client.get("/api/context")
        assert fake.token_requests == 1
        clock.now += 2
        client.get("/api/context")
        assert fake.token_requests == 2
    assert fake.seen_auth[-1] == "Bearer tok-2"


def test_short_token_renewed_at_ten_percent(fake, settings, tmp_path):
    fake.expires_in = 300  # 10% = 30 s, sooner than 60 s
    clock = Clock()
    client, _ = make(settings, tmp_path, clock=clock, wait_cache_seconds=0)
    with client:
        client.get("/api/context")
        clock.now += 269
        client.get("/api/context")
        assert fake.token_requests == 1
        clock.now += 2
        client.get("/api/context")
        assert fake.token_requests == 2


def test_401_drops_token_and_retries_once(fake, settings, tmp_path):
    client, _ = make(settings, tmp_path, wait_cache_seconds=0)
    with client:
        assert client.get("/api/context").status_code == 200
        fake.revoked.add("tok-1")  # revoked early, e.g. the client's secret was rotated
        r = client.get("/api/context")
    assert r.status_code == 200
    assert fake.token_requests == 2
    assert fake.seen_auth == ["Bearer tok-1", "Bearer tok-1", "Bearer tok-2"]


def test_persistent_401_gives_up_after_one_retry(fake, settings, tmp_path):
    fake.always_401 = True
    client, _ = make(settings, tmp_path)
    with client:
        r = client.get("/api/context")
    assert r.status_code == 502
    assert r.json()["error"]["code"] == "credentials_rejected"
    assert fake.api_requests == 2 and fake.token_requests == 2
    assert_no_secret(r)


def error_of(r):
    err = r.json()["error"]
    assert set(err) >= {"code", "message", "fix"} and err["message"] and err["fix"]
    assert_no_secret(r)
    return err


@pytest.mark.parametrize("missing", ["client_id", "client_secret", "queue_id", "location"])
def test_not_configured(settings, tmp_path, missing):
    s = replace(settings, login_url="", api_url="") if missing == "location" else replace(settings, **{missing: ""})
    client, _ = make(s, tmp_path)
    with client:
        r = client.get("/api/context")
    assert r.status_code == 503
    err = error_of(r)
    assert err["code"] == "not_configured"
    expected = {"client_id": "GENESYS_CLIENT_ID", "client_secret": "GENESYS_CLIENT_SECRET",
                "queue_id": "GENESYS_QUEUE_ID", "location": "GENESYS_REGION"}[missing]
    assert expected in err["message"]


def test_credentials_rejected(fake, settings, tmp_path):
    s = replace(settings, client_secret="wrong-" + CLIENT_SECRET)
    client, _ = make(s, tmp_path)
    with client:
        r = client.get("/api/context")
    assert r.status_code == 502
    assert error_of(r)["code"] == "credentials_rejected"
    assert "wrong-" not in r.text


def test_permission_missing_for_one_part_leaves_the_others(fake, settings, tmp_path):
    fake.forbidden = True  # the wait-time call only
    client, _ = make(settings, tmp_path)
    with client:
        r = client.get("/api/context")
    assert r.status_code == 200
    body = r.json()
    assert body["wait"]["status"] == "unavailable" and body["wait"]["code"] == "permission_missing"
    assert "estimatedWaitSeconds" not in body
    assert body["agents"]["status"] == "ok" and body["agents"]["available"] == 3
    assert_no_secret(r)


def test_queue_not_found(fake, settings, tmp_path):
    client, _ = make(replace(settings, queue_id="00000000-0000-4000-8000-000000000000"), tmp_path)
    with client:
        r = client.get("/api/context")
    assert r.status_code == 200
    assert r.json()["wait"]["code"] == "queue_not_found"


@pytest.mark.parametrize("which", ["login", "api"])
def test_upstream_unreachable(fake, settings, tmp_path, which):
    dead = refused_url()
    s = replace(settings, login_url=dead) if which == "login" else replace(settings, api_url=dead)
    client, _ = make(s, tmp_path)
    with client:
        r = client.get("/api/context")
    assert r.status_code == 504
    assert error_of(r)["code"] == "upstream_unreachable"


def test_upstream_timeout(fake, settings, tmp_path):
    fake.token_delay = 0.5
    client, _ = make(settings, tmp_path, timeout=0.1)
    with client:
        r = client.get("/api/context")
    assert r.status_code == 504
    err = error_of(r)
    assert err["code"] == "upstream_unreachable" and "timed out" in err["message"]


def test_unexpected_upstream_status(fake, settings, tmp_path):
    fake.api_status = 500
    client, _ = make(settings, tmp_path)
    with client:
        r = client.get("/api/context")
    assert r.status_code == 200
    wait = r.json()["wait"]
    assert (wait["status"], wait["code"], wait["message"]) == ("unavailable", "upstream_error",
                                                               "The Genesys API answered HTTP 500.")


def test_errors_are_cached_too(fake, settings, tmp_path):
    fake.forbidden = True
    client, _ = make(settings, tmp_path)
    with client:
        for _ in range(3):
            assert client.get("/api/context").json()["wait"]["code"] == "permission_missing"
    assert fake.api_requests == 1


def test_cors_only_for_allowed_origins(fake, settings, tmp_path):
    s = replace(settings, allowed_origins=("https://www.example.com",))
    client, _ = make(s, tmp_path)
    with client:
        ok = client.get("/api/context", headers={"Origin": "https://www.example.com"})
        other = client.get("/api/context", headers={"Origin": "https://evil.example"})
        pre = client.options("/api/context", headers={"Origin": "https://www.example.com",
                                                      "Access-Control-Request-Method": "GET"})
    assert ok.headers["access-control-allow-origin"] == "https://www.example.com"
    assert "access-control-allow-origin" not in other.headers
    assert pre.status_code == 200


def test_no_cors_by_default(fake, settings, tmp_path):
    client, _ = make(settings, tmp_path)
    with client:
        r = client.get("/api/context", headers={"Origin": "https://www.example.com"})
    assert "access-control-allow-origin" not in r.headers


def test_settings_repr_hides_secret(settings):
    assert CLIENT_SECRET not in repr(settings)
    assert CLIENT_SECRET not in str(settings.describe())


def test_settings_from_dotenv_and_environment(tmp_path):
    from proxy.settings import load_settings

    (tmp_path / ".env").write_text(
        "# comment\nGENESYS_CLIENT_ID=from-file\nexport GENESYS_CLIENT_SECRET='quoted secret'\n"
        "GENESYS_REGION=mypurecloud.ie\nGENESYS_QUEUE_ID=q-file # trailing comment\n"
        "PROXY_ALLOWED_ORIGINS=https://a.example, https://b.example/\n")
    s = load_settings(tmp_path, {"GENESYS_CLIENT_ID": "from-env"})
    assert s.client_id == "from-env"
    assert s.client_secret == "quoted secret"
    assert s.queue_id == "q-file"
    assert s.login_base == "https://login.mypurecloud.ie"
    assert s.api_base == "https://api.mypurecloud.ie"
    assert s.allowed_origins == ("https://a.example", "https://b.example")
    assert s.missing() == []


def test_missing_names_each_variable_once():
    assert Settings().missing() == ["GENESYS_CLIENT_ID", "GENESYS_CLIENT_SECRET", "GENESYS_QUEUE_ID",
                                    "GENESYS_REGION (or GENESYS_LOGIN_URL and GENESYS_API_URL)"]
    assert Settings(login_url="http://x").missing()[-1] == "GENESYS_API_URL (or GENESYS_REGION)"
    assert Settings(region="mypurecloud.com", client_id="a", client_secret="b").missing() == ["GENESYS_QUEUE_ID"]


def test_explicit_urls_win_over_region():
    s = Settings(region="mypurecloud.de", login_url="http://127.0.0.1:8766/", api_url="http://127.0.0.1:8766")
    assert s.login_base == "http://127.0.0.1:8766" and s.api_base == "http://127.0.0.1:8766"
    assert Settings(region="https://apps.mypurecloud.com.au/").api_base == "https://api.mypurecloud.com.au"


def test_burst_of_page_loads_makes_one_upstream_call(fake, settings, tmp_path):
    import asyncio

    import httpx

    async def burst():
        genesys = GenesysClient(settings)
        app = create_app(settings, tmp_path, genesys)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://proxy") as c:
            responses = await asyncio.gather(*(c.get("/api/context") for _ in range(20)))
        await genesys.aclose()
        return responses

    responses = asyncio.run(burst())
    assert [r.status_code for r in responses] == [200] * 20
    assert fake.token_requests == 1 and fake.api_requests == 1 and fake.observation_requests == 1
