"""What a guest gets besides the conversation itself, end to end on both interpreters: the pre-chat
form, attention (unread count on the launcher and in the title, the host page's event, the
divider, notifications), ending (End chat, Clear, Start new, the expiry countdown and Stay),
transcript downloads, and the keyboard (focus in, Escape out, focus back)."""
import json

import httpx
from playwright.sync_api import expect

DEP_PATH = "/_emulator/deployments/"
FORM = {"fields": [
    {"name": "name", "label": "Your name", "required": True, "autocomplete": "name"},
    {"name": "email", "label": "Email", "type": "email", "required": True, "autocomplete": "email"},
    {"name": "topic", "label": "Topic", "type": "select", "options": ["Billing", "Delivery"]},
    {"name": "question", "label": "How can we help?", "type": "textarea", "message": True},
]}
# Counts what the page does with notifications, without changing what the browser answers.
NOTIFICATION_RECORDER = """
(() => {
  window.__notes = [];
  window.__unreadEvents = [];
  window.addEventListener("pychat:unread", (e) => window.__unreadEvents.push(e.detail.count));
  const Real = window.Notification;
  if (!Real) return;
  function Recorded(title, options) {
    window.__notes.push([title, options && options.body]);
    return new Real(title, options);
  }
  Object.defineProperty(Recorded, "permission", { get: () => Real.permission });
  Recorded.requestPermission = (...args) => Real.requestPermission(...args);
  window.Notification = Recorded;
})();
"""
# Counts the chime's notes (Web Audio oscillators) without changing what they do.
TONES = """
window.__tones = 0;
if (window.AudioContext) {
  const Real = window.AudioContext;
  window.AudioContext = class extends Real {
    createOscillator() { window.__tones += 1; return super.createOscillator(); }
  };
}
"""
# Lets a test say the page went into the background (headless pages are always "visible").
VISIBILITY = """
window.__setHidden = (hidden) => {
  Object.defineProperty(document, "hidden", { configurable: true, get: () => hidden });
  Object.defineProperty(document, "visibilityState", { configurable: true, get: () => hidden ? "hidden" : "visible" });
  document.dispatchEvent(new Event("visibilitychange"));
};
"""


def _control(chat, path, body=None):
    response = httpx.post(chat.stack.emulator_url + path, json=body or {}, timeout=10)
    response.raise_for_status()
    return response.json()


def _deployment(chat, **settings):
    _control(chat, DEP_PATH + chat.stack.deployment_id, settings)


def _session(chat):
    return httpx.get(chat.stack.emulator_url + "/_emulator/sessions/" + chat.token(), timeout=10).json()


def _open(chat, page=None, greeted=True):
    page = chat.open(page)
    chat.wait_python(page)
    page.click("#chat-launcher")
    if greeted:
        expect(page.locator("#chat-panel")).to_have_attribute("data-status", "ok", timeout=20_000)
        expect(page.locator("li.gcw-row--bot").first).to_be_visible(timeout=15_000)
    return page


def _say(page, text):
    page.fill("#chat-input", text)
    page.keyboard.press("Enter")


def _agent(chat, text):
    token = chat.token()
    if not _session(chat).get("agent"):
        _control(chat, "/_emulator/sessions/%s/agent/join" % token, {"firstName": "Sam", "lastName": "Lee"})
    _control(chat, "/_emulator/sessions/%s/agent/say" % token, {"text": text})


def _menu(page, item):
    page.click("#chat-menu-button")
    page.click(".gcw-menu-item--" + item)


def test_prechat_form_validates_sends_attributes_and_keeps_to_the_byte_budget(chat_factory, runtime):
    chat = chat_factory(runtime)
    chat.config["prechat"] = dict(FORM, maxBytes=80)
    page = _open(chat, greeted=False)
    form = page.locator(".gcw-prechat")
    expect(form).to_be_visible(timeout=20_000)
    expect(page.locator("#chat-composer")).to_be_hidden()
    expect(page.locator("#gcw-pre-name")).to_be_focused()  # focus moved into the panel
    assert _sessions_of(chat) == 0  # nothing connected before the answers (no bot flow started)
    page.click(".gcw-prechat-start")
    expect(page.locator("#gcw-pre-name-error")).to_have_text("\u201cYour name\u201d is required.")
    expect(page.locator("#gcw-pre-email-error")).to_have_text("\u201cEmail\u201d is required.")
    expect(page.locator("#gcw-pre-name")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#gcw-pre-name")).to_be_focused()
    page.fill("#gcw-pre-name", "Ada Lovelace")
    page.fill("#gcw-pre-email", "ada@")
    page.click(".gcw-prechat-start")
    expect(page.locator("#gcw-pre-email-error")).to_have_text("Enter an email address like name@example.com.")
    # over the budget as the guest types: said at once, and Start refuses
    page.fill("#gcw-pre-email", "ada.lovelace.countess.of.lovelace@analytical-engines.example.com")
    expect(page.locator(".gcw-prechat-error")).to_contain_text("too long to send", timeout=5_000)
    page.click(".gcw-prechat-start")
    expect(form).to_be_visible()
    assert _sessions_of(chat) == 0
    page.fill("#gcw-pre-email", "ada@example.com")
    page.select_option("#gcw-pre-topic", "Billing")
    page.fill("#gcw-pre-question", "My invoice is wrong")
    page.click(".gcw-prechat-start")
    expect(page.locator("li.gcw-row--guest[data-status=sent]")).to_have_count(1, timeout=20_000)
    expect(form).to_be_hidden()
    expect(page.locator("#chat-input")).to_be_focused()
    session = _session(chat)
    assert session["customAttributes"] == {"name": "Ada Lovelace", "email": "ada@example.com", "topic": "Billing"}
    assert session["transcript"][0]["text"] == "My invoice is wrong"


def test_a_4013_brings_the_form_back_and_shorter_answers_go_through(chat_factory, runtime):
    chat = chat_factory(runtime)
    _deployment(chat, maxCustomDataBytes=40)  # the service's limit, smaller than the form's default
    chat.config["prechat"] = FORM
    page = _open(chat, greeted=False)
    page.fill("#gcw-pre-name", "Ada Lovelace, Countess of Lovelace")
    page.fill("#gcw-pre-email", "ada@example.com")
    page.fill("#gcw-pre-question", "My invoice is wrong")
    page.click(".gcw-prechat-start")
    error = page.locator(".gcw-prechat-error")
    expect(error).to_contain_text("couldn't take answers this long", timeout=20_000)
    expect(error).to_contain_text("of 40 bytes")
    expect(page.locator("#gcw-pre-name")).to_have_value("Ada Lovelace, Countess of Lovelace")
    assert _session(chat)["customAttributes"] == {}
    page.fill("#gcw-pre-name", "Ada")
    page.fill("#gcw-pre-email", "a@b.co")
    page.click(".gcw-prechat-start")
    expect(page.locator("li.gcw-row--guest[data-status=sent]")).to_have_count(1, timeout=20_000)
    expect(page.locator("li.gcw-row--guest[data-status=failed]")).to_have_count(0)
    assert _session(chat)["customAttributes"] == {"name": "Ada", "email": "a@b.co"}


def _sessions_of(chat):
    return len(httpx.get(chat.stack.emulator_url + "/_emulator/sessions", timeout=10).json()["sessions"])


def test_unread_count_title_event_divider_and_notifications(chat_factory, runtime):
    chat = chat_factory(runtime)
    chat.context.grant_permissions(["notifications"], origin=chat.stack.proxy_url)
    chat.page.add_init_script(NOTIFICATION_RECORDER)
    chat.page.add_init_script(VISIBILITY)
    chat.page.add_init_script(TONES)
    chat.config["attention"] = {"sound": True}
    page = _open(chat)
    _menu(page, "notify_off")  # "Turn on notifications": the browser has already allowed them
    expect(page.locator("#chat-menu-button")).to_be_focused()
    page.click("#chat-menu-button")
    expect(page.locator(".gcw-menu-item--notify_on")).to_have_text("Turn off notifications")
    page.keyboard.press("Escape")  # the menu closes first, the panel stays
    expect(page.locator(".gcw-menu-list")).to_be_hidden()
    expect(page.locator("#chat-panel")).to_be_visible()
    page.click(".gcw-close")
    expect(page.locator("#chat-launcher")).to_be_focused()
    _agent(chat, "Hi, I'm Sam. Your parcel left the depot.")
    badge = page.locator("#chat-launcher .gcw-launcher-badge")
    expect(badge).to_have_text("1", timeout=15_000)
    expect(page.locator("#chat-launcher .gcw-launcher-unread")).to_have_text("1 unread message")
    expect(page).to_have_title("(1) Chat with us")
    page.click("#chat-launcher")
    expect(badge).to_be_hidden()
    expect(page).to_have_title("Chat with us")
    divider = page.locator("li.gcw-divider")
    expect(divider).to_have_text("New messages")
    assert divider.evaluate("d => d.nextElementSibling.textContent") == "Sam joined the chat"
    assert "Your parcel left" in divider.evaluate("d => d.nextElementSibling.nextElementSibling.textContent")
    # the tab in the background, the panel open: unread again, and a notification
    page.evaluate("window.__setHidden(true)")
    _agent(chat, "It arrives tomorrow.")
    expect(page).to_have_title("(1) Chat with us", timeout=15_000)
    page.wait_for_function("() => window.__notes.length >= 2")
    notes = page.evaluate("window.__notes")
    # the emulator's deployment keeps message words out of notifications (ExcludeMessagesContent)
    assert notes == [["New message from Sam", "You have a new message in the chat."]] * 2
    assert page.evaluate("window.__unreadEvents") == [1, 0, 1]
    assert page.evaluate("window.__tones") == 4  # a two-note chime for each unread reply, none for the greeting
    page.evaluate("window.__setHidden(false)")
    expect(page).to_have_title("Chat with us")
    expect(page.locator("#chat-announce")).to_have_text("Sam: It arrives tomorrow.")
    _say(page, "thanks")
    expect(divider).to_have_count(0)  # gone once the guest writes


def test_notifications_refused_by_the_browser_show_as_blocked(chat_factory, runtime):
    chat = chat_factory(runtime)  # no permission granted: headless Chromium refuses the request
    chat.page.add_init_script(NOTIFICATION_RECORDER)
    page = _open(chat)
    _menu(page, "notify_off")
    page.click("#chat-menu-button")
    blocked = page.locator(".gcw-menu-item--notify_blocked")
    expect(blocked).to_have_text("Notifications are blocked in this browser", timeout=10_000)
    expect(blocked).to_be_disabled()
    page.keyboard.press("Escape")
    page.click(".gcw-close")
    _agent(chat, "Still there?")
    expect(page.locator("#chat-launcher .gcw-launcher-badge")).to_have_text("1", timeout=15_000)
    assert page.evaluate("window.__notes") == []


def test_end_chat_download_transcripts_and_start_new(chat_factory, runtime, tmp_path):
    chat = chat_factory(runtime)
    page = _open(chat)
    _say(page, "Where is my order? 📦")
    expect(page.locator("li.gcw-row--bot")).to_have_count(2, timeout=15_000)
    with page.expect_download() as download:
        _menu(page, "download_text")
    text_path = tmp_path / "t.txt"
    download.value.save_as(text_path)
    assert download.value.suggested_filename.startswith("chat-transcript-")
    assert download.value.suggested_filename.endswith(".txt")
    text = text_path.read_text(encoding="utf-8")
    assert text.startswith("Chat transcript\nSaved ")
    assert "You: Where is my order? 📦" in text and "Demo Bot: " in text
    with page.expect_download() as download:
        _menu(page, "download_json")
    json_path = tmp_path / "t.json"
    download.value.save_as(json_path)
    data = json.loads(json_path.read_text(encoding="utf-8"))
    assert data["format"] == "pychat-transcript" and data["deploymentId"] == chat.stack.deployment_id
    guest = [m for m in data["messages"] if m["side"] == "guest"]
    assert [m["text"] for m in guest] == ["Where is my order? 📦"] and guest[0]["time"]
    assert {m["side"] for m in data["messages"]} == {"bot", "guest"}
    old_token = chat.token()
    _menu(page, "end")
    expect(page.locator(".gcw-confirm")).to_contain_text("End this chat?")
    expect(page.locator("#chat-confirm-no")).to_be_focused()
    page.keyboard.press("Escape")  # changed their mind
    expect(page.locator(".gcw-confirm")).to_have_count(0)
    expect(page.locator("#chat-status")).to_have_text("Connected")
    _menu(page, "end")
    page.click("#chat-confirm-yes")
    expect(page.locator("#chat-notice")).to_contain_text("You ended the chat")
    expect(page.locator("#chat-status")).to_have_text("Chat closed")
    expect(page.locator("li.gcw-row--system").last).to_have_text("You ended the chat.")
    expect(page.locator("#chat-input")).to_be_disabled()
    sessions = httpx.get(chat.stack.emulator_url + "/_emulator/sessions/" + old_token, timeout=10).json()
    assert sessions["sockets"] == 0  # closeSession let every socket of this guest go
    page.click("#chat-notice-button")  # Start a new chat
    expect(page.locator("#chat-status")).to_have_text("Connected", timeout=20_000)
    expect(page.locator("li.gcw-row--guest")).to_have_count(0)
    assert chat.token() and chat.token() != old_token


def test_clear_asks_first_then_wipes_the_conversation(chat_factory, runtime):
    chat = chat_factory(runtime)
    page = _open(chat)
    _say(page, "please forget this")
    expect(page.locator("li.gcw-row--guest[data-status=sent]")).to_have_count(1, timeout=15_000)
    token = chat.token()
    _menu(page, "clear")
    expect(page.locator(".gcw-confirm")).to_contain_text("Clear this conversation?")
    page.click("#chat-confirm-no")
    expect(page.locator("li.gcw-row--guest")).to_have_count(1)
    _menu(page, "clear")
    page.click("#chat-confirm-yes")
    expect(page.locator("#chat-notice")).to_contain_text("This conversation was cleared.", timeout=15_000)
    expect(page.locator("li.gcw-row--guest")).to_have_count(0)
    gone = httpx.get(chat.stack.emulator_url + "/_emulator/sessions/" + token, timeout=10)
    assert gone.status_code == 404


def test_expiry_countdown_and_stay(chat_factory, runtime):
    chat = chat_factory(runtime)
    _deployment(chat, sessionDurationSeconds=306)  # the warning shows from 300 s left
    page = _open(chat)
    notice = page.locator("#chat-notice[data-kind=expiry]")
    expect(notice).to_be_visible(timeout=20_000)
    expect(notice).to_contain_text("Still there?")
    clock = page.locator(".gcw-countdown")
    first = clock.text_content()
    assert first.startswith("4:5") or first.startswith("5:00"), first
    page.locator("#chat-notice-button").focus()
    page.wait_for_timeout(2200)
    assert clock.text_content() != first  # it counts down every second
    expect(page.locator("#chat-notice-button")).to_be_focused()  # without redrawing under the guest
    page.click("#chat-notice-button")  # Stay
    expect(page.locator("li.gcw-row--guest .gcw-bubble").last).to_have_text("I'm still here.")
    expect(notice).to_be_hidden(timeout=10_000)
    left = _session(chat)["expirationDate"] - page.evaluate("Date.now() / 1000")
    assert left > 300  # the message moved the expiry a full duration on


def test_keyboard_only_conversation(chat_factory, runtime):
    chat = chat_factory(runtime)
    page = chat.open()
    chat.wait_python()
    page.locator("#chat-launcher").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#chat-panel")).to_be_visible()
    expect(page.locator("#chat-panel")).to_have_attribute("data-status", "ok", timeout=20_000)
    expect(page.locator("#chat-input")).to_be_focused(timeout=5_000)
    page.keyboard.type("hello by keyboard")
    page.keyboard.press("Enter")
    expect(page.locator("li.gcw-row--guest[data-status=sent]")).to_have_count(1, timeout=15_000)
    expect(page.locator("#chat-input")).to_be_focused()
    # Shift+Tab walks back through the panel to the menu; a visible focus ring on each stop
    reached = []
    for _ in range(8):
        page.keyboard.press("Shift+Tab")
        ident = page.evaluate("document.activeElement.id || document.activeElement.className")
        reached.append(ident)
        outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
        assert outline != "none", ident
        if ident == "chat-menu-button":
            break
    assert "chat-menu-button" in reached, reached
    page.keyboard.press("Enter")
    expect(page.locator(".gcw-menu-list")).to_be_visible()
    expect(page.locator(".gcw-menu-item").first).to_be_focused()
    page.keyboard.press("Escape")
    expect(page.locator("#chat-menu-button")).to_be_focused()
    page.keyboard.press("Escape")
    expect(page.locator("#chat-panel")).to_be_hidden()
    expect(page.locator("#chat-launcher")).to_be_focused()


def _context_answer(next_at, open_=False, agents=0, wait=None):
    body = {"hours": {"status": "ok", "open": open_, "reason": "open" if open_ else "outside", "timeZone": "Europe/Dublin",
                      "nextChange": {"at": next_at, "open": not open_}},
            "agents": {"status": "ok", "available": agents}}
    if wait is not None:
        body["estimatedWaitSeconds"] = wait
    return json.dumps(body)


def test_open_hours_agents_and_wait_in_the_guests_zone_and_language(browser, emu, runtime):
    from datetime import datetime, timedelta, timezone
    from zoneinfo import ZoneInfo

    zone = "America/New_York"
    opens = (datetime.now(timezone.utc) + timedelta(days=3)).replace(hour=13, minute=0, second=0, microsecond=0)
    local = opens.astimezone(ZoneInfo(zone))
    for language, expected in (("en", "We're closed. We open %s at %d:00 AM" % (local.strftime("%A"), local.hour)),
                               ("fr", "Nous sommes fermés. Nous ouvrons %s à %d:00" % (
                                   ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")[
                                       local.weekday()], local.hour))):
        context = browser.new_context(timezone_id=zone, locale="en-US")
        config = {"deploymentId": emu.deployment_id, "webMessagingUrl": emu.socket_url, "apiBaseUrl": emu.emulator_url,
                  "proxyUrl": "", "language": language, "whenClosed": "hide"}
        context.route(emu.proxy_url + "/config.json", lambda route, request=None: route.fulfill(
            status=200, content_type="application/json", body=json.dumps(config)))
        context.route(emu.proxy_url + "/api/context", lambda route, request=None: route.fulfill(
            status=200, content_type="application/json", body=_context_answer(opens.isoformat().replace("+00:00", "Z"))))
        try:
            page = context.new_page()
            page.goto(emu.proxy_url + "/?runtime=" + runtime)
            line = page.locator("#chat-wait")
            expect(line).to_be_attached(timeout=90_000)
            page.wait_for_selector("html[data-chat-python=ready]", state="attached", timeout=90_000)
            page.wait_for_function("() => !!document.querySelector('#chat-wait .gcw-availability')", timeout=15_000)
            text = " ".join(line.text_content().replace("\u202f", " ").split())
            assert text == expected, text
            expect(page.locator("#chat-launcher")).to_be_hidden()  # "whenClosed": "hide"
        finally:
            context.close()
    # open, with agents and a wait: all three, and the launcher is back
    context = browser.new_context(timezone_id=zone, locale="en-US")
    config = {"deploymentId": emu.deployment_id, "webMessagingUrl": emu.socket_url, "apiBaseUrl": emu.emulator_url,
              "proxyUrl": "", "whenClosed": "hide"}
    closes = (datetime.now(timezone.utc) + timedelta(hours=2)).replace(second=0, microsecond=0)
    context.route(emu.proxy_url + "/config.json", lambda route, request=None: route.fulfill(
        status=200, content_type="application/json", body=json.dumps(config)))
    context.route(emu.proxy_url + "/api/context", lambda route, request=None: route.fulfill(
        status=200, content_type="application/json",
        body=_context_answer(closes.isoformat().replace("+00:00", "Z"), True, 2, 170)))
    try:
        page = context.new_page()
        page.goto(emu.proxy_url + "/?runtime=" + runtime)
        page.wait_for_function("() => !!document.querySelector('#chat-wait .gcw-availability')", timeout=90_000)
        text = " ".join(page.locator("#chat-wait").text_content().replace("\u202f", " ").split())
        assert text.startswith("We're open until ") and text.endswith(
            " · 2 agents available · Estimated wait: about 3 minutes"), text
        expect(page.locator("#chat-launcher")).to_be_visible()
    finally:
        context.close()
