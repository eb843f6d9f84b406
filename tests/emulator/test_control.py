"""The control API (`/_emulator/...`) and the agent console page."""
import pytest
from websockets.exceptions import ConnectionClosed

from emulator.deployments import DEMO_DEPLOYMENT_ID
from emulator_harness import is_event, is_text


def test_sessions_list_and_detail(emulator):
    guest = emulator.guest()
    guest.configure()
    guest.say("hello", tracingId="t")
    guest.expect(lambda f: is_text(f, direction="Inbound"))
    sessions = emulator.http.get("/_emulator/sessions").json()["sessions"]
    assert len(sessions) == 1
    summary = sessions[0]
    assert {"token", "deploymentId", "sockets", "readOnly", "agent", "messages"} <= set(summary)
    assert (summary["token"], summary["deploymentId"], summary["sockets"]) == (guest.token, DEMO_DEPLOYMENT_ID, 1)
    assert summary["readOnly"] is False and summary["agent"] is None and summary["messages"] >= 1
    detail = emulator.session(guest.token)
    assert [f["action"] for f in detail["inbound"]] == ["configureSession", "onMessage"]
    assert detail["outbound"][0]["class"] == "SessionResponse"
    assert detail["transcript"][0]["text"] == "hello"
    guest.close()


def test_unknown_session_is_404(emulator):
    assert emulator.http.get("/_emulator/sessions/nope").status_code == 404
    for path in ("agent/join", "agent/typing", "agent/say", "bot/say", "disconnect", "expire", "drop"):
        assert emulator.control("nope", path, {"firstName": "A", "text": "x"}).status_code == 404


def test_frames_log(emulator):
    guest = emulator.guest()
    guest.send("garbage", raw=True)
    guest.recv()
    guest.configure()
    frames = emulator.http.get("/_emulator/frames").json()["frames"]
    assert [(f["token"], f["frame"]["class"]) for f in frames] == [(None, "string"), (guest.token, "SessionResponse")]
    guest.close()


def test_agent_join_and_say_with_names(emulator):
    guest = emulator.guest()
    guest.configure()
    response = emulator.control(guest.token, "agent/join",
                                {"firstName": "Sam", "lastName": "Lee", "image": "https://example.com/sam.png"})
    assert response.status_code == 200
    assert response.json()["agent"] == {"firstName": "Sam", "lastName": "Lee", "nickname": "Sam",
                                        "image": "https://example.com/sam.png"}
    assert guest.quiet(0.2) == []  # joining emits nothing to the guest
    assert emulator.control(guest.token, "agent/typing").json()["by"] == "Human"
    guest.expect(lambda f: is_event(f, "Typing"))
    assert emulator.control(guest.token, "agent/say", {"text": "Hi, Sam here"}).status_code == 200
    frame = guest.expect(lambda f: is_text(f, "Human"))
    body = frame["body"]
    assert body["text"] == "Hi, Sam here" and body["direction"] == "Outbound" and frame["type"] == "message"
    assert body["channel"]["from"] == {"firstName": "Sam", "lastName": "Lee", "nickname": "Sam",
                                       "image": "https://example.com/sam.png"}
    summary = emulator.http.get("/_emulator/sessions").json()["sessions"][0]
    assert summary["agent"]["firstName"] == "Sam"
    guest.close()


def test_agent_errors(emulator):
    guest = emulator.guest()
    guest.configure()
    assert emulator.control(guest.token, "agent/say", {"text": "too early"}).status_code == 409
    assert emulator.control(guest.token, "agent/join", {}).status_code == 400
    assert emulator.control(guest.token, "agent/join", {"firstName": "A", "lastName": 3}).status_code == 400
    bad_json = emulator.http.post("/_emulator/sessions/%s/agent/join" % guest.token, content=b"{nope")
    assert bad_json.status_code == 400 and bad_json.json()["status"] == 400
    emulator.control(guest.token, "agent/join", {"firstName": "A"})
    assert emulator.control(guest.token, "agent/say", {"text": ""}).status_code == 400
    guest.close()


def test_typing_before_an_agent_is_the_bot(emulator):
    guest = emulator.guest()
    guest.configure()
    assert emulator.control(guest.token, "agent/typing").json()["by"] == "Bot"
    frame = guest.expect(lambda f: is_event(f, "Typing"))
    assert frame["body"]["direction"] == "Outbound"
    guest.close()


def test_bot_say_with_content(emulator):
    guest = emulator.guest()
    guest.configure()
    content = [{"contentType": "QuickReply", "quickReply": {"text": "Yes", "payload": "YES", "action": "Message"}}]
    assert emulator.control(guest.token, "bot/say", {"text": "Sure?", "content": content}).status_code == 200
    frame = guest.expect(lambda f: is_text(f, "Bot"))
    assert frame["body"]["type"] == "Structured" and frame["body"]["content"] == content
    assert emulator.control(guest.token, "bot/say", {"text": "x", "content": "no"}).status_code == 400
    guest.close()


def test_say_type_follows_the_content(emulator):
    # Attachments alone make a Text message (as in the transport SDK's fixtures); any structured
    # item next to them makes it Structured.
    guest = emulator.guest()
    guest.configure()
    file = {"contentType": "Attachment", "attachment": {"id": "f1", "mediaType": "File", "mime": "application/pdf",
                                                        "filename": "a.pdf", "fileSize": 3,
                                                        "url": emulator.base + "/static-bot/logo.png"}}
    reply = {"contentType": "QuickReply", "quickReply": {"text": "Yes", "payload": "YES", "action": "Message"}}
    for content, expected in (([file], "Text"), ([file, reply], "Structured"), ([], "Text")):
        assert emulator.control(guest.token, "bot/say", {"text": "Here", "content": content}).status_code == 200
        assert guest.expect(lambda f: is_text(f, "Bot"))["body"]["type"] == expected
    guest.close()


@pytest.mark.parametrize("body, read_only", [({}, True), ({"readOnly": False}, False), ({"readOnly": True}, True)])
def test_disconnect(emulator, body, read_only):
    guest = emulator.guest()
    guest.configure()
    emulator.control(guest.token, "agent/join", {"firstName": "Sam"})
    response = emulator.control(guest.token, "disconnect", body)
    assert response.status_code == 200
    frame = guest.expect(lambda f: is_event(f, "Presence", "Disconnect"))
    assert frame["type"] == "message" and frame["body"]["direction"] == "Outbound"
    assert (frame["body"].get("metadata", {}).get("readOnly") == "true") is read_only
    assert response.json()["session"]["agent"] is None
    assert guest.configure()["body"]["readOnly"] is read_only
    assert (emulator.control(guest.token, "agent/say", {"text": "x"}).status_code == 409)
    guest.close()


def test_expire(emulator):
    guest = emulator.guest()
    guest.configure()
    assert emulator.control(guest.token, "expire").status_code == 200
    frame = guest.expect(lambda f: f["class"] == "SessionExpiredEvent")
    assert frame["type"] == "response" and frame["body"] == {}
    guest.say("still there?")
    assert guest.recv()["code"] == 400
    assert guest.configure()["body"]["newSession"] is True
    guest.close()


def test_drop_closes_sockets_and_the_session_resumes(emulator):
    guest = emulator.guest()
    guest.configure()
    response = emulator.control(guest.token, "drop", {"code": 1011})
    assert response.json() == {"dropped": 1}
    with pytest.raises(ConnectionClosed) as closed:
        guest.recv(timeout=2)
    assert closed.value.rcvd.code == 1011
    emulator.control(guest.token, "bot/say", {"text": "while you were away"})
    again = emulator.guest(token=guest.token)
    assert again.configure()["body"]["newSession"] is False
    assert emulator.session(guest.token)["transcript"][-1]["text"] == "while you were away"
    assert emulator.control(guest.token, "drop", {"code": 1006}).status_code == 400
    again.close()


def test_disconnect_bad_body(emulator):
    guest = emulator.guest()
    guest.configure()
    assert emulator.control(guest.token, "disconnect", {"readOnly": "yes"}).status_code == 400
    guest.close()


def test_deployment_patch(emulator):
    response = emulator.http.post("/_emulator/deployments/%s" % DEMO_DEPLOYMENT_ID, json={"botDelaySeconds": 0.2})
    assert response.status_code == 200 and response.json()["botDelaySeconds"] == 0.2
    assert emulator.http.get("/_emulator/deployments/%s" % DEMO_DEPLOYMENT_ID).json()["botDelaySeconds"] == 0.2
    for bad in ({"botDelaySeconds": "slow"}, {"nope": 1}, {"status": "Sleeping"}, {"maxSockets": -1}, [1],
                {"fileTypes": [1]}):
        assert emulator.http.post("/_emulator/deployments/%s" % DEMO_DEPLOYMENT_ID, json=bad).status_code == 400
    assert emulator.http.post("/_emulator/deployments/unknown", json={}).status_code == 404
    assert emulator.http.get("/_emulator/deployments/unknown").status_code == 404


def test_deployment_create(emulator):
    response = emulator.http.post("/_emulator/deployments/other", json={"create": True, "allowAllDomains": True})
    assert response.status_code == 200 and response.json()["id"] == "other"
    guest = emulator.guest(deployment_id="other", origin="https://shop.example")
    assert guest.configure()["body"]["newSession"] is True
    guest.close()


def test_reset_forgets_and_closes(emulator):
    guest = emulator.guest()
    guest.configure()
    assert emulator.http.post("/_emulator/reset").json() == {"ok": True}
    with pytest.raises(ConnectionClosed):
        guest.recv(timeout=2)
    assert emulator.http.get("/_emulator/sessions").json()["sessions"] == []
    assert emulator.http.get("/_emulator/frames").json()["frames"] == []


def test_reset_keeps_deployment_settings_unless_asked(emulator):
    emulator.patch(botDelaySeconds=0.3)
    emulator.http.post("/_emulator/reset")
    assert emulator.http.get("/_emulator/deployments/%s" % DEMO_DEPLOYMENT_ID).json()["botDelaySeconds"] == 0.3
    emulator.http.post("/_emulator/reset", json={"deployments": True})
    assert emulator.http.get("/_emulator/deployments/%s" % DEMO_DEPLOYMENT_ID).json()["botDelaySeconds"] == 0.05


def test_agent_console_page(emulator):
    response = emulator.http.get("/agent")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    page = response.text
    for selector in ('id="sessions"', 'id="transcript"', 'id="agent-name"', 'value="Sam Lee"', 'id="join"',
                     'id="message"', 'id="send"', 'id="disconnect"', "/_emulator/sessions", "dataset.token"):
        assert selector in page, selector
    assert "innerHTML" not in page
