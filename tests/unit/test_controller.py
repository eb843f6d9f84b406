"""The chat controller with fake ports: what the guest sees for each thing the service does.
Portable: CPython, MicroPython and Pyodide."""
from app.chat.controller import Controller
from app.protocol import connection as c
from tests.unit.fakes import FakePorts, server, text_from

DEP = "dep-1"
PAGE = "http://127.0.0.1:8765/index.html"
SETTINGS = {"deploymentId": DEP, "webMessagingUrl": "ws://127.0.0.1:8766/v1",
            "apiBaseUrl": "http://127.0.0.1:8766", "proxyUrl": ""}
DEPLOYMENT = {"status": "Active", "messenger": {"apps": {"conversations": {
    "autoStart": {"enabled": True}, "showUserTypingIndicator": True}}}}


def booted(responses=None, store=None):
    ports = FakePorts(responses or {
        "/deployments/dep-1/config.json": (200, DEPLOYMENT),
        "/api/context": (200, {"estimatedWaitSeconds": 150}),
        "8765/config.json": (200, SETTINGS),
    })
    if store:
        ports.store.update(store)
    ctl = Controller(ports)
    ctl.boot(PAGE)
    ctl.open_panel()  # a new visitor connects when they open the chat
    return ctl, ports


def live(new_session=True):
    ctl, ports = booted()
    ctl.on_open()
    ctl.on_text(server("SessionResponse", {"connected": True, "newSession": new_session}, kind="response"))
    ports.advance(500)  # the auto-start Join used this half-second of the message budget
    return ctl, ports


def test_join_counts_toward_the_message_budget():
    ctl, ports = booted()
    ctl.on_open()
    ctl.on_text(server("SessionResponse", {"connected": True, "newSession": True}, kind="response"))
    ctl.submit("right away")
    assert ports.sent[-1]["message"]["type"] == "Event"
    ports.advance(500)
    assert ports.sent[-1]["message"]["text"] == "right away"


def test_boot_reads_settings_makes_a_token_and_connects():
    ctl, ports = booted()
    assert ports.opened == ["ws://127.0.0.1:8766/v1?deploymentId=dep-1"]
    token = ports.store["gc-chat:dep-1:token"]
    assert token and ctl.conn.token == token
    assert ports.view.status == "Connecting…"
    assert ports.view.wait == "Estimated wait: about 3 minutes"


def test_stored_token_is_reused():
    ctl, ports = booted(store={"gc-chat:dep-1:token": "kept"})
    assert ctl.conn.token == "kept"


def test_connected_view_and_auto_start_join():
    ctl, ports = live()
    assert ports.view.status == "Connected" and ports.view.composer_enabled
    assert ports.sent[-1]["message"]["events"][0]["presence"]["type"] == "Join"


def test_message_is_pending_until_its_echo():
    ctl, ports = live()
    assert ctl.submit("  hello  ")
    row = ports.view.rows[-1]
    assert (row.text, row.status, row.side) == ("hello", "pending", "guest")
    frame = ports.sent[-1]
    assert frame["action"] == "onMessage" and frame["message"] == {"type": "Text", "text": "hello"}
    assert frame["tracingId"] == row.key
    ctl.on_text(text_from("Inbound", "hello", "srv-1", entity="", tracing_id=frame["tracingId"]))
    row = ports.view.rows[-1]
    assert (row.key, row.status) == ("srv-1", "sent")
    assert len(ports.view.rows) == 1 and ctl.outbox.items == []


def test_sends_are_spaced_to_two_a_second():
    ctl, ports = live()
    before = len(ports.sent)
    for text in ("a", "b", "c"):
        ctl.submit(text)
    assert [f["message"]["text"] for f in ports.sent[before:]] == ["a"]
    ports.advance(500)
    ports.advance(500)
    assert [f["message"]["text"] for f in ports.sent[before:]] == ["a", "b", "c"]


def test_rate_limited_message_waits_retry_after_then_goes_again():
    ctl, ports = live()
    ctl.submit("x")
    trace = ports.sent[-1]["tracingId"]
    ctl.on_text(server("TooManyRequestsErrorMessage", {"retryAfter": 2, "errorCode": 4029, "errorMessage": "slow",
                                                       "name": "n", "message": "m"}, 429, "response", trace))
    count = len(ports.sent)
    ports.advance(1900)
    assert len(ports.sent) == count
    ports.advance(200)
    assert ports.sent[-1]["tracingId"] == trace


def test_rejected_message_is_marked_failed_with_the_reason():
    ctl, ports = live()
    ctl.submit("x" * 10)
    trace = ports.sent[-1]["tracingId"]
    ctl.on_text(server("string", "message too long", 4011, "response", trace))
    row = ports.view.rows[-1]
    assert row.status == "failed" and "longer than the chat accepts" in row.note


def test_messages_written_while_reconnecting_go_after_configure():
    ctl, ports = live()
    ctl.on_close(1006)
    assert ports.view.status == "Reconnecting…" and ports.view.composer_enabled
    ctl.submit("queued")
    assert all(f.get("message", {}).get("text") != "queued" for f in ports.sent)
    ports.advance(1000)
    assert len(ports.opened) == 2
    ctl.on_open()
    ctl.on_text(server("SessionResponse", {"connected": True, "newSession": False}, kind="response"))
    assert ports.sent[-1]["message"]["text"] == "queued"


def test_outbox_and_transcript_survive_a_reload():
    ctl, ports = live()
    ctl.on_text(text_from("Outbound", "Welcome", "b1", entity="Bot", sender={"nickname": "Ava"}))
    ctl.on_close(1006)
    ctl.submit("unsent")
    ctl.flush()  # what the page does on pagehide
    again = Controller(ports)
    again.boot(PAGE)
    texts = [r.text for r in ports.view.rows]
    assert texts == ["Welcome", "unsent"]
    assert [i["text"] for i in again.outbox.items] == ["unsent"]


def test_a_reload_before_the_transcript_was_written_keeps_outbox_and_rows_in_step():
    ctl, ports = live()
    ctl.submit("confirmed just before the page closed")
    ctl.submit("still waiting")
    ctl.flush()  # both rows are stored as pending ...
    first = ctl.outbox.items[0]
    ctl.on_text(text_from("Inbound", first["text"], "g1", tracing_id=first["id"]))
    # ... then the echo removed the first from the (at once saved) outbox, and the page was killed
    # before the transcript was written again.
    ctl.outbox.items.append({"id": "no-row", "text": "typed, row never stored", "sent": False, "attempted": False})
    ctl._persist()
    again = Controller(ports)
    again.boot(PAGE)
    assert [(r.text, r.status) for r in ports.view.rows] == [("still waiting", "pending"),
                                                           ("typed, row never stored", "pending")]


def test_bot_and_agent_rows_show_who_wrote():
    ctl, ports = live()
    ctl.on_text(text_from("Outbound", "Hi", "b1", entity="Bot", sender={"nickname": "Ava"}))
    ctl.on_text(text_from("Outbound", "Sam here", "a1", time="2026-01-01T00:00:11.000Z", entity="Human",
                          sender={"firstName": "Sam", "lastName": "Lee", "image": "https://i/s.png"}))
    bot, joined, agent = ports.view.rows
    assert (bot.side, bot.author) == ("bot", "Ava")
    # The service sends no frame when a person joins: their first message brings a system line.
    assert (joined.side, joined.text) == ("system", "Sam Lee joined the chat")
    assert (agent.side, agent.author, agent.avatar) == ("agent", "Sam Lee", "https://i/s.png")
    ctl.on_text(text_from("Outbound", "Still Sam", "a2", time="2026-01-01T00:00:12.000Z", entity="Human",
                          sender={"firstName": "Sam", "lastName": "Lee"}))
    assert [r.side for r in ports.view.rows] == ["bot", "system", "agent", "agent"]


def test_rows_are_ordered_by_service_time():
    ctl, ports = live()
    ctl.on_text(text_from("Outbound", "second", "m2", time="2026-01-01T00:00:12.000Z"))
    ctl.on_text(text_from("Outbound", "first", "m1", time="2026-01-01T00:00:11.000Z"))
    ctl.on_text(text_from("Outbound", "first", "m1", time="2026-01-01T00:00:11.000Z"))  # duplicate delivery
    assert [r.text for r in ports.view.rows] == ["first", "second"]


def test_agent_typing_shows_then_times_out():
    ctl, ports = live()
    body = {"type": "Event", "direction": "Outbound", "channel": {"from": {"nickname": "Ava"}},
            "events": [{"eventType": "Typing", "typing": {"type": "On", "duration": 2000}}]}
    ctl.on_text(server("StructuredMessage", body))
    assert ports.view.typing == "Ava is typing…"
    ports.advance(2100)
    assert ports.view.typing is None


def test_guest_typing_is_throttled_to_once_per_five_seconds():
    ctl, ports = live()
    count = len(ports.sent)
    ctl.composing()
    ctl.composing()
    ports.advance(4000)
    ctl.composing()
    assert len(ports.sent) == count + 1 and ports.sent[-1]["message"]["events"][0]["eventType"] == "Typing"
    ports.advance(1500)
    ctl.composing()
    assert len(ports.sent) == count + 2


def test_read_only_disconnect_disables_the_composer_with_a_notice():
    ctl, ports = live()
    ctl.on_text(server("StructuredMessage", {"id": "d1", "type": "Event", "direction": "Outbound",
                                             "channel": {"time": "2026-01-01T00:00:20.000Z"},
                                             "metadata": {"readOnly": "true"},
                                             "events": [{"eventType": "Presence", "presence": {"type": "Disconnect"}}]}))
    view = ports.view
    assert not view.composer_enabled and view.status == "Conversation ended"
    assert view.notice.title == "Conversation ended" and view.notice.button == "Start a new chat"
    assert view.rows[-1].side == "system"
    assert ctl.submit("more") is False


def test_start_new_after_read_only():
    ctl, ports = live()
    ctl.on_text(server("SessionResponse", {"connected": True, "newSession": False, "readOnly": True},
                       kind="response"))
    ctl.start_new()
    assert ports.sent[-1]["action"] == "closeSession"
    ctl.on_text(server("SessionResponse", {"connected": False}, kind="response"))
    assert ports.sent[-1]["startNew"] is True
    ctl.on_text(server("SessionResponse", {"connected": True, "newSession": True}, kind="response"))
    assert ports.view.composer_enabled and ports.view.notice is None and ports.view.rows == ()


def test_missing_settings_file_tells_the_guest_kindly_and_the_owner_in_the_console():
    ctl, ports = booted({"8765/config.json": (404, None)})
    assert ports.view.status == "Not connected" and not ports.view.composer_enabled
    assert ports.view.notice.title == "Chat is unavailable right now"
    assert "settings" not in ports.view.notice.message + ports.view.notice.action
    assert any("settings file could not be loaded" in text and "HTTP 404" in text for _, text in ports.logged)
    assert ports.opened == []


def test_config_param_is_ignored_unless_the_sites_own_settings_allow_it():
    ports = FakePorts({"8765/config.json": (200, SETTINGS), "/staging.json": (200, dict(SETTINGS, deploymentId="st"))})
    ctl = Controller(ports)
    ctl.boot("http://127.0.0.1:8765/?config=staging.json")
    assert ports.fetches[0] == "http://127.0.0.1:8765/config.json" and ctl.settings.deployment_id == DEP
    assert not any("staging" in url for url in ports.fetches)
    assert any("?config= ignored" in text for _, text in ports.logged)
    allowing = dict(SETTINGS, allowConfigParam=True)
    ports = FakePorts({"8765/config.json": (200, allowing), "/staging.json": (200, dict(SETTINGS, deploymentId="st"))})
    ctl = Controller(ports)
    ctl.boot("http://127.0.0.1:8765/?config=staging.json")
    assert ports.fetches[1] == "http://127.0.0.1:8765/staging.json" and ctl.settings.deployment_id == "st"


def test_foreign_config_is_refused_even_when_allowed():
    ports = FakePorts({"8765/config.json": (200, dict(SETTINGS, allowConfigParam=True))})
    Controller(ports).boot("http://127.0.0.1:8765/?config=https://evil.example/c.json")
    assert ports.fetches == ["http://127.0.0.1:8765/config.json"]
    assert ports.view.notice.title == "Chat is unavailable right now"
    assert any("Chat not set up" in text and "evil.example" in text for _, text in ports.logged)


def test_refused_handshake_is_diagnosed_and_stops_retrying():
    ctl, ports = booted()
    ctl.on_close(1006)
    assert ctl.conn.state == c.FAILED
    # The guest gets a kind word and a retry; the site owner's fix goes to the console.
    notice = ports.view.notice
    assert notice.kind == "unavailable" and notice.button == "Try again"
    assert "allowed domains" not in notice.message + notice.action + notice.title
    assert any("allowed domains" in text for _, text in ports.logged)
    ports.advance(60_000)
    assert len(ports.opened) == 1
    ctl.notice_button()  # "Try again": one more attempt, with the same session token
    assert len(ports.opened) == 2 and ports.view.notice is None


def test_unreachable_service_keeps_retrying_with_a_notice():
    ctl, ports = booted({"8765/config.json": (200, SETTINGS)})
    ctl.on_close(1006)
    assert ports.view.status == "Reconnecting…" and ports.view.notice.title == "Can't reach the chat service"
    ports.advance(2000)
    assert len(ports.opened) == 2


def test_a_drop_is_quiet_but_a_failed_retry_says_why_until_reconnected():
    ctl, ports = live()
    ctl.on_close(1006)
    assert ports.view.status == "Reconnecting…" and ports.view.notice is None
    ports.advance(2000)
    ctl.on_close(1011)  # the retry failed as well
    assert ports.view.notice.kind == "warn"
    assert "had a problem with this connection" in ports.view.notice.message
    ports.advance(4000)
    ctl.on_open()
    ctl.on_text(server("SessionResponse", {"connected": True, "newSession": False}, kind="response"))
    assert ports.view.notice is None and ports.view.status == "Connected"


def test_online_event_retries_at_once():
    ctl, ports = live()
    ctl.on_close(1006)
    ctl.online()
    assert len(ports.opened) == 2


def test_cleared_conversation_drops_transcript_and_token():
    ctl, ports = live()
    ctl.on_text(text_from("Outbound", "Hi", "b1"))
    ctl.on_text(server("SessionClearedEvent", {}))
    assert ports.view.rows == () and ports.store["gc-chat:dep-1:token"] == ""
    assert ports.view.notice.title == "Conversation cleared"


def test_expiry_warning_in_the_last_five_minutes_and_activity_clears_it():
    ctl, ports = booted()
    ctl.conn.heartbeat_ms = 10 ** 9  # this fake service never answers echo
    ctl.on_open()
    expires = ports.epoch_s() + 600
    ctl.on_text(server("SessionResponse", {"connected": True, "newSession": False, "durationSeconds": 600,
                                           "expirationDate": expires}, kind="response"))
    ports.advance(200_000)
    assert ports.view.notice is None
    ports.advance(80_000)  # 320 s left
    assert ports.view.notice is None and ports.view.countdown == ""
    ports.advance(50_000)  # 270 s left: the warning, with a countdown that runs each second
    assert ports.view.notice.title == "Still there?" and ports.view.notice.kind == "expiry"
    assert "{time}" in ports.view.notice.message and ports.view.countdown == "4:30"
    ports.advance(1_000)
    assert ports.view.countdown == "4:29"
    ctl.submit("still here")
    trace = ports.sent[-1]["tracingId"]
    ctl.on_text(text_from("Inbound", "still here", "g1", entity="", tracing_id=trace))
    assert ports.view.notice is None and ports.view.countdown == ""


def test_stay_sends_a_message_the_guest_sees_and_keeps_the_session():
    ctl, ports = booted()
    ctl.conn.heartbeat_ms = 10 ** 9
    ctl.on_open()
    ctl.on_text(server("SessionResponse", {"connected": True, "newSession": False, "durationSeconds": 600,
                                           "expirationDate": ports.epoch_s() + 100}, kind="response"))
    ports.advance(5_000)
    assert ports.view.notice.kind == "expiry" and ports.view.notice.button == "Stay"
    ctl.notice_button()  # Stay
    sent = ports.sent[-1]
    assert sent["action"] == "onMessage" and sent["message"]["text"] == "I'm still here."
    assert ports.view.rows[-1].text == "I'm still here." and ports.view.rows[-1].side == "guest"
    ctl.on_text(text_from("Inbound", "I'm still here.", "g1", entity="", tracing_id=sent["tracingId"]))
    assert ports.view.notice is None
    assert ctl.ending.expiry.left(ports.epoch_s()) > 590  # pushed a full duration forward


def test_chat_works_when_the_proxy_fails():
    ctl, ports = booted({
        "/deployments/dep-1/config.json": (200, DEPLOYMENT),
        "/api/context": (503, None),
        "8765/config.json": (200, SETTINGS),
    })
    ctl.on_open()
    ctl.on_text(server("SessionResponse", {"connected": True, "newSession": True}, kind="response"))
    assert ports.view.status == "Connected" and ports.view.wait == "" and ports.view.notice is None


def test_no_more_than_sixty_frames_a_minute_on_one_connection():
    ctl, ports = live()
    ctl.conn.heartbeat_ms = 10 ** 9
    for i in range(70):
        ctl.submit("m%d" % i)
    ports.advance(59_000)
    texts = [f["message"].get("text") for f in ports.sent if f["action"] == "onMessage"]
    first_minute = len(ports.sent)
    assert first_minute <= 60 - 6 + 3  # configure, Join and getJwt were sent before the budget filled
    ports.advance(60_000)
    texts = [f["message"].get("text") for f in ports.sent if f["action"] == "onMessage" and "text" in f["message"]]
    assert texts == ["m%d" % i for i in range(70)]


def test_transcript_writes_are_batched_to_one_a_second():
    ctl, ports = live()
    writes = []
    save = ports.save
    ports.save = lambda key, value: (writes.append(key), save(key, value))
    for i in range(20):
        ctl.on_text(text_from("Outbound", "m%d" % i, "id%d" % i, time="2026-01-01T00:00:%02d.000Z" % i))
    assert writes.count("gc-chat:dep-1:transcript") == 0
    ports.advance(1000)
    assert writes.count("gc-chat:dep-1:transcript") == 1
    assert len(__import__("json").loads(ports.store["gc-chat:dep-1:transcript"])) == 20


def test_a_new_visitor_connects_only_when_they_open_the_chat():
    ports = FakePorts({"/deployments/dep-1/config.json": (200, DEPLOYMENT), "8765/config.json": (200, SETTINGS)})
    ctl = Controller(ports)
    ctl.boot(PAGE)
    assert ports.opened == [] and ports.store.get("gc-chat:dep-1:token") is None  # no conversation per page view
    assert ports.view.composer_enabled  # the guest may type at once; it goes when connected
    ctl.open_panel()
    assert len(ports.opened) == 1 and ports.store.get("gc-chat:dep-1:token")


def test_a_page_with_a_session_resumes_it_at_load():
    ports = FakePorts({"/deployments/dep-1/config.json": (200, DEPLOYMENT), "8765/config.json": (200, SETTINGS)})
    ports.store["gc-chat:dep-1:token"] = "tok-earlier"
    ctl = Controller(ports)
    ctl.boot(PAGE)
    assert len(ports.opened) == 1
    ctl.on_open()
    assert ports.sent[-1]["action"] == "configureSession" and ports.sent[-1]["token"] == "tok-earlier"
