"""The web-messaging socket: handshake, session actions, errors (over a real socket)."""
import re
import time
import uuid

import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect

from emulator_harness import is_event, is_text

ISO_MS_Z = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")


def _handshake_status(url, origin=None):
    headers = {"Origin": origin} if origin else None
    with pytest.raises(InvalidStatus) as refused:
        connect(url, additional_headers=headers, open_timeout=5, legacy=True)
    return refused.value.response.status_code


def test_handshake_unknown_deployment_is_403(emulator):
    assert _handshake_status(emulator.socket_url("00000000-0000-0000-0000-000000000000")) == 403


def test_handshake_missing_deployment_is_403(emulator):
    assert _handshake_status(emulator.ws_base + "/v1") == 403


def test_handshake_disallowed_origin_is_403(emulator):
    assert _handshake_status(emulator.socket_url(), origin="https://evil.example") == 403
    assert _handshake_status(emulator.socket_url(), origin="null") == 403


def test_handshake_allowed_origin_any_port_and_no_origin(emulator):
    for origin in ("http://127.0.0.1:8765", "http://localhost:9999", "https://LOCALHOST", None):
        guest = emulator.guest(origin=origin)
        assert guest.configure()["body"]["connected"] is True
        guest.close()


def test_handshake_allow_all_domains_and_inactive(emulator):
    emulator.patch(allowAllDomains=True)
    emulator.guest(origin="https://anything.example").close()
    emulator.patch(status="Inactive")
    assert _handshake_status(emulator.socket_url()) == 403


def test_configure_new_session(emulator):
    guest = emulator.guest()
    frame = guest.configure(tracingId="t-1")
    assert frame["type"] == "response" and frame["class"] == "SessionResponse" and frame["code"] == 200
    assert frame["tracingId"] == "t-1"
    body = frame["body"]
    assert body["connected"] is True and body["newSession"] is True and body["readOnly"] is False
    assert body["allowedMedia"]["inbound"]["maxFileSizeKB"] == 10240
    assert {"type": "image/png"} in body["allowedMedia"]["inbound"]["fileTypes"]
    assert ".exe" in body["blockedExtensions"]
    assert body["maxCustomDataBytes"] == 2048
    assert body["durationSeconds"] > 0 and body["expirationDate"] > time.time()
    guest.close()


def test_configure_again_and_resume_from_new_socket(emulator):
    first = emulator.guest()
    assert first.configure()["body"]["newSession"] is True
    assert first.configure()["body"]["newSession"] is False
    first.close()
    second = emulator.guest(token=first.token)
    assert second.configure()["body"]["newSession"] is False
    second.close()


def test_session_response_says_no_existing_session_was_cleared(emulator):
    # Transport-SDK fixture: SessionResponse carries clearedExistingSession (false unless an
    # authenticated configure signed other sessions out, which the emulator does not model).
    first = emulator.guest()
    bodies = [first.configure()["body"], first.configure()["body"]]
    second = emulator.guest(token=first.token)
    bodies.append(second.configure()["body"])
    second.action("closeSession", closeAllConnections=False, tracingId="close")
    bodies.append(second.expect(lambda f: f.get("tracingId") == "close")["body"])
    assert [b["newSession"] for b in bodies[:3]] == [True, False, False] and bodies[3]["connected"] is False
    assert all(b["clearedExistingSession"] is False for b in bodies)
    first.close()
    second.close()


def test_configure_without_tracing_id_has_none(emulator):
    guest = emulator.guest()
    assert "tracingId" not in guest.configure()
    guest.close()


def test_configure_errors(emulator):
    guest = emulator.guest()
    guest.action("configureSession")
    frame = guest.recv()
    assert (frame["class"], frame["code"]) == ("string", 4020) and "deploymentId" in frame["body"]
    guest.action("configureSession", deploymentId="another-deployment", tracingId="x")
    frame = guest.recv()
    assert (frame["class"], frame["code"], frame["tracingId"]) == ("string", 400, "x")
    guest.send({"action": "configureSession", "token": "a" * 2049, "deploymentId": guest.deployment_id})
    assert guest.recv()["code"] == 400
    assert guest.configure()["body"]["connected"] is True
    guest.close()


def test_authenticated_session_is_refused(emulator):
    guest = emulator.guest()
    guest.action("configureAuthenticatedSession", deploymentId=guest.deployment_id, data={"code": "jwt"})
    frame = guest.recv()
    assert (frame["class"], frame["code"]) == ("string", 403)
    assert guest.configure()["body"]["connected"] is True
    guest.close()


def test_text_is_echoed_inbound(emulator):
    # guest.say sends no `time`: the schema requires it, official clients omit it.
    guest = emulator.guest()
    guest.configure()
    guest.say("Hello there", tracingId="msg-1")
    frame = guest.expect(lambda f: is_text(f, direction="Inbound"))
    assert frame["type"] == "message" and frame["code"] == 200 and frame["tracingId"] == "msg-1"
    body = frame["body"]
    assert body["text"] == "Hello there" and body["type"] == "Text" and body["id"]
    assert ISO_MS_Z.match(body["channel"]["time"]) and body["channel"]["messageId"]
    guest.close()


def test_custom_attributes_both_placements(emulator):
    guest = emulator.guest()
    guest.configure()
    guest.action("onMessage", message={"type": "Text", "text": "a",
                                       "channel": {"metadata": {"customAttributes": {"name": "Jane"}}}})
    guest.expect(lambda f: is_text(f, direction="Inbound"))
    time.sleep(0.5)
    guest.action("onMessage", message={"type": "Text", "text": "b"},
                 channel={"metadata": {"customAttributes": {"plan": "gold"}}})
    guest.expect(lambda f: is_text(f, direction="Inbound") and f["body"]["text"] == "b")
    assert emulator.session(guest.token)["customAttributes"] == {"name": "Jane", "plan": "gold"}
    guest.close()


def test_presence_join_is_echoed(emulator):
    guest = emulator.guest()
    guest.configure()
    guest.join()
    frame = guest.expect(lambda f: is_event(f, "Presence", "Join", direction="Inbound"))
    assert frame["type"] == "message"
    guest.close()


def test_guest_typing_is_accepted_silently(emulator):
    guest = emulator.guest()
    guest.configure()
    guest.action("onMessage", message={"type": "Event", "events": [{"eventType": "Typing", "typing": {"type": "On"}}]})
    assert guest.quiet(0.3) == []
    assert emulator.http.get("/_emulator/sessions").json()["sessions"][0]["guestTyping"] is True
    assert guest.echo()["class"] == "StructuredMessage"
    guest.close()


def test_guest_typing_when_disabled_is_403(emulator):
    emulator.patch(showUserTypingIndicator=False)
    guest = emulator.guest()
    guest.configure()
    guest.action("onMessage", message={"type": "Event", "events": [{"eventType": "Typing", "typing": {"type": "On"}}]})
    frame = guest.recv()
    assert (frame["class"], frame["code"]) == ("string", 403)
    guest.close()


def test_echo(emulator):
    guest = emulator.guest()
    guest.configure()
    frame = guest.echo("SGVhbHRoQ2hlY2tNZXNzYWdlSWQ=")
    assert frame["type"] == "response" and frame["class"] == "StructuredMessage" and frame["code"] == 200
    body = frame["body"]
    assert body["text"] == "ping" and body["type"] == "Text" and body["direction"] == "Inbound" and body["id"]
    assert body["metadata"]["durationSeconds"].isdigit() and body["metadata"]["expirationDate"].isdigit()
    guest.close()


def test_get_jwt(emulator):
    guest = emulator.guest()
    guest.configure()
    guest.action("getJwt", tracingId="jwt-1")
    frame = guest.recv()
    assert frame["class"] == "JwtResponse" and frame["type"] == "response" and frame["tracingId"] == "jwt-1"
    assert frame["body"]["jwt"].count(".") == 2
    assert time.time() < frame["body"]["exp"] < time.time() + 7200
    guest.close()


def test_get_configuration(emulator):
    guest = emulator.guest()
    guest.configure()
    guest.action("getConfiguration", deploymentId=guest.deployment_id)
    frame = guest.recv()
    assert frame["class"] == "GetConfigurationResponse" and frame["body"]["maxCustomDataBytes"] == 2048
    guest.close()


@pytest.mark.parametrize("raw, code", [
    ("not json", 400),
    ("[1, 2]", 400),
    ('"text"', 400),
    ('{"token": "t"}', 4020),
    ('{"action": "dance", "token": "t"}', 400),
    ('{"action": "echo", "message": {"type": "Text", "text": "x"}}', 4020),
    ('{"action": "onMessage", "token": "t", "message": {"type": "Text", "text": "x"}}', 400),
    ('{"action": "getJwt", "token": "t"}', 400),
    ('{"action": "resumeToken", "token": "t"}', 4000),
])
def test_bad_frames_get_string_errors_and_socket_stays_usable(emulator, raw, code):
    guest = emulator.guest()
    guest.send(raw, raw=True)
    frame = guest.recv()
    assert frame["type"] == "response" and frame["class"] == "string" and frame["code"] == code
    assert isinstance(frame["body"], str) and frame["body"]
    guest.configure()
    guest.send(raw, raw=True)
    assert guest.recv()["class"] == "string"
    assert guest.echo()["class"] == "StructuredMessage"
    guest.close()


def test_error_echoes_tracing_id(emulator):
    guest = emulator.guest()
    guest.action("getJwt", tracingId="before-configure")
    frame = guest.recv()
    assert frame["code"] == 400 and frame["tracingId"] == "before-configure"
    guest.close()


def test_binary_frame_is_an_error(emulator):
    guest = emulator.guest()
    guest.configure()
    guest.ws.send(b"\x00\x01")
    assert guest.recv()["code"] == 400
    assert guest.echo()["class"] == "StructuredMessage"
    guest.close()


def test_action_with_other_token_is_not_configured(emulator):
    guest = emulator.guest()
    guest.configure()
    guest.send({"action": "getJwt", "token": str(uuid.uuid4())})
    assert guest.recv()["code"] == 400
    guest.close()


@pytest.mark.parametrize("message, code", [
    (None, 4020),
    ("text", 400),
    ({"type": "Receipt"}, 400),
    ({"type": "Text"}, 400),
    ({"type": "Text", "text": 5}, 400),
    ({"type": "Event", "events": []}, 400),
    ({"type": "Event", "events": [{"eventType": "CoBrowse"}]}, 400),
    ({"type": "Event", "events": [{"eventType": "Presence", "presence": {"type": "SignIn"}}]}, 400),
    ({"type": "Text", "text": "x", "channel": {"metadata": {"customAttributes": {"a": 1}}}}, 400),
])
def test_bad_on_message(emulator, message, code):
    guest = emulator.guest()
    guest.configure()
    request = {"action": "onMessage", "token": guest.token}
    if message is not None:
        request["message"] = message
    guest.send(request)
    frame = guest.recv()
    assert (frame["class"], frame["code"]) == ("string", code)
    guest.close()


def test_text_too_long_is_4011(emulator):
    guest = emulator.guest()
    guest.configure()
    guest.say("é" * 2049)  # 4098 bytes, 2049 characters
    frame = guest.recv()
    assert (frame["class"], frame["code"]) == ("string", 4011)
    guest.say("x" * 4096)
    assert guest.expect(lambda f: is_text(f, direction="Inbound"))["body"]["text"] == "x" * 4096
    guest.close()


def test_custom_attributes_too_large_is_4013(emulator):
    guest = emulator.guest()
    guest.configure()
    guest.action("onMessage", message={"type": "Text", "text": "hi",
                                       "channel": {"metadata": {"customAttributes": {"k": "v" * 2048}}}})
    frame = guest.recv()
    assert (frame["class"], frame["code"]) == ("string", 4013) and "2048" in frame["body"]
    guest.close()


def test_limits_are_per_deployment(emulator):
    emulator.patch(maxTextBytes=10, maxCustomDataBytes=5)
    guest = emulator.guest()
    assert guest.configure()["body"]["maxCustomDataBytes"] == 5
    guest.say("x" * 11)
    assert guest.recv()["code"] == 4011
    guest.action("onMessage", message={"type": "Text", "text": "hi",
                                       "channel": {"metadata": {"customAttributes": {"abc": "def"}}}})
    assert guest.recv()["code"] == 4013
    guest.close()


def test_rate_limit_is_429(emulator):
    emulator.patch(botDelaySeconds=5)  # keep the bot quiet
    guest = emulator.guest()
    guest.configure()
    for n in range(3):
        guest.say("m%d" % n, tracingId="r%d" % n)
    frame = guest.expect(lambda f: f.get("tracingId") == "r2")
    assert frame["class"] == "TooManyRequestsErrorMessage" and frame["code"] == 429 and frame["type"] == "response"
    assert frame["body"]["errorCode"] == 4029 and frame["body"]["retryAfter"] >= 1
    time.sleep(1.05)
    guest.say("later", tracingId="r3")
    assert guest.expect(lambda f: f.get("tracingId") == "r3")["class"] == "StructuredMessage"
    assert guest.echo()["class"] == "StructuredMessage"  # echo is not rate limited
    guest.close()


def test_read_only_session(emulator):
    guest = emulator.guest()
    guest.configure()
    assert emulator.control(guest.token, "disconnect").status_code == 200
    frame = guest.expect(lambda f: is_event(f, "Presence", "Disconnect"))
    assert frame["body"]["metadata"]["readOnly"] == "true"
    guest.say("anyone?")
    frame = guest.recv()
    assert (frame["class"], frame["code"], frame["body"]) == ("string", 409, "Session is read-only")
    guest.close()
    again = emulator.guest(token=guest.token)
    body = again.configure()["body"]
    assert body["readOnly"] is True and body["newSession"] is False
    again.close()


def test_start_new_after_read_only(emulator):
    guest = emulator.guest()
    guest.configure()
    guest.say("hello")
    guest.expect(lambda f: is_text(f, direction="Inbound"))
    emulator.control(guest.token, "disconnect")
    guest.expect(lambda f: is_event(f, "Presence", "Disconnect"))
    guest.action("closeSession", closeAllConnections=True)
    closed = guest.expect(lambda f: f["class"] == "SessionResponse")
    assert closed["body"]["connected"] is False and closed["body"]["readOnly"] is True
    body = guest.configure(startNew=True)["body"]
    assert body["newSession"] is True and body["readOnly"] is False
    assert emulator.session(guest.token)["transcript"] == []
    guest.say("fresh start")
    guest.expect(lambda f: is_text(f, direction="Inbound"))
    guest.close()


def test_start_new_on_live_session_is_ignored(emulator):
    guest = emulator.guest()
    guest.configure()
    assert guest.configure(startNew=True)["body"]["newSession"] is False
    guest.close()


def test_pushes_reach_every_socket(emulator):
    one = emulator.guest()
    one.configure()
    two = emulator.guest(token=one.token)
    two.configure()
    emulator.control(one.token, "bot/say", {"text": "to both"})
    for guest in (one, two):
        assert guest.expect(lambda f: is_text(f, "Bot"))["body"]["text"] == "to both"
    one.say("from one")
    assert two.expect(lambda f: is_text(f, direction="Inbound"))["body"]["text"] == "from one"
    one.close()
    two.close()


def test_fourth_socket_evicts_oldest(emulator):
    guests = [emulator.guest()]
    guests[0].configure()
    for _ in range(3):
        guest = emulator.guest(token=guests[0].token)
        guest.configure()
        guests.append(guest)
    frame = guests[0].expect(lambda f: f["class"] == "ConnectionClosedEvent")
    assert frame["type"] == "message" and frame["body"]["reason"]
    with pytest.raises(ConnectionClosed):
        guests[0].recv(timeout=2)
    assert emulator.http.get("/_emulator/sessions").json()["sessions"][0]["sockets"] == 3
    for guest in guests[1:]:
        assert guest.echo()["class"] == "StructuredMessage"
        guest.close()


def test_close_session_closes_the_others(emulator):
    one = emulator.guest()
    one.configure()
    two = emulator.guest(token=one.token)
    two.configure()
    one.action("closeSession", closeAllConnections=True, tracingId="close")
    frame = one.expect(lambda f: f["class"] == "SessionResponse")
    assert frame["body"]["connected"] is False and frame["tracingId"] == "close"
    assert two.expect(lambda f: f["class"] == "ConnectionClosedEvent")
    with pytest.raises(ConnectionClosed):
        two.recv(timeout=2)
    one.action("getJwt")
    assert one.recv()["code"] == 400  # this socket left the session
    assert one.configure()["body"]["newSession"] is False
    one.close()


def test_clear_conversation(emulator):
    one = emulator.guest()
    one.configure()
    two = emulator.guest(token=one.token)
    two.configure()
    one.say("secret")
    one.expect(lambda f: is_text(f, direction="Inbound"))
    one.action("onMessage", tracingId="clear",
               message={"type": "Event", "events": [{"eventType": "Presence", "presence": {"type": "Clear"}}]})
    for guest in (one, two):
        ack = guest.expect(lambda f: is_event(f, "Presence", "Clear", direction="Inbound"))
        assert ack["code"] == 200
        guest.expect(lambda f: f["class"] == "SessionClearedEvent")
        guest.expect(lambda f: f["class"] == "ConnectionClosedEvent")
        with pytest.raises(ConnectionClosed):
            guest.recv(timeout=2)
    assert emulator.http.get("/_emulator/sessions").json()["sessions"] == []
    fresh = emulator.guest(token=one.token)
    assert fresh.configure()["body"]["newSession"] is True
    fresh.close()


def test_clear_disabled_is_403(emulator):
    emulator.patch(conversationClearEnabled=False)
    guest = emulator.guest()
    guest.configure()
    guest.action("onMessage", message={"type": "Event", "events": [{"eventType": "Presence",
                                                                    "presence": {"type": "Clear"}}]})
    frame = guest.recv()
    assert (frame["class"], frame["code"]) == ("string", 403)
    assert guest.echo()["class"] == "StructuredMessage"
    guest.close()


def test_expired_session_is_4006(emulator):
    # A TTL of 0 expires the session at once: the event is pushed and the socket closed
    # (test_limits.py), then the token answers 4006 once and starts blank after that.
    emulator.patch(sessionDurationSeconds=0)
    guest = emulator.guest()
    guest.configure()
    guest.expect(lambda f: f["class"] == "SessionExpiredEvent")
    again = emulator.guest(token=guest.token)
    frame = again.configure()
    assert (frame["class"], frame["code"]) == ("string", 4006)
    assert again.configure()["body"]["newSession"] is True
    again.close()
    guest.close()


def test_protocol_ping_is_answered(emulator):
    guest = emulator.guest()
    guest.configure()
    pong = guest.ws.ping(b"are-you-there")
    assert pong.wait(timeout=3)
    assert guest.echo()["class"] == "StructuredMessage"
    guest.close()
