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
                             "http://127.0.0.1:8765", "micropython", "", {}, {}, (), (), None, {}, {}, "show")
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


def test_parse_language_strings_theme_and_modules():
    page = "http://127.0.0.1:8765/chat/index.html?embed=1"
    base = {"deploymentId": "d", "region": "mypurecloud.ie"}
    got = s.parse(dict(base, language="fr-CA", strings={"launcher.open": "Écrivez-nous"}, theme="dark",
                       modules=["custom/cards.py", "./brand.py"]), page)
    assert got.language == "fr-CA" and got.strings == {"launcher.open": "Écrivez-nous"}
    assert got.theme == {"scheme": "dark"}
    assert got.modules == ("http://127.0.0.1:8765/chat/custom/cards.py", "http://127.0.0.1:8765/chat/brand.py")
    for bad in (["https://evil.example/x.py"], ["../up.py"], ["//evil.example/x.py"], ["x.js"], "x.py", ["a//b.py"],
                ["custom/9lives.py"], ["c:\\x.py"]):
        raises_settings("config_invalid", s.parse, dict(base, modules=bad), page)
    assert s.parse(dict(base, stylesheets=["custom/brand-look.css"]), page).stylesheets == (
        "http://127.0.0.1:8765/chat/custom/brand-look.css",)
    raises_settings("config_invalid", s.parse, dict(base, stylesheets=["https://evil.example/x.css"]), page)
    raises_settings("config_invalid", s.parse, dict(base, modules=["custom/brand-look.py"]), page)
    raises_settings("config_invalid", s.parse, dict(base, theme={"scheme": "sepia"}), page)
    raises_settings("config_invalid", s.parse, dict(base, language=7), page)
    raises_settings("config_invalid", s.parse, dict(base, strings=["x"]), page)


def test_language_comes_from_settings_then_deployment_then_browser():
    from app.chat import strings as st

    assert st.choose_language("fr-CA", ["en-us"], "en-us", ["ar"]) == "fr"
    assert st.choose_language("de", [], "", []) == "de"  # a team may bring its own words
    assert st.choose_language("", ["en-us", "fr-fr"], "en-us", ["fr-BE", "en"]) == "fr"
    assert st.choose_language("", ["en-us", "fr-fr"], "en-us", ["ar"]) == "en"
    assert st.choose_language("", ["ar"], "", ["fr"]) == "ar"
    assert st.choose_language("", [], "", ["de-DE", "ar-EG"]) == "ar"
    assert st.choose_language("", [], "", ["de-DE"]) == "en"
    assert st.overrides_for({"a": "x", "fr": {"a": "y", "b": "z"}, "ar": {"a": "w"}}, "fr") == {"a": "y", "b": "z"}


def test_every_catalogue_word_is_in_the_string_table_and_languages_switch():
    from app.chat import strings as st
    from app.protocol import errors

    table = st.Strings()
    for problem in errors.every_problem():
        assert st.problem_words(problem, table) == (problem.title, problem.message, problem.action), problem.code
    odd = errors.problem_for(4998, "The service's own words")
    assert st.problem_words(odd, table) == ("Request failed", "The service's own words", "Please try again.")
    table.use("de", {"panel.title": "Schreiben Sie uns"})
    assert table("panel.title") == "Schreiben Sie uns" and table("status.connected") == "Connected"
    assert not table.rtl
    table.use("ar")
    assert table.rtl and table("status.connected") != "Connected"
    title, _, _ = st.problem_words(errors.problem_for(4011), table)
    assert title != "Message too long"
