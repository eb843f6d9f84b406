"""`python -m proxy doctor` against the fake region, with each failure injected.

This module runs its own fake (a `FakeGenesys` with the few Platform API calls only the doctor
makes: the deployment lookup, schedule groups and schedules, and a queue-observations 403), so
the shared fake stays as it is for everyone else's tests.
"""
import asyncio
import json
from dataclasses import replace
from datetime import datetime, timezone

import httpx

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.routing import Route

from proxy import doctor
from proxy.app import create_app
from proxy.genesys import GenesysClient
from proxy.__main__ import main
from proxy.settings import Settings

from .fake_genesys import (CLIENT_ID, CLIENT_SECRET, DEPLOYMENT_ID, QUEUE_ID, FakeGenesys, ServerThread,
                           refused_url)

# Same host as the dev page, but a port where no proxy runs, so the optional
# proxy check is a predictable warning whatever else runs on this machine.
ORIGIN = refused_url()
GROUP_ID = "5d6e7f80-9a1b-4c2d-8e3f-4a5b6c7d8e9f"
WEEKDAYS = {"id": "s-open", "name": "Weekdays", "start": "2024-01-01T09:00:00.000",
            "end": "2024-01-01T17:00:00.000", "rrule": "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"}


class DoctorFake(FakeGenesys):
    """The shared fake plus what only the doctor asks for."""

    def __init__(self):
        super().__init__()
        self.app.router.routes.extend([
            Route("/api/v2/webdeployments/deployments/{dep}", self.web_deployment),
            Route("/api/v2/architect/schedulegroups/{group}", self.schedule_group),
            Route("/api/v2/architect/schedules/{schedule}", self.schedule),
        ])

    def reset(self):
        super().reset()
        self.config_requests: list[str] = []
        self.lookup = True                 # False: the lookup answers like a host without that API
        self.lookup_forbidden = False      # the client lacks webDeployments:deployment:view
        self.observations_forbidden = False
        self.groups_forbidden = False
        self.schedules_forbidden = False
        self.groups = {GROUP_ID: {"id": GROUP_ID, "name": "Support", "timeZone": "Europe/Dublin",
                                  "openSchedules": [{"id": "s-open"}], "closedSchedules": [], "holidaySchedules": []}}
        self.schedules = {"s-open": dict(WEEKDAYS)}

    def _authorised(self, request: Request) -> bool:
        tok = request.headers.get("authorization", "").removeprefix("Bearer ")
        return tok in self.issued and tok not in self.revoked

    @staticmethod
    def _forbidden(permission):
        return JSONResponse({"status": 403, "code": "missing.permissions", "message": f"Missing {permission}"},
                            status_code=403)

    async def deployment_config(self, request: Request):
        self.config_requests.append(request.url.path)
        return await super().deployment_config(request)

    async def observations(self, request: Request):
        if self.observations_forbidden and self._authorised(request):
            return self._forbidden("analytics:queueObservation:view")
        return await super().observations(request)

    async def web_deployment(self, request: Request):
        if not self.lookup:
            return PlainTextResponse("Not Found", status_code=404)
        if not self._authorised(request):
            return JSONResponse({"status": 401}, status_code=401)
        if self.lookup_forbidden:
            return self._forbidden("webDeployments:deployment:view")
        dep = self.deployments.get(request.path_params["dep"])
        if dep is None:
            return JSONResponse({"status": 404, "code": "not.found"}, status_code=404)
        return JSONResponse({"id": request.path_params["dep"], "allowAllDomains": dep.get("allowAllDomains", False),
                             "allowedDomains": dep["allowedDomains"], "status": dep["status"]})

    async def schedule_group(self, request: Request):
        if not self._authorised(request):
            return JSONResponse({"status": 401}, status_code=401)
        if self.groups_forbidden:
            return self._forbidden("routing:scheduleGroup:view")
        group = self.groups.get(request.path_params["group"])
        return JSONResponse(group) if group else JSONResponse({"status": 404, "code": "not.found"}, status_code=404)

    async def schedule(self, request: Request):
        if not self._authorised(request):
            return JSONResponse({"status": 401}, status_code=401)
        if self.schedules_forbidden:
            return self._forbidden("routing:schedule:view")
        one = self.schedules.get(request.path_params["schedule"])
        return JSONResponse(one) if one else JSONResponse({"status": 404, "code": "not.found"}, status_code=404)


@pytest.fixture(scope="module")
def _upstream():
    """Overrides conftest's: `fake`, `upstream_url` and `settings` use this module's fake."""
    fake = DoctorFake()
    server = ServerThread(fake.app).start()
    yield fake, server
    server.stop()


def page_config(tmp_path, base, deployment=DEPLOYMENT_ID, name="config.json", **extra):
    path = tmp_path / name
    data = {"deploymentId": deployment, "webMessagingUrl": base.replace("http://", "ws://") + "/v1",
            "apiBaseUrl": base, "proxyUrl": "", "runtime": "micropython", **extra}
    path.write_text(json.dumps(data))
    return path


def run(settings, path, origin=ORIGIN):
    return doctor.run(settings, path, origin, timeout=2.0)


def statuses(report):
    return {c.key: c.status for c in report.checks}


def causes(check):
    return [(c.key, c.status) for c in check.causes]


# -- everything fine -------------------------------------------------------------


def test_all_good(fake, settings, upstream_url, tmp_path):
    report = run(settings, page_config(tmp_path, upstream_url))
    assert report.ok and report.exit_code == 0
    assert statuses(report) == {
        "settings_file": "pass", "api_host": "pass", "deployment": "pass", "handshake": "pass",
        "session": "pass", "oauth": "pass", "wait_time": "pass", "agents": "pass", "hours": "skip",
        "same_region": "pass", "proxy": "warn"}
    assert "42 s" in report.by_key("wait_time").detail
    assert "3 on queue (2 idle, 1 interacting)" in report.by_key("agents").detail
    assert "GENESYS_SCHEDULE_GROUP_ID is not set" in report.by_key("hours").detail
    assert "python -m proxy serve" in report.by_key("proxy").fix
    assert report.by_key("handshake").causes == []  # causes are only worked out for a 403
    text = doctor.format_report(report)
    assert text.count("✔") == 9 and "✘" not in text


def test_report_is_a_table_with_the_fix_under_each_failure(fake, settings, upstream_url, tmp_path):
    fake.forbidden = True
    text = doctor.format_report(run(settings, page_config(tmp_path, upstream_url)))
    lines = text.splitlines()
    assert lines[0].split() == ["Result", "Check", "Detail"] and set(lines[1]) == {"-", " "}
    detail_column = lines[0].index("Detail")
    rows = [line for line in lines[2:] if line[:1] in "✔✘!–" and line]
    assert len(rows) == 11
    for row in rows:  # every detail starts in the Detail column
        assert row[detail_column - 2:detail_column] == "  " and row[detail_column] != " "
    failed = next(i for i, line in enumerate(lines) if line.startswith("✘ FAIL  Estimated wait time (proxy)"))
    assert lines[failed + 1].startswith("        Fix: ") and "routing:queue:view" in lines[failed + 1]
    assert lines[-1] == "1 required check(s) failed: Estimated wait time (proxy)."


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


# -- the page's own settings rules -------------------------------------------------


def test_cdn_base_url_is_where_the_deployment_config_comes_from(fake, settings, upstream_url, tmp_path):
    seen = []

    async def config(request):
        seen.append(request.url.path)
        return JSONResponse({"id": request.path_params["dep"], "status": "Inactive"})

    cdn = ServerThread(Starlette(routes=[Route("/webdeployments/v1/deployments/{dep}/config.json", config)])).start()
    try:
        report = run(settings, page_config(tmp_path, upstream_url, cdnBaseUrl=cdn.url + "/"))
    finally:
        cdn.stop()
    assert seen == [f"/webdeployments/v1/deployments/{DEPLOYMENT_ID}/config.json"]
    assert fake.config_requests == []  # not from the API host, as the old doctor did
    dep = report.by_key("deployment")
    assert dep.status == "fail" and "Inactive" in dep.detail  # what the CDN said, not the API host (Active)
    assert f"{cdn.url}/webdeployments/v1/deployments/{DEPLOYMENT_ID}/config.json" in dep.detail
    assert report.page.deployment_config_url.startswith(cdn.url + "/webdeployments/")
    assert f"config CDN {cdn.url}" in report.by_key("settings_file").detail
    assert report.by_key("api_host").status == report.by_key("handshake").status == "pass"


def test_a_cdn_that_does_not_answer_is_named(fake, settings, upstream_url, tmp_path):
    dead = refused_url()
    report = run(settings, page_config(tmp_path, upstream_url, cdnBaseUrl=dead))
    dep = report.by_key("deployment")
    assert dep.status == "fail" and dead in dep.detail and "could not be fetched" in dep.detail
    assert "cdnBaseUrl" in dep.fix
    assert report.by_key("api_host").status == "pass" and fake.config_requests == []


def test_without_cdn_base_url_the_api_host_serves_the_config(fake, settings, upstream_url, tmp_path):
    report = run(settings, page_config(tmp_path, upstream_url))
    assert fake.config_requests == [f"/webdeployments/v1/deployments/{DEPLOYMENT_ID}/config.json"]
    assert report.page.deployment_config_url == f"{upstream_url}/webdeployments/v1/deployments/{DEPLOYMENT_ID}/config.json"


def test_region_derives_hosts(tmp_path):
    path = tmp_path / "c.json"
    path.write_text(json.dumps({"deploymentId": DEPLOYMENT_ID, "region": "mypurecloud.ie", "proxyUrl": ""}))
    cfg, check = doctor.load_page_config(path, "https://shop.example.com")
    assert check.status == "pass"
    assert cfg.socket_url == "wss://webmessaging.mypurecloud.ie/v1"
    assert cfg.api_base == "https://api.mypurecloud.ie"
    assert cfg.cdn_base == "https://api-cdn.mypurecloud.ie"
    assert doctor.socket_url_for(cfg) == f"wss://webmessaging.mypurecloud.ie/v1?deploymentId={DEPLOYMENT_ID}"
    assert cfg.deployment_config_url == (f"https://api-cdn.mypurecloud.ie/webdeployments/v1/deployments/"
                                         f"{DEPLOYMENT_ID}/config.json")
    assert cfg.context_url == "https://shop.example.com/api/context"  # "" is the page's own origin


def test_the_page_normalises_a_bare_socket_host_and_the_doctor_follows(tmp_path):
    path = tmp_path / "c.json"
    path.write_text(json.dumps({"deploymentId": DEPLOYMENT_ID, "webMessagingUrl": "wss://webmessaging.mypurecloud.de",
                                "apiBaseUrl": "https://api.mypurecloud.de/", "cdnBaseUrl": "https://cdn.example.org"}))
    cfg, check = doctor.load_page_config(path)
    assert check.status == "pass"
    assert cfg.socket == f"wss://webmessaging.mypurecloud.de/v1?deploymentId={DEPLOYMENT_ID}"
    assert cfg.api_base == "https://api.mypurecloud.de"
    assert cfg.deployment_config_url.startswith("https://cdn.example.org/webdeployments/v1/deployments/")
    assert cfg.context_url is None


def test_settings_mixing_two_regions_are_a_warning(tmp_path):
    path = tmp_path / "c.json"
    path.write_text(json.dumps({"deploymentId": DEPLOYMENT_ID, "webMessagingUrl": "wss://webmessaging.mypurecloud.com/v1",
                                "apiBaseUrl": "https://api.mypurecloud.ie"}))
    cfg, check = doctor.load_page_config(path)
    assert cfg is not None and check.status == "warn"
    assert "region mypurecloud.com" in check.detail and "mypurecloud.ie" in check.detail
    assert '"region"' in check.fix


@pytest.mark.parametrize("content,needle", [
    (None, "does not exist"),
    ("{not json", "not valid JSON"),
    ("[1, 2]", "must hold a JSON object"),
    ('{"webMessagingUrl": "ws://x/v1"}', "deploymentId is missing"),
    ('{"deploymentId": "abc"}', "webMessagingUrl must be a ws:// or wss:// URL"),
    # The old doctor derived the API host from the socket's; the page does not, so neither does the doctor.
    ('{"deploymentId": "abc", "webMessagingUrl": "wss://webmessaging.mypurecloud.com/v1"}',
     "apiBaseUrl must be an http(s) URL"),
    ('{"deploymentId": "abc", "region": "mypurecloud.ie", "runtime": "cpython"}', "runtime must be micropython"),
    ('{"deploymentId": "abc", "region": "mypurecloud.ie", "proxyUrl": "ftp://x"}', "proxyUrl must be"),
    ('{"deploymentId": "abc", "region": "mypurecloud.ie", "cdnBaseUrl": 5}', "a value the page cannot use"),
])
def test_bad_settings_file(tmp_path, content, needle):
    path = tmp_path / "config.json"
    if content is not None:
        path.write_text(content)
    report = run(Settings(), path)
    first = report.checks[0]
    assert first.status == "fail" and needle in first.detail and first.fix
    assert not report.ok and report.page is None
    assert report.by_key("handshake").status == "skip"


def test_a_missing_deployment_id_says_where_to_copy_it(tmp_path):
    path = tmp_path / "config.json"
    path.write_text('{"region": "mypurecloud.ie"}')
    first = run(Settings(), path).checks[0]
    assert "Messenger Deployments" in first.fix and "page refuses this file too" in first.detail


def test_a_deployment_id_that_is_not_a_uuid_is_a_warning(tmp_path):
    path = tmp_path / "config.json"
    path.write_text(json.dumps({"deploymentId": DEPLOYMENT_ID + "x", "region": "mypurecloud.ie"}))
    cfg, check = doctor.load_page_config(path)
    assert cfg is not None and check.status == "warn" and "UUID" in check.detail


# -- the handshake 403 and its causes ---------------------------------------------


def test_handshake_403_origin_not_allowed_is_confirmed_by_the_platform_api(fake, settings, upstream_url, tmp_path):
    report = run(settings, page_config(tmp_path, upstream_url, proxyUrl=None), origin="https://shop.example.com")
    assert not report.ok
    hs = report.by_key("handshake")
    assert hs.status == "fail" and "403" in hs.detail
    assert causes(hs) == [("origin", "confirmed"), ("deployment_or_region", "ruled_out"), ("inactive", "ruled_out")]
    assert "shop.example.com is not in the allowed domains (127.0.0.1, localhost)" in hs.causes[0].evidence
    assert "shop.example.com" in hs.fix and "allowed domains" in hs.fix
    assert "Activate" not in hs.fix and "Go through" not in hs.fix  # only the confirmed cause's fix
    assert report.by_key("session").status == "skip"
    assert report.by_key("deployment").status == "pass"
    text = doctor.format_report(report)
    assert "1. [CAUSE] The page's origin is not in the deployment's allowed domains" in text
    assert "2. [ruled out] Wrong deployment id or region" in text
    assert "3. [ruled out] The deployment is inactive. Its status is 'Active'." in text
    assert "Restrict domain access" in text and "webDeployments:deployment:view" in text


def test_handshake_403_without_credentials_is_confirmed_by_a_probe_without_origin(fake, upstream_url, tmp_path):
    report = run(Settings(), page_config(tmp_path, upstream_url, proxyUrl=None), origin="https://shop.example.com")
    hs = report.by_key("handshake")
    assert causes(hs)[0] == ("origin", "confirmed")
    assert "no Origin header" in hs.causes[0].evidence
    assert "shop.example.com" in hs.fix


def test_handshake_403_when_the_lookup_is_forbidden_still_names_the_permission(fake, settings, upstream_url, tmp_path):
    fake.lookup_forbidden = True
    fake.deployments[DEPLOYMENT_ID]["allowedDomains"] = ["127.0.0.1"]
    report = run(settings, page_config(tmp_path, upstream_url), origin="http://localhost:1")
    hs = report.by_key("handshake")
    assert causes(hs)[0] == ("origin", "confirmed")  # the probe without an Origin still tells
    assert "webDeployments:deployment:view" in hs.causes[0].how_to_check
    assert "localhost" in hs.fix


def test_handshake_403_subdomain_of_an_allowed_domain(fake, settings, upstream_url, tmp_path):
    fake.deployments[DEPLOYMENT_ID]["allowedDomains"] = ["127.0.0.1", "example.com"]
    report = run(settings, page_config(tmp_path, upstream_url, proxyUrl=None), origin="https://shop.example.com")
    first = report.by_key("handshake").causes[0]
    assert first.status == "confirmed" and "only a subdomain" in first.evidence


def test_handshake_403_unknown_deployment(fake, settings, upstream_url, tmp_path):
    path = page_config(tmp_path, upstream_url, deployment="00000000-0000-4000-8000-000000000000")
    report = run(settings, path)
    assert not report.ok
    dep = report.by_key("deployment")
    assert dep.status == "fail" and "404" in dep.detail
    assert "deployment id is wrong or the region" in dep.fix
    hs = report.by_key("handshake")
    assert hs.status == "fail"
    # The fake refuses an unknown deployment whatever the origin: the origin cannot be told apart.
    assert causes(hs) == [("origin", "unknown"), ("deployment_or_region", "confirmed"), ("inactive", "unknown")]
    assert "does not list allowed domains" in hs.causes[0].evidence
    assert "HTTP 404" in hs.causes[1].evidence
    assert "Fix the deployment id or the region" in hs.fix and "allowed domains" not in hs.fix


def test_handshake_403_inactive_deployment_and_origin(fake, settings, upstream_url, tmp_path):
    fake.deployments[DEPLOYMENT_ID]["status"] = "Inactive"
    report = run(settings, page_config(tmp_path, upstream_url, proxyUrl=None), origin="https://shop.example.com")
    hs = report.by_key("handshake")
    assert causes(hs) == [("origin", "confirmed"), ("deployment_or_region", "ruled_out"), ("inactive", "confirmed")]
    assert "Inactive" in hs.causes[2].evidence
    assert "allowed domains" in hs.fix and "Activate the deployment" in hs.fix


def test_handshake_403_nothing_to_ask_lists_every_cause_in_order():
    """A deployment the config CDN knows but the socket refuses even without an Origin, and no
    credentials: nothing can be confirmed, so every cause not ruled out is listed in order."""
    ev = doctor.Evidence("https://shop.example.com", DEPLOYMENT_ID, "https://api-cdn.mypurecloud.ie/x/config.json",
                         200, "", "mypurecloud.ie", "mypurecloud.ie", "refused", {"outcome": "no_credentials"})
    got = doctor.causes_of_403(ev)
    assert [(c.key, c.status) for c in got] == [("origin", "unknown"), ("deployment_or_region", "ruled_out"),
                                                ("inactive", "unknown")]
    assert "refused too" in got[0].evidence
    fix = doctor.fix_for_403(got, ev.origin)
    assert fix.startswith("Go through these in order: Add shop.example.com")
    assert fix.index("allowed domains") < fix.index("Activate")


def test_handshake_403_a_lookup_the_host_does_not_offer_is_not_taken_for_a_missing_deployment(
        fake, settings, upstream_url, tmp_path):
    fake.lookup = False  # plain-text 404, as a host without the Platform API would answer
    report = run(settings, page_config(tmp_path, upstream_url, proxyUrl=None), origin="https://shop.example.com")
    hs = report.by_key("handshake")
    assert causes(hs) == [("origin", "confirmed"), ("deployment_or_region", "ruled_out"), ("inactive", "ruled_out")]
    assert "no Origin header" in hs.causes[0].evidence


@pytest.mark.parametrize("socket_d,config_d,lookup,expected", [
    ("mypurecloud.com", "mypurecloud.ie", {"outcome": "no_credentials"}, "confirmed"),  # settings mix regions
    ("mypurecloud.ie", "mypurecloud.ie", {"outcome": "no_credentials"}, "ruled_out"),
])
def test_causes_of_403_region_mismatch(socket_d, config_d, lookup, expected):
    ev = doctor.Evidence("https://shop.example.com", DEPLOYMENT_ID, f"https://api-cdn.{config_d}/c.json", 200,
                         "Active", socket_d, config_d, "refused", lookup)
    b = doctor.causes_of_403(ev)[1]
    assert b.key == "deployment_or_region" and b.status == expected


def test_causes_of_403_the_deployment_lives_in_the_proxys_other_region():
    ev = doctor.Evidence("https://shop.example.com", DEPLOYMENT_ID, "https://api-cdn.mypurecloud.com/c.json", 404,
                         "", "mypurecloud.com", "mypurecloud.com", "refused",
                         {"outcome": "found", "same_region": False, "allowAllDomains": True, "status": "Active"})
    a, b, c = doctor.causes_of_403(ev)
    assert b.status == "confirmed" and "region is wrong" in b.evidence
    assert a.status == "unknown"  # the lookup was about another region's deployment
    assert c.status == "unknown"


def test_causes_of_403_all_domains_allowed_rules_out_the_origin():
    ev = doctor.Evidence("https://shop.example.com", DEPLOYMENT_ID, "u", 200, "Active", None, None, "refused",
                         {"outcome": "found", "same_region": True, "allowAllDomains": True, "allowedDomains": [],
                          "status": "Active"})
    assert doctor.causes_of_403(ev)[0].status == "ruled_out"


@pytest.mark.parametrize("entries,host,expected", [
    (["shop.example.com"], "shop.example.com", True),
    (["https://Shop.Example.com/"], "shop.example.com", True),
    (["localhost:8765"], "localhost", True),
    (["*.example.com"], "shop.example.com", True),
    (["example.com"], "shop.example.com", None),
    (["example.com"], "badexample.com", False),
    ([], "shop.example.com", False),
])
def test_domain_allows(entries, host, expected):
    assert doctor.domain_allows(entries, host) is expected


# -- the other failures ------------------------------------------------------------


def test_inactive_deployment(fake, settings, upstream_url, tmp_path):
    fake.deployments[DEPLOYMENT_ID]["status"] = "Inactive"
    report = run(settings, page_config(tmp_path, upstream_url))
    assert report.by_key("deployment").status == "fail"
    assert "Inactive" in report.by_key("deployment").detail
    assert "Activate it" in report.by_key("deployment").fix
    assert not report.ok


def test_unreachable_host(settings, tmp_path):
    dead = refused_url()
    report = run(replace(settings, login_url=dead, api_url=dead), page_config(tmp_path, dead))
    assert not report.ok
    s = statuses(report)
    assert s["api_host"] == s["deployment"] == s["handshake"] == "fail"
    assert "refused" in report.by_key("handshake").detail
    assert report.by_key("oauth").status == "fail"
    assert "could not be reached" in report.by_key("oauth").detail
    assert s["wait_time"] == s["agents"] == "skip"


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
    assert report.by_key("agents").status == "pass"


def test_missing_observation_permission(fake, settings, upstream_url, tmp_path):
    fake.observations_forbidden = True
    report = run(settings, page_config(tmp_path, upstream_url))
    assert not report.ok and [c.key for c in report.checks if c.failed] == ["agents"]
    assert "analytics:queueObservation:view" in report.by_key("agents").fix


@pytest.mark.parametrize("flag,permission", [("groups_forbidden", "routing:scheduleGroup:view"),
                                             ("schedules_forbidden", "routing:schedule:view")])
def test_missing_schedule_permissions(fake, settings, upstream_url, tmp_path, flag, permission):
    setattr(fake, flag, True)
    report = run(replace(settings, schedule_group_id=GROUP_ID), page_config(tmp_path, upstream_url))
    hours = report.by_key("hours")
    assert hours.status == "fail" and permission in hours.fix and not report.ok


def test_open_hours(fake, settings, upstream_url, tmp_path):
    report = run(replace(settings, schedule_group_id=GROUP_ID), page_config(tmp_path, upstream_url))
    hours = report.by_key("hours")
    assert hours.status == "pass" and "Europe/Dublin" in hours.detail and "now" in hours.detail


@pytest.mark.parametrize("now,said", [
    (datetime(2026, 1, 14, 12, 0, tzinfo=timezone.utc), "open now; closes at 2026-01-14T17:00Z"),  # a Wednesday
    (datetime(2026, 1, 17, 10, 0, tzinfo=timezone.utc), "closed now (outside open hours); opens at 2026-01-19T09:00Z"),
])
def test_open_hours_say_now_and_the_next_change(fake, settings, now, said):
    async def go():
        async with httpx.AsyncClient() as http:
            client = GenesysClient(replace(settings, schedule_group_id=GROUP_ID), http=http)
            return await doctor.check_hours(client, await doctor.check_oauth(client), now=now)
    check = asyncio.run(go())
    assert check.status == "pass"
    assert check.detail == f"Schedule group {GROUP_ID} (Europe/Dublin): {said}."


def test_unknown_schedule_group_and_unreadable_schedule(fake, settings, upstream_url, tmp_path):
    report = run(replace(settings, schedule_group_id="00000000-0000-4000-8000-00000000dead"),
                 page_config(tmp_path, upstream_url))
    assert report.by_key("hours").status == "fail" and "Schedule Groups" in report.by_key("hours").fix
    fake.schedules["s-open"]["rrule"] = "FREQ=FORTNIGHTLY"
    report = run(replace(settings, schedule_group_id=GROUP_ID), page_config(tmp_path, upstream_url))
    assert report.by_key("hours").status == "fail" and "cannot be read" in report.by_key("hours").detail


def test_no_credentials_is_only_a_warning(fake, upstream_url, tmp_path):
    report = run(Settings(), page_config(tmp_path, upstream_url))
    assert report.ok
    assert report.by_key("oauth").status == "warn"
    assert "chat still works" in report.by_key("oauth").detail
    assert report.by_key("agents").status == "skip"


# -- the command line -------------------------------------------------------------


@pytest.fixture
def cli(fake, upstream_url, tmp_path, monkeypatch):
    for key in ("GENESYS_CLIENT_ID", "GENESYS_CLIENT_SECRET", "GENESYS_QUEUE_ID", "GENESYS_REGION",
                "GENESYS_LOGIN_URL", "GENESYS_API_URL", "GENESYS_SCHEDULE_GROUP_ID"):
        monkeypatch.delenv(key, raising=False)
    (tmp_path / ".env").write_text(
        f"GENESYS_CLIENT_ID={CLIENT_ID}\nGENESYS_CLIENT_SECRET={CLIENT_SECRET}\nGENESYS_QUEUE_ID={QUEUE_ID}\n"
        f"GENESYS_LOGIN_URL={upstream_url}\nGENESYS_API_URL={upstream_url}\n")
    page_config(tmp_path, upstream_url)
    return ["doctor", "--root", str(tmp_path), "--config", str(tmp_path / "config.json"), "--timeout", "2",
            "--origin", ORIGIN]


def test_cli_exit_status_and_masking(fake, upstream_url, tmp_path, capsys, cli):
    assert main(cli) == 0
    out = capsys.readouterr().out
    assert "All required checks passed." in out and CLIENT_SECRET not in out
    assert "****** (set, hidden)" in out  # the OAuth row says the secret is set, without it

    fake.forbidden = True
    assert main(cli) == 1
    out = capsys.readouterr().out
    assert "✘ FAIL  Estimated wait time" in out and "routing:queue:view" in out and CLIENT_SECRET not in out

    fake.forbidden = False
    (tmp_path / ".env").write_text(f"GENESYS_CLIENT_ID={CLIENT_ID}\nGENESYS_CLIENT_SECRET={CLIENT_SECRET}x\n"
                                   f"GENESYS_LOGIN_URL={upstream_url}\nGENESYS_API_URL={upstream_url}\n")
    assert main(cli) == 1
    out = capsys.readouterr().out
    assert CLIENT_SECRET not in out and "✘ FAIL  OAuth client credentials" in out


def test_cli_json_shape_and_exit_codes(fake, upstream_url, tmp_path, capsys, cli):
    assert main(cli + ["--json"]) == 0
    body = json.loads(capsys.readouterr().out)  # nothing but the JSON on stdout
    assert set(body) == {"ok", "exitCode", "origin", "settingsFile", "page", "checks", "failed", "summary"}
    assert body["ok"] is True and body["exitCode"] == 0 and body["failed"] == []
    assert body["origin"] == ORIGIN and body["settingsFile"] == str(tmp_path / "config.json")
    assert body["page"] == {
        "deploymentId": DEPLOYMENT_ID,
        "socketUrl": upstream_url.replace("http://", "ws://") + f"/v1?deploymentId={DEPLOYMENT_ID}",
        "apiBaseUrl": upstream_url,
        "deploymentConfigUrl": f"{upstream_url}/webdeployments/v1/deployments/{DEPLOYMENT_ID}/config.json",
        "contextUrl": ORIGIN + "/api/context"}
    keys = [c["key"] for c in body["checks"]]
    assert keys == ["settings_file", "api_host", "deployment", "handshake", "session", "oauth", "wait_time",
                    "agents", "hours", "same_region", "proxy"]
    for check in body["checks"]:
        assert set(check) == {"key", "title", "status", "required", "detail", "fix"}
        assert check["status"] in ("pass", "fail", "warn", "skip") and isinstance(check["required"], bool)
    assert CLIENT_SECRET not in json.dumps(body)

    fake.forbidden = True
    assert main(cli + ["--json"]) == 1
    body = json.loads(capsys.readouterr().out)
    assert body["ok"] is False and body["exitCode"] == 1 and body["failed"] == ["wait_time"]
    wait = next(c for c in body["checks"] if c["key"] == "wait_time")
    assert wait["status"] == "fail" and "routing:queue:view" in wait["fix"]
    assert body["summary"] == "1 required check(s) failed: Estimated wait time (proxy)."


def test_cli_json_carries_the_causes_of_a_403(fake, upstream_url, tmp_path, capsys, cli):
    page_config(tmp_path, upstream_url, proxyUrl=None)  # no proxy check against a site that is not ours
    origin_at = cli.index("--origin") + 1
    cli[origin_at] = "https://shop.example.com"
    assert main(cli + ["--json"]) == 1
    body = json.loads(capsys.readouterr().out)
    hs = next(c for c in body["checks"] if c["key"] == "handshake")
    assert [(c["key"], c["status"]) for c in hs["causes"]] == [
        ("origin", "confirmed"), ("deployment_or_region", "ruled_out"), ("inactive", "ruled_out")]
    assert set(hs["causes"][0]) == {"key", "title", "status", "evidence", "howToCheck"}
    assert "handshake" in body["failed"]


def test_cli_json_for_a_missing_settings_file(tmp_path, capsys, monkeypatch):
    for key in ("GENESYS_CLIENT_ID", "GENESYS_CLIENT_SECRET", "GENESYS_QUEUE_ID", "GENESYS_REGION",
                "GENESYS_LOGIN_URL", "GENESYS_API_URL", "GENESYS_SCHEDULE_GROUP_ID"):
        monkeypatch.delenv(key, raising=False)
    assert main(["doctor", "--root", str(tmp_path), "--json", "--timeout", "1"]) == 1
    body = json.loads(capsys.readouterr().out)
    assert body["page"] is None and body["failed"][0] == "settings_file"
    assert "does not exist" in body["checks"][0]["detail"]


def test_the_secret_is_masked_wherever_it_would_show():
    report = doctor.Report([doctor.Check("x", "X", doctor.FAIL, f"said {CLIENT_SECRET}", f"fix {CLIENT_SECRET}",
                                         causes=[doctor.Cause("c", "C", doctor.UNKNOWN, CLIENT_SECRET, "h")])])
    assert CLIENT_SECRET not in doctor.format_report(report, CLIENT_SECRET)
    assert CLIENT_SECRET not in json.dumps(report.as_json(CLIENT_SECRET))
    assert report.as_json(CLIENT_SECRET)["checks"][0]["detail"] == "said ******"
