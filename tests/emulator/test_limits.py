"""Limits (anchors §0 item 4), their deployment settings, and the TTL expiry pushed to an open socket."""
import time

import pytest
from websockets.exceptions import ConnectionClosed

from emulator.deployments import DEMO_DEPLOYMENT_ID


def _jwt(guest):
    guest.action("getJwt", tracingId="jwt")
    return guest.expect(lambda f: f.get("tracingId") == "jwt")["body"]["jwt"]


def test_defaults(emulator):
    settings = emulator.http.get("/_emulator/deployments/%s" % DEMO_DEPLOYMENT_ID).json()
    assert (settings["requestsPerMinute"], settings["healthChecksPerMinute"], settings["historyFetchesPerMinute"],
            settings["messagesPerSecond"], settings["maxSockets"], settings["maxTextBytes"],
            settings["maxCustomDataBytes"], settings["sessionDurationSeconds"], settings["bot"]) == (
        60, 2, 10, 2.0, 3, 4096, 2048, 259200, True)


def test_60_socket_requests_per_minute_per_connection(emulator):
    emulator.patch(healthChecksPerMinute=0)
    guest = emulator.guest()
    guest.configure()  # request 1
    for i in range(59):
        guest.action("getConfiguration", tracingId="c%d" % i)
    guest.expect(lambda f: f.get("tracingId") == "c58", timeout=5)
    guest.action("getConfiguration", tracingId="over")
    frame = guest.expect(lambda f: f.get("tracingId") == "over")
    assert (frame["type"], frame["class"], frame["code"]) == ("response", "TooManyRequestsErrorMessage", 429)
    assert 1 <= frame["body"]["retryAfter"] <= 60 and frame["body"]["errorCode"] == 4029
    other = emulator.guest(token=guest.token)  # the budget is per connection, not per session
    assert other.configure()["class"] == "SessionResponse"
    guest.close()
    other.close()


def test_requests_per_minute_is_configurable(emulator):
    emulator.patch(requestsPerMinute=3)
    guest = emulator.guest()
    guest.configure()
    guest.action("getConfiguration", tracingId="2")
    guest.action("getConfiguration", tracingId="3")
    guest.send("not json", raw=True)  # every frame counts, even a bad one
    frame = guest.expect(lambda f: f["code"] == 429)
    assert frame["class"] == "TooManyRequestsErrorMessage"
    emulator.patch(requestsPerMinute=0)
    guest.action("getConfiguration", tracingId="unlimited")
    assert guest.expect(lambda f: f.get("tracingId") == "unlimited")["class"] == "GetConfigurationResponse"
    guest.close()


def test_two_health_checks_per_minute_per_connection(emulator):
    guest = emulator.guest()
    guest.configure()
    assert guest.echo("1")["class"] == "StructuredMessage"
    assert guest.echo("2")["class"] == "StructuredMessage"
    frame = guest.echo("3")
    assert (frame["class"], frame["code"]) == ("TooManyRequestsErrorMessage", 429)
    assert 55 <= frame["body"]["retryAfter"] <= 60
    other = emulator.guest(token=guest.token)
    other.configure()
    assert other.echo("4")["class"] == "StructuredMessage"
    guest.close()
    other.close()


def test_health_checks_per_minute_is_configurable(emulator):
    emulator.patch(healthChecksPerMinute=1)
    guest = emulator.guest()
    guest.configure()
    assert guest.echo("1")["class"] == "StructuredMessage"
    assert guest.echo("2")["code"] == 429
    guest.close()


def test_ten_history_fetches_per_minute_per_session(emulator):
    guest = emulator.guest()
    guest.configure()
    headers = {"Authorization": "bearer " + _jwt(guest)}
    for _ in range(10):
        assert emulator.http.get("/api/v2/webmessaging/messages", headers=headers).status_code == 200
    response = emulator.http.get("/api/v2/webmessaging/messages", headers=headers)
    assert response.status_code == 429
    body = response.json()
    assert body["status"] == 429 and body["code"] and body["contextId"] and body["errors"] == []
    assert 1 <= int(response.headers["retry-after"]) <= 60
    guest.close()


def test_history_limit_is_configurable(emulator):
    emulator.patch(historyFetchesPerMinute=1)
    guest = emulator.guest()
    guest.configure()
    headers = {"Authorization": "bearer " + _jwt(guest)}
    assert emulator.http.get("/api/v2/webmessaging/messages", headers=headers).status_code == 200
    assert emulator.http.get("/api/v2/webmessaging/messages", headers=headers).status_code == 429
    guest.close()


def test_existing_limits_stay_configurable(emulator):
    settings = emulator.patch(messagesPerSecond=5, maxTextBytes=10, maxCustomDataBytes=16, maxSockets=1,
                              durationSeconds=120)
    assert (settings["messagesPerSecond"], settings["maxTextBytes"], settings["maxCustomDataBytes"],
            settings["maxSockets"], settings["sessionDurationSeconds"]) == (5.0, 10, 16, 1, 120)
    guest = emulator.guest()
    body = guest.configure()["body"]
    assert body["durationSeconds"] == 120 and body["maxCustomDataBytes"] == 16
    guest.say("more than ten bytes", tracingId="long")
    assert guest.expect(lambda f: f.get("tracingId") == "long")["code"] == 4011
    guest.close()


def test_ttl_expiry_is_pushed_to_an_open_socket(emulator):
    emulator.patch(sessionDurationSeconds=1)
    guest = emulator.guest()
    configured = time.monotonic()
    guest.configure()
    frame = guest.expect(lambda f: f["class"] == "SessionExpiredEvent", timeout=4)
    assert time.monotonic() - configured >= 0.9 and frame["body"] == {}
    with pytest.raises(ConnectionClosed):
        guest.recv(timeout=2)
    assert emulator.http.get("/_emulator/sessions/%s" % guest.token).status_code == 404
    again = emulator.guest(token=guest.token)
    frame = again.configure()
    assert (frame["class"], frame["code"]) == ("string", 4006)  # later use of the token
    assert again.configure()["body"]["newSession"] is True  # answered once, then a blank session
    again.close()


def test_activity_pushes_the_ttl_forward(emulator):
    emulator.patch(sessionDurationSeconds=2, botDelaySeconds=0)
    guest = emulator.guest()
    guest.configure()
    for i in range(3):
        time.sleep(0.8)
        guest.say("still here %d" % i)
    assert not any(f["class"] == "SessionExpiredEvent" for f in guest.quiet(0.3) + guest.seen)
    guest.close()


def test_bot_can_be_switched_off(emulator):
    emulator.patch(bot=False, botDelaySeconds=0)
    guest = emulator.guest()
    guest.configure()
    guest.join()
    guest.say("hello", tracingId="t")
    guest.expect(lambda f: f.get("tracingId") == "t")
    assert [f for f in guest.quiet(0.4) if f["body"].get("direction") == "Outbound"] == []
    guest.close()


def test_the_frame_logs_are_capped():
    """A development tool keeps what a test reads, not every frame ever sent: 30 raw 1 MB frames
    are not held (each is kept as its size), and the logs keep only the newest entries."""
    from emulator import region as region_mod, sessions

    region = region_mod.Region()
    session = sessions.Session("tok", region.deployments[DEMO_DEPLOYMENT_ID])
    for _ in range(30):
        session.inbound.append(sessions.kept("x" * 1_000_000))
    assert len(session.inbound) == 30 and session.inbound[0] == "<1000000 characters, not kept>"
    assert sessions.kept("small") == "small"
    for n in range(sessions.SESSION_FRAMES + 10):
        session.inbound.append({"n": n})
        region.record({"n": n}, session)
    assert len(session.inbound) == len(session.outbound) == sessions.SESSION_FRAMES
    assert session.inbound[0] == {"n": 10} and session.outbound[-1] == {"n": sessions.SESSION_FRAMES + 9}
    for n in range(region_mod.REGION_FRAMES):
        region.record({"m": n})
    assert len(region.frames) == region_mod.REGION_FRAMES and region.frames[-1]["frame"] == {"m": 4999}
