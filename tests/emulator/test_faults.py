"""Fault injection (`/_emulator/faults/...`, `/_emulator/sessions/{token}/drop`), over real sockets."""
import time

import pytest
from websockets.exceptions import ConnectionClosed

from emulator_harness import is_text


def _fault(emulator, kind, **body):
    response = emulator.http.post("/_emulator/faults/%s" % kind, json=body)
    assert response.status_code == 200, response.text
    return response.json()["faults"]


def _bot_says(emulator, guest, *texts):
    for text in texts:
        assert emulator.control(guest.token, "bot/say", {"text": text}).status_code == 200


def _texts(guest, n, timeout=3):
    return [guest.expect(lambda f: is_text(f, "Bot"), timeout=timeout)["body"]["text"] for _ in range(n)]


def test_delay_holds_the_next_frames_of_one_session(emulator):
    slow, fast = emulator.guest(), emulator.guest()
    slow.configure()
    fast.configure()
    _fault(emulator, "delay", token=slow.token, ms=400, count=1)
    started = time.monotonic()
    _bot_says(emulator, fast, "fast")
    assert _texts(fast, 1) == ["fast"] and time.monotonic() - started < 0.3  # other sessions unaffected
    started = time.monotonic()
    _bot_says(emulator, slow, "held")
    assert _texts(slow, 1) == ["held"] and time.monotonic() - started >= 0.38
    started = time.monotonic()
    _bot_says(emulator, slow, "after the count")
    assert _texts(slow, 1) == ["after the count"] and time.monotonic() - started < 0.3
    slow.close()
    fast.close()


def test_delay_without_token_applies_to_every_session_until_cleared(emulator):
    guest = emulator.guest()
    guest.configure()
    faults = _fault(emulator, "delay", ms=250)
    assert faults["delay"] == [{"token": None, "ms": 250, "count": None}]
    for _ in range(2):
        started = time.monotonic()
        guest.echo("e%d" % _)
        assert time.monotonic() - started >= 0.23
    assert emulator.http.post("/_emulator/faults/clear").json()["faults"]["delay"] == []
    started = time.monotonic()
    guest.action("getJwt", tracingId="jwt")
    guest.expect(lambda f: f.get("tracingId") == "jwt")
    assert time.monotonic() - started < 0.2
    guest.close()


def _reordered(emulator, seed):
    guest = emulator.guest()
    guest.configure()
    _fault(emulator, "reorder", token=guest.token, window=3, seed=seed)
    _bot_says(emulator, guest, "one", "two", "three")
    order = _texts(guest, 3)
    guest.close()
    emulator.http.post("/_emulator/faults/clear")
    return order


def test_reorder_shuffles_each_window_deterministically_with_a_seed(emulator):
    first = _reordered(emulator, seed=4)
    assert sorted(first) == ["one", "three", "two"] and first != ["one", "two", "three"]
    assert _reordered(emulator, seed=4) == first


def test_reorder_releases_a_partial_window_after_300_ms(emulator):
    guest = emulator.guest()
    guest.configure()
    _fault(emulator, "reorder", window=10)
    started = time.monotonic()
    _bot_says(emulator, guest, "alone")
    assert _texts(guest, 1) == ["alone"]
    assert 0.25 <= time.monotonic() - started < 1.5
    guest.close()


def test_inject_429_on_a_socket_action(emulator):
    guest = emulator.guest()
    guest.configure()
    _fault(emulator, "inject", token=guest.token, action="onMessage", code=429, count=1, retryAfter=7)
    assert guest.echo("not matched")["class"] == "StructuredMessage"  # another action passes
    guest.say("hi", tracingId="refused")
    frame = guest.expect(lambda f: f.get("tracingId") == "refused")
    assert (frame["class"], frame["code"]) == ("TooManyRequestsErrorMessage", 429)
    assert frame["body"]["retryAfter"] == 7 and frame["body"]["errorCode"] == 4029
    guest.say("again", tracingId="accepted")
    assert guest.expect(lambda f: f.get("tracingId") == "accepted")["class"] == "StructuredMessage"
    assert emulator.session(guest.token)["transcript"][0]["text"] == "again"  # the refused one was not processed
    guest.close()


def test_inject_a_string_error_with_body_and_tracing_id(emulator):
    guest = emulator.guest()
    guest.configure()
    _fault(emulator, "inject", code=5000, count=2, body="Service unavailable")
    for tracing_id in ("a", "b"):
        guest.action("getJwt", tracingId=tracing_id)
        frame = guest.expect(lambda f: f.get("tracingId") == tracing_id)
        assert frame == {"type": "response", "class": "string", "code": 5000, "body": "Service unavailable",
                         "tracingId": tracing_id}
    assert guest.echo()["class"] == "StructuredMessage"  # count used up
    guest.close()


def test_inject_on_configure_session(emulator):
    _fault(emulator, "inject", action="configureSession", code=503, count=1)
    guest = emulator.guest()
    frame = guest.configure()
    assert (frame["class"], frame["code"]) == ("string", 503)
    assert guest.configure()["class"] == "SessionResponse"
    guest.close()


@pytest.mark.parametrize("status", [500, 429, 401])
def test_inject_rest_status(emulator, status):
    guest = emulator.guest()
    guest.configure()
    guest.action("getJwt", tracingId="jwt")
    jwt = guest.expect(lambda f: f.get("tracingId") == "jwt")["body"]["jwt"]
    _fault(emulator, "inject", path="/api/v2/webmessaging/messages", status=status, count=1)
    headers = {"Authorization": "bearer " + jwt, "Origin": "http://127.0.0.1:8765"}
    response = emulator.http.get("/api/v2/webmessaging/messages", headers=headers)
    assert response.status_code == status and response.json()["status"] == status
    assert response.headers["access-control-allow-origin"] == "*"  # CORS still applies
    if status == 429:
        assert response.headers["retry-after"] == "1"
    assert emulator.http.get("/api/v2/webmessaging/messages", headers=headers).status_code == 200
    guest.close()


def test_drop_with_close_frame_is_the_default(emulator):
    guest = emulator.guest()
    guest.configure()
    assert emulator.control(guest.token, "drop", {"closeFrame": True}).json() == {"dropped": 1}
    with pytest.raises(ConnectionClosed) as closed:
        guest.recv(timeout=2)
    assert closed.value.rcvd.code == 1012


def test_drop_without_close_frame_is_an_abnormal_close(emulator):
    guest = emulator.guest()
    guest.configure()
    assert emulator.control(guest.token, "drop", {"closeFrame": False}).json() == {"dropped": 1}
    with pytest.raises(ConnectionClosed) as closed:
        guest.recv(timeout=2)
    assert closed.value.rcvd is None and guest.ws.close_code == 1006
    again = emulator.guest(token=guest.token)
    assert again.configure()["body"]["newSession"] is False  # the session survives a drop
    assert emulator.control(guest.token, "drop", {"closeFrame": "no"}).status_code == 400
    again.close()


def test_drop_every_n_frames(emulator):
    guest = emulator.guest()
    guest.configure()  # frame 1 (before the fault: not counted)
    _fault(emulator, "drop-every", token=guest.token, frames=3)
    guest.echo("1")
    guest.echo("2")
    guest.action("getJwt", tracingId="3")
    assert guest.expect(lambda f: f.get("tracingId") == "3")["class"] == "JwtResponse"  # the 3rd is delivered
    with pytest.raises(ConnectionClosed):
        guest.recv(timeout=2)
    assert guest.ws.close_code == 1006
    again = emulator.guest(token=guest.token)
    assert again.configure()["body"]["newSession"] is False  # 1 of 3
    again.echo("2")
    again.action("getJwt", tracingId="3b")
    again.expect(lambda f: f.get("tracingId") == "3b")
    with pytest.raises(ConnectionClosed):
        again.recv(timeout=2)


def test_clear_and_reset_remove_faults(emulator):
    _fault(emulator, "delay", ms=5000)
    _fault(emulator, "inject", code=500, count=5)
    faults = emulator.http.get("/_emulator/faults").json()["faults"]
    assert len(faults["delay"]) == 1 and len(faults["inject"]) == 1
    assert emulator.http.post("/_emulator/reset").status_code == 200
    assert emulator.http.get("/_emulator/faults").json()["faults"] == {"delay": [], "reorder": [], "inject": [],
                                                                       "dropEvery": []}
    guest = emulator.guest()
    started = time.monotonic()
    assert guest.configure()["class"] == "SessionResponse" and time.monotonic() - started < 1
    _fault(emulator, "reorder", window=2, seed=1)
    _fault(emulator, "drop-every", frames=50)
    assert emulator.http.post("/_emulator/faults/clear").status_code == 200
    assert guest.echo()["class"] == "StructuredMessage"
    guest.close()


@pytest.mark.parametrize("kind, body", [
    ("delay", {}), ("delay", {"ms": -1}), ("delay", {"ms": 5, "count": 0}), ("delay", {"ms": 5, "token": 3}),
    ("reorder", {"window": 1}), ("reorder", {"window": 2, "seed": "x"}),
    ("inject", {"code": 500}), ("inject", {"count": 1}), ("inject", {"code": 500, "count": 1, "action": 2}),
    ("inject", {"path": "api", "status": 500, "count": 1}), ("inject", {"path": "/x", "status": 999, "count": 1}),
    ("drop-every", {"frames": 0}),
])
def test_bad_fault_bodies_are_400(emulator, kind, body):
    response = emulator.http.post("/_emulator/faults/%s" % kind, json=body)
    assert response.status_code == 400 and response.json()["status"] == 400
