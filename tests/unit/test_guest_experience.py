"""Pre-chat form, attention (unread, divider, sound, notifications, announcements), ending (End chat,
Clear with confirmation, Start new) and transcript files, through the controller with fake ports.
Portable: CPython, MicroPython and Pyodide."""
import json

from app.chat import export, prechat
from app.chat.controller import Controller
from app.chat.render import PlainFormat, layout
from app.chat.strings import t
from app.protocol import connection as c
from tests.unit.fakes import FakePorts, server, text_from

DEP = "dep-1"
PAGE = "http://127.0.0.1:8765/index.html"
SETTINGS = {"deploymentId": DEP, "webMessagingUrl": "ws://127.0.0.1:8766/v1",
            "apiBaseUrl": "http://127.0.0.1:8766", "proxyUrl": None}
FORM = {"fields": [
    {"name": "name", "label": {"en": "Your name", "fr": "Votre nom"}, "required": True, "maxLength": 40},
    {"name": "email", "label": "Email", "type": "email", "required": True},
    {"name": "topic", "label": "Topic", "type": "select", "options": [{"value": "billing", "label": "Billing"},
                                                                      "Other"]},
    {"name": "terms", "label": "I agree", "type": "checkbox", "required": True},
    {"name": "question", "label": "How can we help?", "type": "textarea", "message": True},
]}
CONVERSATIONS = {"autoStart": {"enabled": False}, "conversationClear": {"enabled": True},
                 "conversationDisconnect": {"enabled": True, "type": "Send"}}


def boot(settings=None, conversations=None, store=None, permission="default"):
    deployment = {"status": "Active", "messenger": {"apps": {"conversations": conversations or CONVERSATIONS}}}
    ports = FakePorts({"/deployments/dep-1/config.json": (200, deployment),
                       "8765/config.json": (200, settings or SETTINGS)})
    ports.permission = permission
    if store:
        ports.store.update(store)
    ctl = Controller(ports)
    ctl.boot(PAGE)
    return ctl, ports


def configured(ctl, limits=None):
    ctl.on_open()
    body = {"connected": True, "newSession": True}
    body.update(limits or {})
    ctl.on_text(server("SessionResponse", body, kind="response"))


def answers(**changes):
    values = {"name": "Ada", "email": "ada@example.com", "topic": "billing", "terms": "true",
              "question": "My invoice is wrong"}
    values.update(changes)
    return values


def agent_ends_read_only(ctl):
    ctl.on_text(server("StructuredMessage", {"id": "d1", "type": "Event", "direction": "Outbound",
                                             "events": [{"eventType": "Presence", "presence": {"type": "Disconnect"}}],
                                             "metadata": {"readOnly": "true"}}))


def agent_says(ctl, text, msg_id):
    ctl.on_text(text_from("Outbound", text, msg_id, entity="", sender={"nickname": "Sam Lee"}))


# -- the pre-chat form -------------------------------------------------------------------------
def test_the_form_shows_before_anything_connects():
    ctl, ports = boot(dict(SETTINGS, prechat=FORM))
    ctl.open_panel()
    assert ports.opened == [] and ctl.conn is None  # no session (and no bot flow) before the answers
    form = ports.view.prechat
    assert form.title == "Before we start" and [f.name for f in form.fields] == [
        "name", "email", "topic", "terms", "question"]
    assert form.fields[0].label == "Your name" and form.fields[0].required and form.fields[0].max_length == 40
    assert form.fields[2].options == (("billing", "Billing"), ("Other", "Other"))
    assert form.limit == 2048


def test_required_fields_and_validation_say_what_is_wrong():
    ctl, ports = boot(dict(SETTINGS, prechat=FORM))
    ctl.open_panel()
    assert not ctl.prechat_submit(answers(name=" ", email="ada@", terms="", topic="nope"), invalid=())
    errors = {f.name: f.error for f in ports.view.prechat.fields}
    assert errors["name"] == "\u201cYour name\u201d is required."
    assert errors["email"] == t("prechat.email")
    assert errors["terms"] == t("prechat.required_check")
    assert errors["topic"] == t("prechat.choose")
    assert errors["question"] == ""  # optional
    assert ports.opened == []
    assert not ctl.prechat_submit(answers(name="x" * 41))
    assert ports.view.prechat.fields[0].error == "Use at most 40 characters."


def test_a_pattern_the_browser_refused_uses_the_configured_words():
    form = {"fields": [{"name": "order", "label": "Order", "pattern": "[0-9]{6}", "patternMessage": "Six digits"}]}
    ctl, ports = boot(dict(SETTINGS, prechat=form))
    ctl.open_panel()
    assert not ctl.prechat_submit({"order": "12"}, invalid=["order"])
    assert ports.view.prechat.fields[0].error == "Six digits" and ports.view.prechat.fields[0].pattern == "[0-9]{6}"


def test_answers_become_custom_attributes_and_the_question_the_first_message():
    ctl, ports = boot(dict(SETTINGS, prechat=FORM))
    ctl.open_panel()
    assert ctl.prechat_submit(answers())
    assert ports.view.prechat is None and len(ports.opened) == 1
    configured(ctl)
    sent = [f for f in ports.sent if f["action"] == "onMessage"][0]
    assert sent["message"]["text"] == "My invoice is wrong"
    assert sent["message"]["channel"]["metadata"]["customAttributes"] == {
        "name": "Ada", "email": "ada@example.com", "topic": "billing", "terms": "true"}


def test_with_auto_start_the_join_carries_the_answers():
    conversations = dict(CONVERSATIONS, autoStart={"enabled": True})
    form = {"fields": [{"name": "name", "label": "Name", "required": True}]}
    ctl, ports = boot(dict(SETTINGS, prechat=form), conversations)
    ctl.open_panel()
    assert ctl.prechat_submit({"name": "Ada"})
    configured(ctl)
    join = ports.sent[-1]
    assert join["message"]["events"][0]["presence"]["type"] == "Join"
    assert join["message"]["channel"]["metadata"]["customAttributes"] == {"name": "Ada"}


def test_the_byte_budget_is_checked_live_and_before_sending():
    ctl, ports = boot(dict(SETTINGS, prechat=dict(FORM, maxBytes=60)))
    ctl.open_panel()
    ctl.prechat_typed(answers(name="Ada"))
    assert ports.view.prechat.used == len("nameAdaemailada@example.comtopicbillingtermstrue")
    assert ports.view.prechat.error == ""
    ctl.prechat_typed(answers(name="A" * 30))
    assert "too long to send" in ports.view.prechat.error and "of 60 bytes" in ports.view.prechat.error
    assert not ctl.prechat_submit(answers(name="A" * 30))
    assert ports.opened == []
    assert ctl.prechat_submit(answers(name="Ada"))


def test_multibyte_answers_count_in_utf8_bytes():
    assert prechat.attribute_bytes({"név": "Ádám 😀"}) == 4 + 11


def test_a_4013_brings_the_form_back_and_the_shortened_answers_go_again():
    ctl, ports = boot(dict(SETTINGS, prechat=FORM))
    ctl.open_panel()
    ctl.prechat_submit(answers(name="A" * 40))
    configured(ctl, {"maxCustomDataBytes": 50})
    sent = [f for f in ports.sent if f["action"] == "onMessage"][-1]
    ctl.on_text(server("string", "Custom Attributes in channel metadata is larger than 50 bytes", code=4013,
                       kind="response", tracing_id=sent["tracingId"]))
    form = ports.view.prechat
    assert form is not None and form.limit == 50 and "couldn't take answers this long" in form.error
    assert ports.view.rows[-1].status == "failed"
    assert ctl.prechat_submit(answers(name="Al", email="a@b.co", topic="", question="My invoice is wrong"))
    ports.advance(1000)  # the message budget (2 a second) lets it go
    again = [f for f in ports.sent if f["action"] == "onMessage"][-1]
    assert again["tracingId"] != sent["tracingId"] and again["message"]["text"] == "My invoice is wrong"
    assert again["message"]["channel"]["metadata"]["customAttributes"] == {"name": "Al", "email": "a@b.co",
                                                                          "terms": "true"}
    assert [r.text for r in ports.view.rows] == ["My invoice is wrong"]  # the refused row went, the new one stays


def test_a_page_with_a_session_does_not_ask_again():
    ctl, ports = boot(dict(SETTINGS, prechat=FORM), store={"gc-chat:dep-1:token": "kept"})
    assert ports.view.prechat is None and ports.opened


def test_bad_forms_are_refused_at_start_with_the_reason():
    for bad, words in (({"fields": []}, "non-empty"), ({"fields": [{"label": "x"}]}, "needs a \"name\""),
                       ({"fields": [{"name": "a", "type": "date"}]}, "type must be one of"),
                       ({"fields": [{"name": "a", "type": "select"}]}, "needs \"options\""),
                       ({"fields": [{"name": "a"}, {"name": "a"}]}, "appears twice")):
        try:
            prechat.parse(bad)
        except prechat.PrechatError as exc:
            assert words in str(exc), (bad, str(exc))
        else:
            raise AssertionError(bad)


# -- attention ---------------------------------------------------------------------------------
def test_unread_while_closed_or_hidden_with_divider_title_and_host_event():
    ctl, ports = boot(dict(SETTINGS, attention={"sound": True}))
    ctl.open_panel()
    configured(ctl)
    agent_says(ctl, "seen", "m1")
    assert ports.view.unread == 0 and ports.sounds == 0 and ports.view.divider == ""
    ctl.visibility(False)  # another tab
    agent_says(ctl, "are you there?", "m2")
    agent_says(ctl, "hello?", "m3")
    assert ports.view.unread == 2 and ports.unread_shown[-1] == 2 and ports.sounds == 2
    assert ports.view.divider == "m2"
    assert [m["count"] for m in ports.host_events("unread")] == [1, 2]
    assert [i[0] for i in layout(ports.view.rows, PlainFormat().day_key, ports.view.divider)].count("divider") == 1
    ctl.visibility(True)
    assert ports.view.unread == 0 and ports.unread_shown[-1] == 0 and ports.host_events("unread")[-1]["count"] == 0
    assert ports.view.divider == "m2"  # stays while the guest reads
    ctl.close_panel()
    agent_says(ctl, "one more", "m4")
    assert ports.view.unread == 1 and ports.view.divider == "m4"
    ctl.open_panel()
    ctl.submit("here")
    assert ports.view.divider == ""


def test_only_new_incoming_messages_are_announced():
    ctl, ports = boot()
    ctl.open_panel()
    configured(ctl)
    assert ports.view.announce is None
    agent_says(ctl, "Hello, how can I help?", "m1")
    assert ports.view.announce == (1, "Sam Lee: Hello, how can I help?")
    agent_says(ctl, "Hello, how can I help?", "m1")  # the same message again (a resend): not again
    assert ports.view.announce[0] == 1
    ctl.submit("hi")
    assert ports.view.announce[0] == 1  # the guest's own message is not read back


def test_notifications_need_the_guest_and_the_browser():
    ctl, ports = boot()
    ctl.open_panel()
    configured(ctl)
    assert "notify_off" in ports.view.menu
    ctl.close_panel()
    agent_says(ctl, "not notified", "m1")
    assert ports.notified == []
    ctl.notifications(True)  # the browser asks; the guest allows
    assert "notify_on" in ports.view.menu and ports.store["gcw-notify-dep-1"] == "on"
    agent_says(ctl, "Your order shipped", "m2")
    assert ports.notified == [("New message from Sam Lee", "Your order shipped")]
    ctl.notifications(False)
    agent_says(ctl, "quiet now", "m3")
    assert len(ports.notified) == 1 and "notify_off" in ports.view.menu


def test_denied_notifications_show_as_blocked():
    ctl, ports = boot()
    ports.permission_answer = "denied"
    ctl.open_panel()
    configured(ctl)
    ctl.notifications(True)
    assert "notify_blocked" in ports.view.menu
    ctl.close_panel()
    agent_says(ctl, "hello", "m1")
    assert ports.notified == []


def test_the_deployment_can_keep_message_text_out_of_notifications():
    conversations = dict(CONVERSATIONS, notifications={"enabled": True,
                                                       "notificationContentType": "ExcludeMessagesContent"})
    ctl, ports = boot(conversations=conversations, permission="granted", store={"gcw-notify-dep-1": "on"})
    ctl.open_panel()
    configured(ctl)
    ctl.close_panel()
    agent_says(ctl, "your card number ends 1234", "m1")
    assert ports.notified == [("New message from Sam Lee", t("attention.notify_body"))]


def test_no_notifications_offered_when_the_site_says_no():
    ctl, ports = boot(dict(SETTINGS, attention={"notifications": False}))
    ctl.open_panel()
    configured(ctl)
    assert not [m for m in ports.view.menu if m.startswith("notify")]


# -- ending and starting over --------------------------------------------------------------------
def test_end_chat_asks_first_then_leaves_and_keeps_the_transcript():
    ctl, ports = boot()
    ctl.open_panel()
    configured(ctl)
    agent_says(ctl, "anything else?", "m1")
    assert ports.view.menu == ("download_text", "download_json", "notify_off", "clear", "end")
    ctl.ending.ask("end")
    assert ports.view.confirm == "end" and ctl.conn.state == c.CONFIGURED
    ctl.ending.cancel()
    assert ports.view.confirm == "" and ctl.conn.state == c.CONFIGURED
    ctl.ending.ask("end")
    ctl.ending.confirmed()
    assert ports.sent[-1] == {"action": "closeSession", "token": ctl.conn.token, "closeAllConnections": True}
    assert ctl.conn.state == c.ENDED and ports.closed >= 1
    assert ports.view.notice.title == "You ended the chat" and ports.view.notice.button == "Start a new chat"
    assert [r.text for r in ports.view.rows] == ["Sam Lee joined the chat", "anything else?", "You ended the chat."]
    assert ports.store["gc-chat:dep-1:token"] == ""  # a reload starts afresh
    assert ports.host_events("ended")
    assert "end" not in ports.view.menu and "clear" not in ports.view.menu and "download_text" in ports.view.menu
    old = ctl.conn.token
    ctl.notice_button()  # Start a new chat
    assert ctl.conn.token != old and ports.view.rows == ()


def test_clear_asks_first_and_follows_the_deployment():
    ctl, ports = boot()
    ctl.open_panel()
    configured(ctl)
    ctl.ending.ask("clear")
    ctl.ending.confirmed()
    assert ports.sent[-1]["message"]["events"][0]["presence"]["type"] == "Clear"
    off = dict(CONVERSATIONS, conversationClear={"enabled": False}, conversationDisconnect={"enabled": False})
    ctl, ports = boot(conversations=off)
    ctl.open_panel()
    configured(ctl)
    assert "clear" not in ports.view.menu and "end" not in ports.view.menu
    ctl.ending.ask("clear")
    assert ports.view.confirm == ""


def test_the_settings_can_turn_menu_items_off():
    ctl, ports = boot(dict(SETTINGS, ending={"endChat": False, "clear": False, "download": False},
                           attention={"notifications": False}))
    ctl.open_panel()
    configured(ctl)
    agent_says(ctl, "hi", "m1")
    assert ports.view.menu == ()


def test_start_new_after_read_only_asks_the_form_again_with_the_last_answers():
    ctl, ports = boot(dict(SETTINGS, prechat=FORM))
    ctl.open_panel()
    ctl.prechat_submit(answers())
    configured(ctl)
    agent_ends_read_only(ctl)
    assert ctl.conn.state == c.READ_ONLY
    ctl.notice_button()
    form = ports.view.prechat
    assert form is not None and form.fields[0].value == "Ada"
    sent_before = len(ports.sent)
    assert ctl.prechat_submit(answers(question="A new question"))
    assert ports.sent[sent_before]["action"] == "closeSession"


# -- the transcript as a file --------------------------------------------------------------------
def test_transcript_files_hold_what_the_guest_saw():
    ctl, ports = boot()
    ctl.open_panel()
    configured(ctl)
    agent_says(ctl, "Hello 😀\nsecond line", "m1")
    ctl.submit("thanks")
    name, mime, text = ctl.ending.transcript_file("text", PlainFormat())
    assert name.startswith("chat-transcript-2026-01-01-") and name.endswith(".txt") and mime.startswith("text/plain")
    lines = text.splitlines()
    assert lines[0] == "Chat transcript" and lines[1].startswith("Saved 2026-01-01")
    assert "[00:00] Sam Lee: Hello 😀" in lines and "    second line" in lines
    assert lines[-1] == "You: thanks"  # still on its way: no time yet
    name, mime, raw = ctl.ending.transcript_file("json", PlainFormat())
    data = json.loads(raw)
    assert name.endswith(".json") and mime == "application/json"
    assert data["format"] == "pychat-transcript" and data["deploymentId"] == "dep-1"
    assert [(m["side"], m["author"], m["text"]) for m in data["messages"]] == [
        ("system", "", "Sam Lee joined the chat"), ("agent", "Sam Lee", "Hello 😀\nsecond line"),
        ("guest", "You", "thanks")]
    assert data["messages"][2]["pending"] is True


def test_failed_messages_are_left_out_of_the_file():
    from app.chat.transcript import guest_row
    rows = (guest_row("a", "never sent", status="failed"), guest_row("b", "sent", status="sent",
                                                                     time="2026-01-01T10:00:00.000Z"))
    text = export.as_text(rows, "T", "2026-01-01T10:05:00.000Z", PlainFormat(), t)
    assert "never sent" not in text and "[10:00] You: sent" in text
    assert [m["text"] for m in json.loads(export.as_json(rows, "T", "x", "d"))["messages"]] == ["sent"]


# -- open hours, agents and the wait (the proxy's /api/context) -----------------------------------
def context_boot(answer, settings=None):
    deployment = {"status": "Active", "messenger": {"apps": {"conversations": CONVERSATIONS}}}
    ports = FakePorts({"/deployments/dep-1/config.json": (200, deployment), "/api/context": answer,
                       "8765/config.json": (200, settings or dict(SETTINGS, proxyUrl=""))})
    ctl = Controller(ports)
    ctl.boot(PAGE)
    return ctl, ports


CLOSED = {"hours": {"status": "ok", "open": False, "reason": "outside", "timeZone": "Europe/Dublin",
                    "nextChange": {"at": "2026-01-19T09:00:00Z", "open": True, "reason": "open"}},
          "agents": {"status": "ok", "available": 0}, "wait": {"status": "ok", "estimatedWaitSeconds": 30},
          "estimatedWaitSeconds": 30}


def _drawn(view):
    from app.chat.elements import h, text_of
    from app.chat.render import Context, Renderers
    open_, reason, next_at, next_open, agents, _ = view.availability
    ctx = Context(Renderers(), h, t, PlainFormat(), None)
    node = ctx.render("availability", {"open": open_, "reason": reason, "next_at": next_at, "next_open": next_open,
                                       "agents": agents, "wait": view.wait})
    return text_of(node) if node is not None else ""


def test_closed_hours_say_when_we_open_and_leave_out_the_wait():
    ctl, ports = context_boot((200, CLOSED))
    assert ports.view.availability == (False, "outside", "2026-01-19T09:00:00Z", True, 0, False)
    assert _drawn(ports.view) == "We're closed. We open 2026-01-19 09:00"


def test_open_hours_with_agents_and_the_wait():
    answer = {"hours": {"status": "ok", "open": True, "reason": "open",
                        "nextChange": {"at": "2026-01-14T17:00:00Z", "open": False}},
              "agents": {"status": "ok", "available": 2}, "estimatedWaitSeconds": 170}
    ctl, ports = context_boot((200, answer))
    assert _drawn(ports.view) == "We're open until 2026-01-14 17:00 · 2 agents available · " \
                                 "Estimated wait: about 3 minutes"


def test_a_part_the_proxy_could_not_answer_is_left_out():
    answer = {"hours": {"status": "unavailable", "code": "permission_missing"}, "agents": {"status": "ok", "available": 1},
              "wait": {"status": "unavailable"}}
    ctl, ports = context_boot((200, answer))
    assert _drawn(ports.view) == "1 agent available"


def test_the_launcher_hides_while_closed_when_the_settings_say_so_and_the_host_hears_it():
    ctl, ports = context_boot((200, CLOSED), dict(SETTINGS, proxyUrl="", whenClosed="hide"))
    assert ports.view.availability[5] is True
    assert ports.host_events("availability")[-1] == {"pychat": 1, "type": "availability", "open": False,
                                                     "hideLauncher": True}
    ctl, ports = context_boot((200, CLOSED))
    assert ports.view.availability[5] is False


def test_the_context_is_asked_again_every_minute_while_the_page_is_visible():
    ctl, ports = context_boot((200, CLOSED))
    asked = len([u for u in ports.fetches if u.endswith("/api/context")])
    ports.advance(60_000)
    assert len([u for u in ports.fetches if u.endswith("/api/context")]) == asked + 1
    ctl.visibility(False)
    ports.advance(120_000)
    assert len([u for u in ports.fetches if u.endswith("/api/context")]) == asked + 1


def test_a_new_chat_never_reads_the_old_conversations_history_with_its_jwt():
    ctl, ports = boot()
    ctl.open_panel()
    configured(ctl)
    ctl.sync.policy.set_jwt("old-session-jwt", ports.epoch_s() + 3600)
    ctl.ending.ask("end")
    ctl.ending.confirmed()
    ctl.notice_button()  # Start a new chat: a new token
    sent, fetched = len(ports.sent), len(ports.fetches)
    configured(ctl)  # the service made the session: it has no history, so none is read
    assert [f["action"] for f in ports.sent[sent:]] == ["configureSession"] and len(ports.fetches) == fetched
    assert ctl.sync.policy.jwt == ""
    ctl.on_close(1006)  # the same session again after a drop: its history is read with a JWT of its own
    ports.advance(2000)
    configured(ctl, {"newSession": False})
    assert ports.sent[-1]["action"] == "getJwt" and ports.sent[-1]["token"] == ctl.conn.token


# -- found in review ---------------------------------------------------------------------------
def _end(ctl):
    ctl.ending.ask("end")
    ctl.ending.confirmed()


def test_a_new_chat_after_ending_keeps_its_heartbeat():
    ctl, ports = boot()
    ctl.open_panel()
    configured(ctl)
    _end(ctl)
    ports.advance(10_000)
    assert not ctl._ticking
    ctl.notice_button()  # Start a new chat
    configured(ctl)
    ctl.conn.heartbeat_ms = 30_000
    sent = len(ports.sent)
    ports.advance(40_000)
    assert any(f["action"] == "echo" for f in ports.sent[sent:])


def test_after_ending_a_reload_starts_clean():
    ctl, ports = boot()
    ctl.open_panel()
    configured(ctl)
    agent_says(ctl, "anything else?", "m1")
    _end(ctl)
    ctl.flush()
    again = Controller(ports)
    again.boot(PAGE)
    assert ports.view.rows == ()


def test_a_refused_join_brings_the_form_back_and_the_shorter_answers_go_with_a_new_join():
    conversations = dict(CONVERSATIONS, autoStart={"enabled": True})
    form = {"fields": [{"name": "name", "label": "Name", "required": True}]}
    ctl, ports = boot(dict(SETTINGS, prechat=form), conversations)
    ctl.open_panel()
    assert ctl.prechat_submit({"name": "A" * 60})
    configured(ctl, {"maxCustomDataBytes": 30})
    join = ports.sent[-1]
    assert join["message"]["events"][0]["presence"]["type"] == "Join" and join["tracingId"]
    ctl.on_text(server("string", "Custom Attributes in channel metadata is larger than 30 bytes", code=4013,
                       kind="response", tracing_id=join["tracingId"]))
    assert ports.view.prechat is not None and "of 30 bytes" in ports.view.prechat.error
    assert ctl.prechat_submit({"name": "Ada"})
    again = ports.sent[-1]
    assert again["message"]["events"][0]["presence"]["type"] == "Join" and again["tracingId"] != join["tracingId"]
    assert again["message"]["channel"]["metadata"]["customAttributes"] == {"name": "Ada"}


def test_the_forms_first_message_waits_for_a_slow_deployment_config():
    deployment = {"status": "Active", "messenger": {"apps": {"conversations": CONVERSATIONS}}}
    held = []
    ports = FakePorts({"/deployments/dep-1/config.json": lambda url, headers: held.append(1) or (0, None),
                       "8765/config.json": (200, dict(SETTINGS, prechat=FORM))})
    ctl = Controller(ports)
    ctl.boot(PAGE)
    ctl.open_panel()
    assert ctl.conn is None
    assert ctl.prechat_submit(answers())
    ctl._on_deployment(200, deployment)  # the config arrives at last
    configured(ctl)
    ports.advance(1000)
    assert [f["message"]["text"] for f in ports.sent if f["action"] == "onMessage" and f["message"].get("text")] \
        == ["My invoice is wrong"]


def test_starting_new_from_the_form_while_the_socket_is_down_does_not_crash():
    ctl, ports = boot(dict(SETTINGS, prechat=FORM))
    ctl.open_panel()
    ctl.prechat_submit(answers())
    configured(ctl)
    agent_ends_read_only(ctl)
    ctl.notice_button()  # the form again
    old = ctl.conn.token
    ctl.on_close(1006)  # the socket drops while the guest fills it in
    assert ctl.conn.state == c.RECONNECTING
    assert ctl.prechat_submit(answers(question="Again"))
    assert ctl.conn.token != old and ctl.conn.state == c.CONNECTING
    configured(ctl)
    ports.advance(1000)
    assert ports.sent[-1]["message"]["text"] == "Again"


def test_closed_hours_never_hide_the_launcher_from_a_guest_in_a_conversation():
    ctl, ports = context_boot((200, CLOSED), dict(SETTINGS, proxyUrl="", whenClosed="hide"))
    assert ports.view.availability[5] is True  # a visitor: hidden while closed
    ctl.open_panel()
    configured(ctl)
    ctl.close_panel()
    assert ports.view.availability[5] is False  # in a conversation: their replies must reach them


def test_the_host_hears_the_end_of_every_conversation():
    ctl, ports = boot()
    ctl.open_panel()
    configured(ctl)
    _end(ctl)
    ctl.notice_button()
    configured(ctl)
    _end(ctl)
    assert len(ports.host_events("ended")) == 2
