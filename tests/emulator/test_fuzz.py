"""Property: no frame a client can send crashes the emulator or kills the socket.

After each arbitrary frame (any text, any JSON, or a near-valid request) an `echo` on the same
socket still gets its reply, and no `5000 Unexpected server error` was ever emitted.
"""
import itertools
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from emulator.deployments import DEMO_DEPLOYMENT_ID

ACTIONS = ["configureSession", "configureAuthenticatedSession", "onMessage", "echo", "getJwt", "closeSession",
           "getConfiguration", "onAttachment", "getAttachment", "deleteAttachment", "resumeToken",
           "disconnectCustomer", "refreshSession", ""]
PRESENCE = ["Authenticate", "AuthenticateCancel", "AuthenticateFailure", "Clear", "Disconnect", "Join",
            "SessionExpired", "SignIn"]

text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12)
attributes = st.dictionaries(st.text(max_size=10), st.text(max_size=10) | json_values, max_size=3)
channel = st.fixed_dictionaries({}, optional={"metadata": st.fixed_dictionaries(
    {}, optional={"customAttributes": attributes | json_values}) | json_values})
event = st.fixed_dictionaries(
    {"eventType": st.sampled_from(["Typing", "Presence", "CoBrowse", "Video", 7]) | json_values},
    optional={"typing": st.fixed_dictionaries({"type": st.sampled_from(["On", "Off", 3])}) | json_values,
              "presence": st.fixed_dictionaries({"type": st.sampled_from(PRESENCE) | json_values}) | json_values})
content = st.fixed_dictionaries(
    {"contentType": st.sampled_from(["ButtonResponse", "Attachment", "QuickReply"]) | json_values},
    optional={"buttonResponse": st.fixed_dictionaries({"type": st.just("QuickReply"), "text": text,
                                                        "payload": text | json_values}) | json_values})
message = st.fixed_dictionaries(
    {"type": st.sampled_from(["Text", "Structured", "Event", "Receipt", "Message"]) | json_values},
    optional={"text": text | json_values, "events": st.lists(event, max_size=3) | json_values,
              "content": st.lists(content, max_size=2) | json_values, "channel": channel})


def near_valid(token):
    return st.fixed_dictionaries(
        {"action": st.sampled_from(ACTIONS) | json_values,
         "token": st.sampled_from([token]) | text | json_values},
        optional={"tracingId": text | json_values, "message": message | json_values,
                  "deploymentId": st.sampled_from([DEMO_DEPLOYMENT_ID]) | text, "startNew": json_values,
                  "closeAllConnections": json_values, "channel": channel, "time": text}).map(json.dumps)


def test_no_frame_breaks_the_socket(emulator):
    # Fast bot, no rate limits, no Clear (which legitimately closes the socket).
    emulator.patch(botDelaySeconds=0, messagesPerSecond=0, conversationClearEnabled=False, requestsPerMinute=0,
                   healthChecksPerMinute=0)
    guest = emulator.guest()
    guest.configure()
    counter = itertools.count()

    @settings(max_examples=250, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.one_of(text, json_values.map(json.dumps), near_valid(guest.token)))
    def check(raw):
        guest.send(raw, raw=True)
        reply = guest.echo("fuzz-%d" % next(counter))
        if reply["class"] == "string":
            # The frame legitimately moved the socket off the session (closeSession, another
            # token): it must still accept configureSession and answer echo.
            assert reply["code"] == 400, reply
            assert guest.configure()["class"] == "SessionResponse"
            reply = guest.echo("fuzz-%d" % next(counter))
        assert reply["class"] == "StructuredMessage" and reply["type"] == "response", reply

    check()
    guest.close()
    frames = emulator.http.get("/_emulator/frames").json()["frames"]
    codes = {f["frame"]["code"] for f in frames}
    assert 5000 not in codes
    assert {200, 400, 4020} <= codes and next(counter) >= 100, codes  # the inputs did reach the handlers
