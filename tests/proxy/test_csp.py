"""The page's Content-Security-Policy (proxy/csp.py): strict, and naming exactly where the page connects."""
import json

from .conftest import TestClient

from proxy import csp
from proxy.app import create_app
from proxy.settings import Settings


def _directives(header):
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.split()}


def _client(tmp_path, settings, config, monkeypatch=None):
    (tmp_path / "index.html").write_text("<!doctype html><title>chat</title>")
    (tmp_path / "config.json").write_text(json.dumps(config))
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "x.py").write_text("x = 1")
    return TestClient(create_app(settings, tmp_path))


def test_the_page_gets_the_strict_policy_and_other_files_none(tmp_path):
    with _client(tmp_path, Settings(api_url="http://127.0.0.1:9000"), {"webMessagingUrl": "ws://127.0.0.1:8766/v1",
                                                                       "apiBaseUrl": "http://127.0.0.1:8766"}) as c:
        page = c.get("/")
        assert "content-security-policy" not in c.get("/app/x.py").headers
        assert "content-security-policy" not in c.get("/config.json").headers
    policy = _directives(page.headers["content-security-policy"])
    assert policy["script-src"] == ["'self'", "'wasm-unsafe-eval'"]
    assert policy["style-src"] == ["'self'"] and policy["object-src"] == ["'none'"] and policy["base-uri"] == ["'none'"]
    assert "'unsafe-inline'" not in page.headers["content-security-policy"]
    assert "'unsafe-eval'" not in page.headers["content-security-policy"]
    assert policy["connect-src"] == ["'self'", "ws://127.0.0.1:8766", "http://127.0.0.1:8766", "http://127.0.0.1:9000",
                                     "ws://127.0.0.1:9000"]
    assert "http://127.0.0.1:8766" in policy["img-src"] and "https:" in policy["img-src"]


def test_a_region_names_its_socket_api_and_cdn_hosts(tmp_path, monkeypatch):
    monkeypatch.setenv("CHAT_CSP_CONNECT", "https://uploads.example.com/path not-a-url")
    with _client(tmp_path, Settings(region="mypurecloud.de"), {"region": "mypurecloud.ie"}) as c:
        policy = _directives(c.get("/").headers["content-security-policy"])
    assert policy["connect-src"] == ["'self'", "wss://webmessaging.mypurecloud.ie", "https://api.mypurecloud.ie",
                                     "https://api-cdn.mypurecloud.ie", "wss://webmessaging.mypurecloud.de",
                                     "https://api.mypurecloud.de", "https://api-cdn.mypurecloud.de",
                                     "https://uploads.example.com"]
    assert policy["img-src"] == ["'self'", "data:", "blob:", "https:"]  # no http images from a real region


def test_it_can_be_turned_off_for_an_older_page(tmp_path, monkeypatch):
    monkeypatch.setenv("CHAT_CSP", "off")
    with _client(tmp_path, Settings(), {}) as c:
        assert "content-security-policy" not in c.get("/").headers


def test_origins_ignore_credentials_and_other_schemes():
    assert csp.origin("wss://user:pw@WebMessaging.Example.com:443/v1?x=1") == "wss://webmessaging.example.com:443"
    assert csp.origin("javascript:alert(1)") == "" and csp.origin("") == "" and csp.origin("ftp://x") == ""


def test_frame_ancestors_are_the_chat_and_its_embed_hosts(tmp_path, monkeypatch):
    monkeypatch.setenv("CHAT_FRAME_ANCESTORS", "http://127.0.0.1:9999")
    config = {"embed": {"hosts": ["https://www.example.com/", "not a url", 7]}}
    with _client(tmp_path, Settings(), config) as c:
        policy = _directives(c.get("/").headers["content-security-policy"])
    assert policy["frame-ancestors"] == ["'self'", "https://www.example.com", "http://127.0.0.1:9999"]
