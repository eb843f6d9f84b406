import json
from dataclasses import replace

import pytest

from proxy import doctor
from proxy.app import create_app
from proxy.__main__ import main
from proxy.settings import Settings

from .fake_genesys import CLIENT_ID, CLIENT_SECRET, DEPLOYMENT_ID, QUEUE_ID, ServerThread, refused_url

# Same host as the dev page, but a port where no proxy runs, so the optional
# proxy check is a predictable warning whatever else runs on this machine.
ORIGIN = refused_url()


def page_config(tmp_path, base, deployment=DEPLOYMENT_ID, **extra):
    path = tmp_path / "config.json"
    data = {"deploymentId": deployment, "webMessagingUrl": base.replace("http://", "ws://") + "/v1",
            "apiBaseUrl": base, "proxyUrl": "", "runtime": "micropython", **extra}
    path.write_text(json.dumps(data))
    return path


def run(settings, path, origin=ORIGIN):
    return doctor.run(settings, path, origin, timeout=2.0)


def statuses(report):
    return {c.key: c.status for c in report.checks}


def test_all_good(fake, settings, upstream_url, tmp_path):
    report = run(settings, page_config(tmp_path, upstream_url))
    assert report.ok
    assert statuses(report) == {
        "settings_file": "pass", "api_host": "pass", "deployment": "pass", "handshake": "pass",
        "session": "pass", "oauth": "pass", "wait_time": "pass", "same_region": "pass", "proxy": "warn"}
    assert "42 s" in report.by_key("wait_time").detail
    assert "python -m proxy serve" in report.by_key("proxy").fix
    text = doctor.format_report(report)
    assert text.count("✔") == 8 and "✘" not in text


def test_running_proxy_is_asked(fake, settings, upstream_url, tmp_path):
    server = ServerThread(create_app(settings, tmp_path)).start()
    try:
        report = run(settings, page_config(tmp_path, upstream_url), origin=server.url)
        assert report.by_key("proxy").status == "pass"
        assert "estimatedWaitSeconds=42" in report.by_key("proxy").detail
        fake.forbidden = True
        server2 = ServerThread(create_app(settings, tmp_path)).start()
        try:
            report = run(settings, page_config(tmp_path, upstream_url), origin=server2.url)
        finally:
            server2.stop()
        proxy_check = report.by_key("proxy")
        assert proxy_check.status == "warn" and "permission_missing" in proxy_check.detail
        assert "routing:queue:view" in proxy_check.fix
    finally:
        server.stop()


def test_no_proxy_configured_skips_proxy_check(fake, settings, upstream_url, tmp_path):
    path = page_config(tmp_path, upstream_url)
    data = json.loads(path.read_text())
    del data["proxyUrl"]
    path.write_text(json.dumps(data))
    assert "proxy" not in statuses(run(settings, path))


def test_handshake_403_names_the_origin(fake, settings, upstream_url, tmp_path):
    report = run(settings, page_config(tmp_path, upstream_url), origin="https://shop.example.com")
    assert not report.ok
    hs = report.by_key("handshake")
    assert hs.status == "fail" and "403" in hs.detail
    assert "shop.example.com" in hs.fix and "allowed domains" in hs.fix
    assert report.by_key("session").status == "skip"
    assert report.by_key("deployment").status == "pass"


def test_unknown_deployment(fake, settings, upstream_url, tmp_path):
    path = page_config(tmp_path, upstream_url, deployment="00000000-0000-4000-8000-000000000000")
    report = run(settings, path)
    assert not report.ok
    dep = report.by_key("deployment")
    assert dep.status == "fail" and "404" in dep.detail
    assert "deployment id is wrong or the region" in dep.fix
    assert report.by_key("handshake").status == "fail"


def test_inactive_deployment(fake, settings, upstream_url, tmp_path):
    fake.deployments[DEPLOYMENT_ID]["status"] = "Inactive"
    report = run(settings, page_config(tmp_path, upstream_url))
    assert report.by_key("deployment").status == "fail"
    assert "Inactive" in report.by_key("deployment").detail


def test_unreachable_host(settings, tmp_path):
    dead = refused_url()
    report = run(replace(settings, login_url=dead, api_url=dead), page_config(tmp_path, dead))
    assert not report.ok
    s = statuses(report)
    assert s["api_host"] == s["deployment"] == s["handshake"] == "fail"
    assert "refused" in report.by_key("handshake").detail
    assert report.by_key("oauth").status == "fail"
    assert "could not be reached" in report.by_key("oauth").detail


def test_bad_credentials(fake, settings, upstream_url, tmp_path):
    report = run(replace(settings, client_secret="nope-" + CLIENT_SECRET), page_config(tmp_path, upstream_url))
    assert not report.ok
    oauth = report.by_key("oauth")
    assert oauth.status == "fail" and "client id or secret is wrong" in oauth.fix
    assert report.by_key("wait_time").status == "skip"
    assert report.by_key("handshake").status == "pass"  # the chat itself is fine
    assert CLIENT_SECRET not in doctor.format_report(report)


def test_missing_permission(fake, settings, upstream_url, tmp_path):
    fake.forbidden = True
    report = run(settings, page_config(tmp_path, upstream_url))
    assert not report.ok
    wt = report.by_key("wait_time")
    assert wt.status == "fail" and "routing:queue:view" in wt.fix


def test_no_credentials_is_only_a_warning(fake, upstream_url, tmp_path):
    report = run(Settings(), page_config(tmp_path, upstream_url))
    assert report.ok
    assert report.by_key("oauth").status == "warn"
    assert "chat still works" in report.by_key("oauth").detail


@pytest.mark.parametrize("content,needle", [
    (None, "does not exist"),
    ("{not json", "not valid JSON"),
    ('{"webMessagingUrl": "ws://x/v1"}', "no deploymentId"),
    ('{"deploymentId": "abc"}', "not where Genesys is"),
])
def test_bad_settings_file(tmp_path, content, needle):
    path = tmp_path / "config.json"
    if content is not None:
        path.write_text(content)
    report = run(Settings(), path)
    first = report.checks[0]
    assert first.status == "fail" and needle in first.detail
    assert not report.ok
    assert report.by_key("handshake").status == "skip"


def test_region_derives_hosts(tmp_path):
    path = tmp_path / "c.json"
    path.write_text(json.dumps({"deploymentId": DEPLOYMENT_ID, "region": "mypurecloud.ie"}))
    cfg, check = doctor.load_page_config(path)
    assert check.status == "pass"
    assert cfg.socket_url == "wss://webmessaging.mypurecloud.ie/v1"
    assert cfg.api_base == "https://api.mypurecloud.ie"
    assert cfg.cdn_base == "https://api-cdn.mypurecloud.ie"
    assert doctor.socket_url_for(cfg) == f"wss://webmessaging.mypurecloud.ie/v1?deploymentId={DEPLOYMENT_ID}"


def test_cli_exit_status_and_masking(fake, upstream_url, tmp_path, capsys, monkeypatch):
    for key in ("GENESYS_CLIENT_ID", "GENESYS_CLIENT_SECRET", "GENESYS_QUEUE_ID", "GENESYS_REGION",
                "GENESYS_LOGIN_URL", "GENESYS_API_URL"):
        monkeypatch.delenv(key, raising=False)
    (tmp_path / ".env").write_text(
        f"GENESYS_CLIENT_ID={CLIENT_ID}\nGENESYS_CLIENT_SECRET={CLIENT_SECRET}\nGENESYS_QUEUE_ID={QUEUE_ID}\n"
        f"GENESYS_LOGIN_URL={upstream_url}\nGENESYS_API_URL={upstream_url}\n")
    page_config(tmp_path, upstream_url)
    args = ["doctor", "--root", str(tmp_path), "--config", str(tmp_path / "config.json"), "--timeout", "2", "--origin", ORIGIN]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "All required checks passed." in out and CLIENT_SECRET not in out

    fake.forbidden = True
    assert main(args) == 1
    out = capsys.readouterr().out
    assert "✘ Estimated wait time" in out and "routing:queue:view" in out and CLIENT_SECRET not in out

    fake.forbidden = False
    (tmp_path / ".env").write_text(f"GENESYS_CLIENT_ID={CLIENT_ID}\nGENESYS_CLIENT_SECRET={CLIENT_SECRET}x\n"
                                   f"GENESYS_LOGIN_URL={upstream_url}\nGENESYS_API_URL={upstream_url}\n")
    assert main(args) == 1
    out = capsys.readouterr().out
    assert CLIENT_SECRET not in out and "✘ OAuth client credentials" in out
