"""`python -m proxy doctor --explain`: the tutorials' endpoints and scopes that do not exist, and the
right things, recognised in a URL or a pasted snippet (proxy/explain.py, printed by the doctor)."""
import io
import json

import pytest

from proxy import explain
from proxy.__main__ import main

DEP = "f3b8c4d2-5a6e-4b7f-8c9d-0e1f2a3b4c5d"
SOCKET = "wss://webmessaging.{region}/v1?deploymentId="

# (text, the wrong keys it must give, words the "instead" of the first of them must contain)
TUTORIALS = [
    ("wss://api.mypurecloud.com/api/v2/guest/conversations/webchat?token=eyJhbGciOi.abc",
     {"guest_conversations_webchat", "api_host_socket", "token_in_socket_url"}, [SOCKET, "configureSession"]),
    ("POST https://api.mypurecloud.com/api/v2/guest/conversations/webchat/token",
     {"guest_conversations_webchat"}, [SOCKET, "no token endpoint"]),
    ("curl -X POST https://api.mypurecloud.ie/api/v2/chat/guestsessions -d '{}'  # -> {sessionId, token}",
     {"chat_guestsessions"}, [SOCKET, "makes its own session token"]),
    ("const ws = new WebSocket(`wss://chat.mypurecloud.com/ws?sessionId=${id}&token=${token}`);",
     {"chat_host", "ws_session_id", "token_in_socket_url"}, ["webmessaging.{region}"]),
    ("socket = io('ws://localhost:3000/ws?sessionId=42')", {"ws_session_id"}, [SOCKET]),
    ("scope: chat:guest:create", {"guest_chat_scope"}, ["needs no OAuth", "proxy only", "never goes to the browser"]),
    ("scopes=chat:guest:*", {"guest_chat_scope"}, ["needs no OAuth"]),
    ("webchat:guest:create", {"guest_chat_scope"}, ["needs no OAuth"]),
    ("Required scopes: guest:read guest:write guest:*", {"guest_scope"}, ["needs no OAuth", "role"]),
    (f"wss://webmessaging.mypurecloud.com/v1?deploymentId={DEP}&access_token=eyJhbGciOiJIUzI1NiJ9.x.y",
     {"token_in_socket_url"}, ["configureSession", "not an OAuth token"]),
    ("new WebSocket(url + '?authToken=' + t)  // wss://webmessaging.mypurecloud.de/v1?jwt=abc",
     {"token_in_socket_url"}, ["configureSession"]),
    ("const ws = new WebSocket(url, { headers: { Authorization: 'Bearer ' + accessToken } });",
     {"ws_authorization_header"}, ["no header", "configureSession"]),
    ('headers = {"Authorization": f"Bearer {token}"}\nws = websocket.create_connection(url, header=headers)',
     {"ws_authorization_header"}, ["configureSession"]),
    ('async with websockets.connect("wss://webmessaging.mypurecloud.ie/v1", '
     'additional_headers={"Authorization": "Bearer x"}) as ws:', {"ws_authorization_header"}, ["configureSession"]),
    ("GET /v1?deploymentId=x HTTP/1.1\nUpgrade: websocket\nAuthorization: Bearer abcdefgh",
     {"ws_authorization_header"}, ["configureSession"]),
    ("POST https://api.mypurecloud.com/api/v2/webchat/guest/conversations", {"webchat_guest_api"}, [SOCKET]),
    ("ws = new WebSocket('wss://streaming.mypurecloud.com/chat/jwt/eyJhbGciOiJIUzI1NiJ9')",
     {"legacy_stream"}, [SOCKET]),
    ("POST /api/v2/conversations/messaging/guests", {"invented_guest_endpoints"}, [SOCKET]),
    ("wss://api.mypurecloud.com/webchat/v1/guest/connect", {"invented_guest_endpoints", "api_host_socket"}, [SOCKET]),
    ("if (frame.type === 'conversation-update') { ... } else if (frame.type === 'bot-message')",
     {"invented_frame_types"}, ["class", "StructuredMessage"]),
    ("wss://webmessaging.mypurecloud.com/ws/chat?deploymentId=x", {"webmessaging_socket:wrong"}, ["/v1"]),
]


def wrong_keys(findings):
    return {f.key for f in findings if f.verdict == explain.WRONG}


@pytest.mark.parametrize("text,keys,words", TUTORIALS, ids=[t[0][:40] for t in TUTORIALS])
def test_each_tutorial_pattern_is_recognised_and_explained(text, keys, words):
    findings = explain.explain(text)
    assert explain.has_problems(findings)
    assert wrong_keys(findings) == keys
    first = next(f for f in findings if f.key == min(keys, key=_table_order))  # the table's first of them
    assert first.what and first.instead and first.label and first.matches
    for word in words:
        assert word in first.instead, (word, first.instead)


def _table_order(key):
    return [p.key for p in explain.PATTERNS].index(key.split(":")[0])


def test_every_pattern_of_the_table_is_exercised():
    seen = set()
    for text, _, _ in TUTORIALS + [(t, None, None) for t in RIGHT]:
        seen |= {f.key.split(":")[0] for f in explain.explain(text)}
    assert seen == {p.key for p in explain.PATTERNS}


def test_the_retired_api_is_called_retired_and_the_invented_one_invented():
    (made_up,) = [f for f in explain.explain("/api/v2/guest/conversations/webchat") if f.wrong]
    assert "Not a Genesys API" in made_up.what and "retired guest chat API" in made_up.what
    assert "widgets" in made_up.what
    (retired,) = [f for f in explain.explain("/api/v2/webchat/guest/conversations") if f.wrong]
    assert "retired" in retired.what and "removed from the public Platform API" in retired.what


def test_authorization_header_explains_why_browsers_cannot():
    (finding,) = explain.explain("new WebSocket(u, {headers: {Authorization: t}})")
    assert "cannot set headers on a WebSocket" in finding.what
    assert "session token inside the configureSession frame" in finding.what


def test_tokens_are_blanked_in_what_is_echoed():
    text = "wss://chat.mypurecloud.com/ws?sessionId=S3CRET1&token=S3CRET2 and Authorization: Bearer S3CRET3xyz"
    out = json.dumps(explain.as_json(text, explain.explain(text)), ensure_ascii=False)
    assert "S3CRET" not in out
    assert "sessionId=…" in out


RIGHT = [
    f"wss://webmessaging.mypurecloud.com/v1?deploymentId={DEP}",
    "wss://webmessaging.mypurecloud.ie/v1",
    '{"action": "configureSession", "token": "0b7f…", "deploymentId": "…"}',
    f"https://api-cdn.mypurecloud.ie/webdeployments/v1/deployments/{DEP}/config.json",
    "GET https://api.euw2.pure.cloud/api/v2/webmessaging/messages",
    "The proxy's role needs routing:queue:view and analytics:queueObservation:view.",
    "wss://webmessaging.example.com/v1",
    "grant_type=client_credentials",
]


def test_a_correct_socket_url_looks_right():
    findings = explain.explain(f"wss://webmessaging.mypurecloud.com/v1?deploymentId={DEP}")
    assert [(f.key, f.verdict) for f in findings] == [("webmessaging_socket", "right")]
    assert "us-east-1" in findings[0].what and "Looks right" in findings[0].instead
    assert not explain.has_problems(findings)
    assert explain.summary(findings) == "Nothing wrong found; 1 thing(s) look right."


def test_a_socket_host_without_deployment_id_is_right_and_says_the_page_adds_it():
    (f,) = explain.explain("wss://webmessaging.mypurecloud.ie/v1")
    assert f.verdict == "right" and "eu-west-1" in f.what and "?deploymentId=" in f.instead


@pytest.mark.parametrize("text,key", [
    ('{"action": "configureSession", "token": "0b7f…", "deploymentId": "…"}', "configure_session"),
    (f"https://api-cdn.mypurecloud.ie/webdeployments/v1/deployments/{DEP}/config.json", "deployment_config"),
    ("GET https://api.euw2.pure.cloud/api/v2/webmessaging/messages", "webmessaging_history"),
    ("routing:queue:view, analytics:queueObservation:view, routing:scheduleGroup:view, routing:schedule:view",
     "proxy_permission"),
])
def test_other_right_things(text, key):
    findings = explain.explain(text)
    assert [(f.key, f.verdict) for f in findings] == [(key, "right")]


def test_notes_are_not_problems():
    findings = explain.explain("wss://webmessaging.example.com/v1 and grant_type=client_credentials")
    assert {(f.key, f.verdict) for f in findings} == {("webmessaging_socket:note", "note"),
                                                     ("client_credentials", "note")}
    assert not explain.has_problems(findings)
    assert "never in a browser" in next(f for f in findings if f.key == "client_credentials").instead


@pytest.mark.parametrize("text", [
    "hello world",
    "{guest:true, chat: 'x'}",
    "https://chat.example.com/support",
    # A REST call with a bearer token is how the proxy works; no WebSocket is near it.
    'fetch("https://api.mypurecloud.com/api/v2/routing/queues/q/estimatedwaittime", '
    '{headers: {Authorization: "Bearer " + t}})',
    "wss://webmessaging.mypurecloud.com/v1?deploymentId=x&application=TransportSDK-2.14.0",
])
def test_no_false_alarms(text):
    assert not explain.has_problems(explain.explain(text))


def test_a_snippet_gives_the_line_of_each_finding_once_per_kind():
    snippet = "\n".join([
        "// from a tutorial",
        "const url = 'wss://chat.mypurecloud.com/ws?sessionId=' + id;",
        "const scopes = ['guest:read', 'guest:write'];",
        f"const good = 'wss://webmessaging.mypurecloud.com/v1?deploymentId={DEP}';",
    ])
    findings = explain.explain(snippet)
    by_key = {f.key: f for f in findings}
    assert by_key["chat_host"].line == 2 and by_key["ws_session_id"].line == 2
    assert by_key["guest_scope"].line == 3 and by_key["guest_scope"].matches == ["guest:read", "guest:write"]
    assert by_key["webmessaging_socket"].line == 4
    assert [f.verdict for f in findings] == sorted((f.verdict for f in findings),
                                                   key=["wrong", "note", "right"].index)  # wrong first


def test_a_percent_encoded_url_is_read_decoded():
    findings = explain.explain("https%3A%2F%2Fexample.org%2F%3Fnext%3Dwss%3A%2F%2Fchat.mypurecloud.com%2Fws%3FsessionId%3D1")
    assert {"chat_host", "ws_session_id"} <= wrong_keys(findings)


def test_json_shape():
    text = "wss://chat.mypurecloud.com/ws?sessionId=1"
    body = explain.as_json(text, explain.explain(text))
    assert set(body) == {"ok", "exitCode", "input", "findings", "summary"}
    assert body["ok"] is False and body["exitCode"] == 1
    for f in body["findings"]:
        assert set(f) == {"key", "verdict", "label", "what", "instead", "line", "matches"}
    assert body == json.loads(json.dumps(body))


# -- through the command line ---------------------------------------------------


def doctor(tmp_path, *args):
    return main(["doctor", "--root", str(tmp_path), *args])


def test_cli_explain_a_tutorial_url(tmp_path, capsys):
    assert doctor(tmp_path, "--explain", "wss://api.mypurecloud.com/api/v2/guest/conversations/webchat?token=x") == 1
    out = capsys.readouterr().out
    assert out.count("✘ ") == 3 and "Use instead: " in out and "What it is: " in out
    assert "wss://webmessaging.{region}/v1?deploymentId=" in out
    assert out.rstrip().endswith("3 thing(s) that do not work with Genesys Cloud Web Messaging.")


def test_cli_explain_a_correct_url(tmp_path, capsys):
    assert doctor(tmp_path, "--explain", f"wss://webmessaging.mypurecloud.com/v1?deploymentId={DEP}") == 0
    out = capsys.readouterr().out
    assert out.startswith("✔ Web Messaging guest socket (line 1): wss://webmessaging.mypurecloud.com/v1")
    assert "✘" not in out


def test_cli_explain_nothing_recognised_is_not_a_failure(tmp_path, capsys):
    assert doctor(tmp_path, "--explain", "just some words") == 0
    assert "Nothing recognised" in capsys.readouterr().out


def test_cli_explain_json(tmp_path, capsys):
    assert doctor(tmp_path, "--explain", "scope chat:guest:create", "--json") == 1
    body = json.loads(capsys.readouterr().out)
    assert body["exitCode"] == 1 and [f["key"] for f in body["findings"]] == ["guest_chat_scope"]
    assert body["findings"][0]["matches"] == ["chat:guest:create"]
    assert doctor(tmp_path, "--explain", "wss://webmessaging.mypurecloud.ie/v1", "--json") == 0
    body = json.loads(capsys.readouterr().out)
    assert body["ok"] is True and body["findings"][0]["verdict"] == "right"


def test_cli_explain_reads_stdin_and_files(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("const s = 'guest:write';\n"))
    assert doctor(tmp_path, "--explain", "-") == 1
    assert "guest:* scope (line 1): guest:write" in capsys.readouterr().out
    snippet = tmp_path / "snippet.js"
    snippet.write_text("// ok\nws = new WebSocket('wss://webmessaging.mypurecloud.ie/v1?deploymentId=" + DEP + "')\n")
    assert doctor(tmp_path, "--explain", "@" + str(snippet)) == 0
    assert "(line 2)" in capsys.readouterr().out


def test_cli_explain_masks_the_proxy_secret(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("GENESYS_CLIENT_SECRET", raising=False)
    (tmp_path / ".env").write_text("GENESYS_CLIENT_SECRET=Zq81-very-secret\n")
    args = ["--explain", "client_secret=Zq81-very-secret&grant_type=client_credentials", "--json"]
    assert doctor(tmp_path, *args) == 0
    out = capsys.readouterr().out
    assert "Zq81-very-secret" not in out and "client_secret=******" in json.loads(out)["input"]
