"""Error catalogue and page settings. Portable: CPython, MicroPython and Pyodide."""
from app.chat import settings as s
from app.protocol import errors

SERVICE_CODES = (400, 401, 403, 404, 408, 409, 429, 4000, 4001, 4002, 4003, 4004, 4005, 4006, 4007, 4008,
                 4009, 4010, 4011, 4013, 4017, 4020, 4029, 5000)
POLICIES = (errors.CONTINUE, errors.RETRY, errors.WAIT, errors.REAUTHENTICATE, errors.NEW_SESSION, errors.STOP)
FAULTS = (errors.GUEST, errors.SITE, errors.SERVICE, errors.NETWORK, errors.CLIENT)


def test_every_reference_code_has_plain_words_an_action_and_a_policy():
    for code in SERVICE_CODES:
        p = errors.problem_for(code)
        assert p.code == code and p.title and p.message and p.action, code
        assert p.policy in POLICIES and p.fault in FAULTS, code
        assert "Exception" not in p.message and "Traceback" not in p.message


def test_fatal_and_retry_policies():
    assert errors.problem_for(4006).policy == errors.NEW_SESSION
    assert errors.problem_for(4007).policy == errors.NEW_SESSION
    assert errors.problem_for(4017).policy == errors.NEW_SESSION
    assert errors.problem_for(429).policy == errors.WAIT
    assert errors.problem_for(5000).policy == errors.RETRY
    assert errors.problem_for("handshake_origin").policy == errors.STOP


def test_unknown_codes_fall_back_by_class():
    assert errors.problem_for(4999, "odd").policy == errors.CONTINUE
    assert errors.problem_for(4999, "odd").message == "odd"
    assert errors.problem_for(503).policy == errors.RETRY
    assert errors.problem_for("nonsense").policy == errors.RETRY


def test_forbidden_text_picks_the_specific_problem():
    assert errors.problem_for(403, "Presence events Conversation Clear are not supported").fault == errors.SITE
    assert errors.problem_for(403, "Session authentication failed").policy == errors.REAUTHENTICATE


def test_handshake_diagnosis():
    assert errors.classify_handshake_failure(0, None).code == "unreachable"
    assert errors.classify_handshake_failure(404, None).code == "deployment_not_found"
    assert errors.classify_handshake_failure(200, {"status": "Inactive"}).code == "deployment_inactive"
    origin = errors.classify_handshake_failure(200, {"status": "Active"})
    assert origin.code == "handshake_origin" and "allowed domains" in origin.action


def raises_settings(key, fn, *args):
    try:
        fn(*args)
    except s.SettingsError as exc:
        assert exc.key == key, exc.key
        return exc
    raise AssertionError("expected SettingsError " + key)


def test_config_url_is_same_origin_only():
    page = "http://127.0.0.1:8765/chat/index.html?runtime=pyodide"
    assert s.config_url(page) == "http://127.0.0.1:8765/chat/config.json"
    assert s.config_url(page + "&config=staging.json") == "http://127.0.0.1:8765/chat/staging.json"
    assert s.config_url("http://127.0.0.1:8765/?config=%2Fconf%2Fa.json") == "http://127.0.0.1:8765/conf/a.json"
    assert s.config_url("http://h/?config=http://h/x.json") == "http://h/x.json"
    for bad in ("https://evil.example/x.json", "//evil.example/x.json", "javascript:alert(1)", "http://h:9/x.json"):
        raises_settings("config_foreign", s.config_url, "http://h/?config=" + bad)


def test_parse_explicit_urls():
    got = s.parse({"deploymentId": " d1 ", "webMessagingUrl": "ws://127.0.0.1:8766/v1",
                   "apiBaseUrl": "http://127.0.0.1:8766/", "proxyUrl": ""}, "http://127.0.0.1:8765/")
    assert got == s.Settings("d1", "ws://127.0.0.1:8766/v1", "http://127.0.0.1:8766", "http://127.0.0.1:8766",
                             "http://127.0.0.1:8765", "micropython")
    assert s.socket_url(got) == "ws://127.0.0.1:8766/v1?deploymentId=d1"
    assert s.context_url(got) == "http://127.0.0.1:8765/api/context"


def test_parse_region_derives_the_hosts():
    got = s.parse({"deploymentId": "d", "region": "mypurecloud.ie", "runtime": "pyodide"}, "https://shop/")
    assert got.web_messaging_url == "wss://webmessaging.mypurecloud.ie/v1"
    assert got.api_base_url == "https://api.mypurecloud.ie"
    assert got.cdn_base_url == "https://api-cdn.mypurecloud.ie"
    assert got.proxy_url is None and got.runtime == "pyodide"
    assert s.deployment_config_url(got) == "https://api-cdn.mypurecloud.ie/webdeployments/v1/deployments/d/config.json"


def test_bare_socket_host_gets_v1():
    got = s.parse({"deploymentId": "d", "webMessagingUrl": "wss://webmessaging.mypurecloud.com",
                   "apiBaseUrl": "https://api.mypurecloud.com"}, "https://shop/")
    assert got.web_messaging_url == "wss://webmessaging.mypurecloud.com/v1"


def test_invalid_settings_say_what_is_wrong():
    page = "http://h/"
    assert "deploymentId" in raises_settings("config_invalid", s.parse, {}, page).detail
    raises_settings("config_invalid", s.parse, [], page)
    raises_settings("config_invalid", s.parse, {"deploymentId": "d", "webMessagingUrl": "http://x"}, page)
    raises_settings("config_invalid", s.parse, {"deploymentId": "d", "region": "a/b"}, page)
    raises_settings("config_invalid", s.parse, {"deploymentId": "d", "region": "x.com", "runtime": "java"}, page)
    raises_settings("config_invalid", s.parse, {"deploymentId": "d", "region": "x.com", "proxyUrl": "ftp://p"}, page)
