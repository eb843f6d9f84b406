"""Property tests: any sequence of frames, drops and ticks leaves the core legal and never raises."""
import json

from hypothesis import given, settings, strategies as st

from app.protocol import connection as c
from app.chat.controller import Controller
from tests.unit.fakes import FakePorts

CLASSES = ["SessionResponse", "StructuredMessage", "JwtResponse", "TooManyRequestsErrorMessage", "string",
           "SessionExpiredEvent", "SessionClearedEvent", "ConnectionClosedEvent", "LogoutEvent",
           "PresignedUrlResponse", "Nope", None]
json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
                           lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
                           max_leaves=12)
bodies = st.one_of(
    json_values,
    st.fixed_dictionaries({"connected": st.booleans(), "newSession": st.booleans(), "readOnly": st.booleans()}),
    st.fixed_dictionaries({"type": st.sampled_from(["Text", "Event", "Structured", "X"]),
                           "direction": st.sampled_from(["Inbound", "Outbound", ""]),
                           "text": st.text(max_size=10),
                           "metadata": st.dictionaries(st.sampled_from(["readOnly", "x"]), st.sampled_from(["true", "1"])),
                           "events": st.lists(st.fixed_dictionaries({
                               "eventType": st.sampled_from(["Typing", "Presence", "Video", 3]),
                               "typing": st.fixed_dictionaries({"type": st.just("On"), "duration": json_values}),
                               "presence": st.fixed_dictionaries({"type": st.sampled_from(
                                   ["Join", "Disconnect", "Clear", "SignIn"])})}), max_size=3)}),
)
frames = st.builds(lambda cls, code, body, kind, trace: json.dumps(
    {"type": kind, "class": cls, "code": code, "body": body, "tracingId": trace}),
    st.sampled_from(CLASSES), st.sampled_from([200, 400, 403, 429, 4006, 4007, 4011, 4017, 5000, "x"]), bodies,
    st.sampled_from(["message", "response"]), st.sampled_from([None, "t1", c.HEALTH_CHECK_ID]))
steps = st.lists(st.one_of(
    st.tuples(st.just("frame"), frames),
    st.tuples(st.just("raw"), st.text(max_size=30)),
    st.tuples(st.just("open"), st.none()),
    st.tuples(st.just("close"), st.sampled_from([1000, 1006, 4000])),
    st.tuples(st.just("tick"), st.integers(0, 120_000)),
    st.tuples(st.just("send"), st.text(min_size=1, max_size=5)),
    st.tuples(st.just("new"), st.none()),
    st.tuples(st.just("retry"), st.none()),
), max_size=40)


@settings(max_examples=300, deadline=None)
@given(steps)
def test_core_never_raises_on_network_input_and_stays_legal(script):
    conn = c.Connection("dep", "tok", auto_start=True)
    conn.connect()
    now = 0
    for kind, arg in script:
        now += 100
        if kind == "frame" or kind == "raw":
            conn.receive(arg, now, "2026-01-01T00:00:00.000Z")
        elif kind == "open":
            if conn.state == c.CONNECTING:
                conn.socket_opened(now)
        elif kind == "close":
            conn.socket_closed(arg, "", 0.5, now)
        elif kind == "tick":
            now += arg
            conn.tick(now, 0.5)
        elif kind == "send":
            if conn.can_send:
                conn.send_text(arg, "tr", "t")
        elif kind == "new":
            try:
                conn.start_new("tok-new")
            except c.LocalProtocolError:
                pass  # not every state can start over; saying so is the contract
        elif kind == "retry":
            conn.reconnect_due()
        assert conn.state in c.STATES
        assert conn.can_send == (conn.state == c.CONFIGURED)


@settings(max_examples=150, deadline=None)
@given(steps)
def test_controller_survives_any_sequence(script):
    ports = FakePorts({"/deployments/d/config.json": (200, {}),
                       "8765/config.json": (200, {"deploymentId": "d", "webMessagingUrl": "ws://h/v1",
                                                  "apiBaseUrl": "http://h"})})
    ctl = Controller(ports)
    ctl.boot("http://127.0.0.1:8765/")
    ctl.open_panel()
    for kind, arg in script:
        if kind in ("frame", "raw"):
            ctl.on_text(arg)
        elif kind == "open":
            if ctl.conn.state == c.CONNECTING:
                ctl.on_open()
        elif kind == "close":
            ctl.on_close(arg)
        elif kind == "tick":
            ports.advance(arg)
        elif kind == "send":
            ctl.submit(arg)
        elif kind == "new":
            try:
                ctl.start_new()
            except c.LocalProtocolError:
                pass
        keys = [r.key for r in ports.view.rows]
        assert len(keys) == len(set(keys)), "a row appears twice"
