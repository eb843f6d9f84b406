"""The protocol core, driven by literal frames. Portable: CPython, MicroPython and Pyodide."""
import json

from app.protocol import connection as c
from app.protocol import errors
from app.protocol import events as ev
from tests.unit.fakes import server, text_from

DEP = "dep-1"
TOKEN = "tok-1"


def kinds(outputs):
    return [type(o).__name__ for o in outputs]


def sends(outputs):
    return [json.loads(o.text) for o in outputs if type(o).__name__ == "Send"]


def live(auto_start=False):
    conn = c.Connection(DEP, TOKEN, auto_start=auto_start)
    conn.connect()
    conn.socket_opened(0)
    conn.receive(server("SessionResponse", {"connected": True, "newSession": True}, kind="response"), 1)
    assert conn.state == c.CONFIGURED
    return conn


def raises(exc_type, fn, *args):
    try:
        fn(*args)
    except exc_type as exc:
        return exc
    raise AssertionError("expected %s" % exc_type.__name__)


def test_connect_opens_then_configures_with_the_token():
    conn = c.Connection(DEP, TOKEN)
    out = conn.connect()
    assert kinds(out) == ["StateChanged", "OpenSocket"] and conn.state == c.CONNECTING
    out = conn.socket_opened(0)
    assert conn.state == c.CONFIGURING
    assert sends(out) == [{"action": "configureSession", "token": TOKEN, "deploymentId": DEP,
                           "tracingId": "configure-1"}]


def test_a_late_error_for_an_earlier_request_does_not_fail_the_configure():
    conn = c.Connection(DEP, TOKEN)
    conn.connect()
    conn.socket_opened(0)
    out = conn.receive(server("string", "message too long", code=4011, kind="response", tracing_id="old-msg"), 1)
    assert conn.state == c.CONFIGURING and out[-1].tracing_id == "old-msg"
    conn.receive(server("string", "Request failed.", code=400, kind="response", tracing_id="configure-1"), 2)
    assert conn.state == c.FAILED


def test_new_session_with_auto_start_sends_presence_join():
    conn = c.Connection(DEP, TOKEN, auto_start=True)
    conn.connect()
    conn.socket_opened(0)
    out = conn.receive(server("SessionResponse", {"connected": True, "newSession": True}, kind="response"), 5,
                       "2026-01-01T00:00:00.000Z")
    ready = [o for o in out if type(o).__name__ == "SessionReady"][0]
    assert ready.new_session is True and ready.read_only is False
    join = sends(out)[0]
    assert join["message"]["events"] == [{"eventType": "Presence", "presence": {"type": "Join"}}]


def test_resumed_session_sends_no_join():
    conn = c.Connection(DEP, TOKEN, auto_start=True)
    conn.connect()
    conn.socket_opened(0)
    out = conn.receive(server("SessionResponse", {"connected": True, "newSession": False}, kind="response"), 5)
    assert sends(out) == [] and conn.state == c.CONFIGURED


def test_read_only_session_on_configure():
    conn = c.Connection(DEP, TOKEN)
    conn.connect()
    conn.socket_opened(0)
    out = conn.receive(server("SessionResponse", {"connected": True, "newSession": False, "readOnly": True},
                              kind="response"), 5)
    assert conn.state == c.READ_ONLY and not conn.can_send
    assert [o.read_only for o in out if type(o).__name__ == "SessionReady"] == [True]


def test_guest_echo_carries_the_tracing_id():
    conn = live()
    out = conn.receive(text_from("Inbound", "hi", "m1", entity="", tracing_id="trace-1"), 10)
    message = out[0].message
    assert message.direction == "Inbound" and message.tracing_id == "trace-1" and message.text == "hi"


def test_agent_message_names_its_sender():
    conn = live()
    out = conn.receive(text_from("Outbound", "Hello", "m2", entity="Human",
                                 sender={"firstName": "Sam", "lastName": "Lee", "image": "https://x/a.png"}), 10)
    message = out[0].message
    assert message.entity == "Human" and message.sender == ev.Sender("Sam Lee", "https://x/a.png")


def test_typing_and_disconnect_events():
    conn = live()
    body = {"id": "e1", "type": "Event", "direction": "Outbound", "channel": {"time": "t"},
            "events": [{"eventType": "Typing", "typing": {"type": "On", "duration": 3000}}]}
    out = conn.receive(server("StructuredMessage", body), 10)
    assert out == [ev.AgentTyping(3000, None)]
    body = {"id": "e2", "type": "Event", "direction": "Outbound", "channel": {"time": "t2"},
            "metadata": {"readOnly": "true"},
            "events": [{"eventType": "Presence", "presence": {"type": "Disconnect"}}]}
    out = conn.receive(server("StructuredMessage", body), 11)
    assert conn.state == c.READ_ONLY
    assert ev.ConversationEnded(True, "e2", "t2") in out


def test_disconnect_without_read_only_keeps_the_session_live():
    conn = live()
    body = {"id": "e3", "type": "Event", "direction": "Outbound",
            "events": [{"eventType": "Presence", "presence": {"type": "Disconnect"}}]}
    out = conn.receive(server("StructuredMessage", body), 11)
    assert conn.state == c.CONFIGURED and ev.ConversationEnded(False, "e3", "") in out


def test_socket_loss_schedules_a_jittered_capped_backoff():
    conn = live()
    out = conn.socket_closed(1006, "", 0.5, 100)
    assert conn.state == c.RECONNECTING
    delays = [o.delay_ms for o in out if type(o).__name__ == "ReconnectScheduled"]
    assert delays == [500]  # attempt 0: rand * 1000
    conn.reconnect_due()
    out = conn.socket_closed(1006, "", 0.999, 200)
    assert [o.delay_ms for o in out if type(o).__name__ == "ReconnectScheduled"] == [1998]
    for _ in range(20):
        conn.reconnect_due()
        out = conn.socket_closed(1006, "", 0.999, 300)
    assert [o.delay_ms for o in out if type(o).__name__ == "ReconnectScheduled"][0] <= 30000
    conn.reconnect_due()
    conn.socket_opened(400)
    conn.receive(server("SessionResponse", {"connected": True, "newSession": False}, kind="response"), 401)
    assert conn.backoff.attempt == 0


def test_first_connection_that_never_opens_asks_for_a_diagnosis():
    conn = c.Connection(DEP, TOKEN)
    conn.connect()
    out = conn.socket_closed(1006, "", 0.1, 0)
    assert "HandshakeFailed" in kinds(out)
    out = conn.diagnosed(errors.problem_for("handshake_origin"))
    assert conn.state == c.FAILED and out[-1].problem.code == "handshake_origin"
    assert conn.reconnect_due() == []


def test_unreachable_diagnosis_keeps_retrying():
    conn = c.Connection(DEP, TOKEN)
    conn.connect()
    conn.socket_closed(1006, "", 0.1, 0)
    conn.diagnosed(errors.problem_for("unreachable"))
    assert conn.state == c.RECONNECTING
    assert kinds(conn.reconnect_due()) == ["StateChanged", "OpenSocket"]


def test_rate_limit_reports_retry_after():
    conn = live()
    body = {"retryAfter": 3, "errorCode": 4029, "errorMessage": "too fast", "name": "x", "message": "y"}
    out = conn.receive(server("TooManyRequestsErrorMessage", body, code=429, kind="response", tracing_id="t9"), 1)
    assert out == [ev.RateLimited(3000, "t9")]


def test_string_errors_map_to_the_catalogue():
    conn = live()
    out = conn.receive(server("string", "message too long", code=4011, kind="response", tracing_id="t1"), 1)
    assert out[0].problem.code == 4011 and out[0].problem.fault == errors.GUEST and out[0].tracing_id == "t1"
    assert conn.state == c.CONFIGURED


def test_expiry_and_not_found_end_the_token():
    conn = live()
    out = conn.receive(server("string", "session expired", code=4006, kind="response"), 1)
    assert conn.state == c.EXPIRED and "CloseSocket" in kinds(out)
    conn = live()
    conn.receive(server("SessionExpiredEvent", {}, kind="response"), 1)
    assert conn.state == c.EXPIRED


def test_clear_then_connection_closed():
    conn = live()
    out = conn.receive(server("SessionClearedEvent", {}), 1)
    assert conn.state == c.ENDED and "SessionCleared" in kinds(out)
    out = conn.receive(server("ConnectionClosedEvent", {}), 2)
    assert kinds(out) == ["CloseSocket"]


def test_closed_from_elsewhere_accepts_reason_or_reason_code():
    for body in ({"reason": "signedIn"}, {"reasonCode": "signedIn"}):
        conn = live()
        out = conn.receive(server("ConnectionClosedEvent", body), 1)
        assert conn.state == c.ENDED and ev.ConnectionClosed("signedIn") in out


def test_heartbeat_echo_then_dead_socket():
    conn = live()
    assert conn.tick(1000, 0.5) == []
    out = conn.tick(40_000, 0.5)
    echo = sends(out)[0]
    assert echo["action"] == "echo" and echo["tracingId"] == c.HEALTH_CHECK_ID
    assert conn.tick(45_000, 0.5) == []  # waiting for the reply: no second echo
    out = conn.tick(51_000, 0.5)
    assert kinds(out)[0] == "CloseSocket" and conn.state == c.RECONNECTING


def test_heartbeat_reply_is_a_health_check():
    conn = live()
    conn.tick(40_000, 0.5)
    body = {"text": "ping", "type": "Text", "direction": "Inbound", "id": "x",
            "metadata": {"durationSeconds": "259200", "expirationDate": "1795550798"}}
    out = conn.receive(server("StructuredMessage", body, kind="response", tracing_id=c.HEALTH_CHECK_ID), 40_100)
    assert out == [ev.HealthChecked(259200.0, 1795550798.0)]
    assert conn.tick(45_000, 0.5) == []


def test_garbage_never_raises():
    conn = live()
    for text in ("", "nope", "[]", "null", "{}", '{"class": 5}', '{"class": "Nope", "body": 1}',
                 '{"class": "StructuredMessage", "body": "x"}', '{"class": "SessionResponse", "body": []}',
                 '{"class": "StructuredMessage", "body": {"type": "Event", "events": [1, {"eventType": 2}]}}'):
        out = conn.receive(text, 1)
        assert isinstance(out, list)
    assert conn.state == c.CONFIGURED


def test_unknown_class_is_unsupported_not_an_error():
    conn = live()
    assert kinds(conn.receive(server("BrandNewEvent", {}), 1)) == ["Unsupported"]


def test_sending_while_not_configured_is_our_fault():
    conn = c.Connection(DEP, TOKEN)
    exc = raises(c.LocalProtocolError, conn.send_text, "hi", "t", "time")
    assert exc.fault == "client"
    raises(c.LocalProtocolError, c.Connection, "", TOKEN)


def test_start_new_from_read_only_closes_then_configures_start_new():
    conn = live()
    conn.receive(server("StructuredMessage", {"type": "Event", "direction": "Outbound", "metadata": {"readOnly": "true"},
                                              "events": [{"eventType": "Presence", "presence": {"type": "Disconnect"}}]}), 2)
    out = conn.start_new()
    assert sends(out) == [{"action": "closeSession", "token": TOKEN, "closeAllConnections": True}]
    out = conn.receive(server("SessionResponse", {"connected": False, "readOnly": True}, kind="response"), 3)
    assert sends(out)[0]["startNew"] is True
    conn.receive(server("SessionResponse", {"connected": True, "newSession": True}, kind="response"), 4)
    assert conn.state == c.CONFIGURED


def test_start_new_after_expiry_uses_a_new_token():
    conn = live()
    conn.receive(server("SessionExpiredEvent", {}), 1)
    out = conn.start_new("tok-2")
    assert conn.token == "tok-2" and kinds(out)[-1] == "OpenSocket"
    assert sends(conn.socket_opened(5))[0]["token"] == "tok-2"


def test_every_transition_targets_a_known_state():
    for (state, trigger), target in c.TRANSITIONS.items():
        assert state in c.STATES and target in c.STATES, (state, trigger)
    for target in c.ANY_STATE.values():
        assert target in c.STATES


def test_attachment_flow_events():
    conn = live()
    out = [conn.request_upload("att-1", "a.png", "image/png", 10, "md5", "tr-1")]
    assert sends(out)[0]["action"] == "onAttachment"
    out = conn.receive(server("PresignedUrlResponse", {"attachmentId": "att-1", "url": "http://u/put",
                                                       "headers": {"x-amz-tagging": "abc"}}, kind="response",
                              tracing_id="tr-1"), 1)
    assert out == [ev.UploadReady("att-1", "http://u/put", {"x-amz-tagging": "abc"}, "tr-1")]
    out = conn.receive(server("UploadSuccessEvent", {"attachmentId": "att-1", "downloadUrl": "http://u/get",
                                                     "timestamp": "t"}), 2)
    assert out == [ev.UploadSucceeded("att-1", "http://u/get")]
    out = conn.receive(server("UploadFailureEvent", {"attachmentId": "att-2", "errorCode": 4002,
                                                     "errorMessage": "too big", "timestamp": "t"}), 3)
    assert out[0].attachment_id == "att-2" and out[0].problem.code == 4002
    out = conn.receive(server("GenerateUrlError", {"attachmentId": "att-3", "errorCode": 4001, "errorMessage": "type",
                                                   "name": "n", "message": "m"}, code=4001), 4)
    assert out[0].problem.code == 4001
    out = conn.receive(server("AttachmentDeletedResponse", {"attachmentId": "att-1"}), 5)
    assert out == [ev.AttachmentDeleted("att-1")]
    sent = sends([conn.send_attachments("look", [("att-1", "Image")], "tr-2", "t")])[0]
    assert sent["message"]["content"][0]["attachment"] == {"id": "att-1", "mediaType": "Image"}
    assert sends([conn.request_download("att-1", "tr-3")])[0]["action"] == "getAttachment"
    assert sends([conn.delete_attachment("att-1", "tr-4")])[0]["action"] == "deleteAttachment"


def test_configuration_and_sign_in():
    conn = live()
    out = conn.receive(server("GetConfigurationResponse", {"allowedMedia": {}, "maxCustomDataBytes": 2048,
                                                           "messageRoutingEnabled": True}, kind="response"), 1)
    assert type(out[0]).__name__ == "ConfigurationReceived" and out[0].config["maxCustomDataBytes"] == 2048
    body = {"type": "Event", "direction": "Outbound", "channel": {"from": {"firstName": "Jo", "lastName": "Doe"}},
            "events": [{"eventType": "Presence", "presence": {"type": "SignIn"}}]}
    assert conn.receive(server("StructuredMessage", body), 2) == [ev.SignedIn(ev.Sender("Jo Doe", ""))]


def test_close_codes_explain_themselves():
    assert errors.problem_for_close(1000) is None
    for code in (1001, 1006, 1011, 1012, 1013, 4999):
        problem = errors.problem_for_close(code)
        assert problem.policy == errors.RETRY and problem.message and problem.action


def test_authenticated_configure_and_refusal():
    conn = c.Connection(DEP, TOKEN, auth_jwt="jwt-a")
    conn.connect()
    frame = sends(conn.socket_opened(0))[0]
    assert frame["action"] == "configureAuthenticatedSession" and frame["data"] == {"code": "jwt-a"}
    out = conn.receive(server("string", "Session authentication failed", code=401, kind="response"), 1)
    assert conn.state == c.FAILED and "AuthRequired" in kinds(out)
    assert out[-1].problem.policy == errors.REAUTHENTICATE
    conn.authenticate("jwt-b")
    conn.connect()
    assert sends(conn.socket_opened(2))[0]["data"] == {"code": "jwt-b"}


def test_signed_in_elsewhere_and_logout():
    conn = live()
    out = conn.receive(server("LogoutEvent", {}), 1)
    assert conn.state == c.ENDED and "LoggedOut" in kinds(out)


def test_a_socket_that_never_opens_or_closes_is_lost_after_the_connect_timeout():
    conn = c.Connection("dep", "tok", connect_timeout_ms=15000)
    conn.connect()
    assert conn.tick(0, 0.5) == []  # first seen opening
    assert conn.tick(10_000, 0.5) == []
    out = conn.tick(15_000, 0.5)
    assert isinstance(out[0], c.CloseSocket) and conn.state == c.RECONNECTING
    assert [type(o).__name__ for o in out][-1] == "ReconnectScheduled"
    conn.connect()
    conn.tick(20_000, 0.5)
    assert conn.socket_opened(21_000)  # opened in time: no timeout later
    assert conn.tick(40_000, 0.5) == []
