"""Every content kind the service can send, drawn and answered in Chromium, on both interpreters.

Content is put on the socket through the emulator's control API; what answering it sent is read
back from the emulator's record of the session (and, as for every e2e test, each client frame is
validated against Genesys' schema at the end of the test by tests/conftest.py).
"""
import re
import struct
import zlib

import httpx
from playwright.sync_api import expect

CHIPS = [{"contentType": "QuickReply", "quickReply": {"text": t, "payload": p, "action": "Message"}}
         for t, p in (("Yes please", "YES"), ("No thanks", "NO"))]


def _card(n):
    return {"title": "Plan %d" % n, "description": "Plan number %d." % n,
            "actions": [{"type": "Postback", "text": "Choose %d" % n, "payload": "plan-%d" % n},
                        {"type": "Link", "text": "Details %d" % n, "url": "https://example.com/plans/%d" % n},
                        {"type": "Link", "text": "Bad %d" % n, "url": "javascript:window.__xss(%d)" % n}]}


def _png(width=40, height=30):
    rows = b"".join(b"\x00" + b"\x20\x80\xe0" * width for _ in range(height))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


class Guest:
    def __init__(self, chat_factory, runtime):
        self.chat = chat_factory(runtime)
        self.stack = self.chat.stack
        self.page = self.chat.open()
        self.page.click("#chat-launcher")
        self.chat.wait_python()
        expect(self.page.locator("#chat-status")).to_have_text("Connected", timeout=20_000)
        expect(self.page.locator("li.gcw-row--bot").first).to_be_visible(timeout=10_000)  # the greeting
        self.token = self.chat.token()

    def reopen(self):
        """Reload the page (it reads the deployment's settings again) and open the chat."""
        self.page.reload()
        self.page.click("#chat-launcher")
        self.chat.wait_python()
        expect(self.page.locator("#chat-status")).to_have_text("Connected", timeout=20_000)

    def control(self, path, body=None):
        response = httpx.post(self.stack.emulator_url + "/_emulator/" + path, json=body or {}, timeout=10)
        response.raise_for_status()
        return response.json()

    def bot_says(self, text="", content=None):
        return self.control("sessions/%s/bot/say" % self.token, {"text": text, "content": content})["message"]

    def deployment(self, **settings):
        self.control("deployments/" + self.stack.deployment_id, settings)

    def sent(self):
        session = httpx.get(self.stack.emulator_url + "/_emulator/sessions/" + self.token, timeout=10).json()
        return [f for f in session["inbound"] if isinstance(f, dict)]

    def button_responses(self):
        found = []
        for frame in self.sent():
            for item in (frame.get("message") or {}).get("content") or ():
                if item.get("contentType") == "ButtonResponse":
                    found.append((frame["message"], item["buttonResponse"]))
        return found

    def wait_for(self, predicate, what):
        for _ in range(100):
            value = predicate()
            if value:
                return value
            self.page.wait_for_timeout(100)
        raise AssertionError("never happened: " + what)


def test_quick_replies_are_chips_that_answer_once_and_retire(chat_factory, runtime):
    guest = Guest(chat_factory, runtime)
    page = guest.page
    message = guest.bot_says("Would you like a brochure?", CHIPS)
    chips = page.locator(".gcw-quick-replies .gcw-chip")
    expect(chips).to_have_count(2)
    expect(chips.first).to_have_text("Yes please")
    chips.first.click()
    mine = page.locator("li.gcw-row--guest", has_text="Yes please")
    expect(mine).to_have_attribute("data-status", "sent", timeout=10_000)
    expect(page.locator(".gcw-quick-replies")).to_have_count(0)  # retired
    message_frame, response = guest.wait_for(guest.button_responses, "a ButtonResponse")[-1]
    assert response == {"text": "Yes please", "payload": "YES", "type": "QuickReply",
                        "originatingMessageId": message["id"]}
    assert message_frame["type"] == "Text"
    # Chips of an older message are not offered again, even after a reload.
    page.reload()
    guest.chat.wait_python()
    expect(page.locator("li.gcw-row--guest", has_text="Yes please")).to_have_count(1, timeout=10_000)
    expect(page.locator(".gcw-quick-replies")).to_have_count(0)


def test_cards_and_carousels_scroll_post_back_and_link_safely(chat_factory, runtime):
    guest = Guest(chat_factory, runtime)
    page = guest.page
    message = guest.bot_says("Our plans", [{"contentType": "Carousel", "carousel": {
        "cards": [_card(1), _card(2), _card(3)]}}])
    carousel = page.locator(".gcw-carousel")
    expect(carousel.locator(".gcw-card")).to_have_count(3)
    position = carousel.locator(".gcw-carousel-pos")
    expect(position).to_have_text("1 of 3")
    carousel.locator(".gcw-carousel-next").click()
    expect(position).to_have_text("2 of 3", timeout=5_000)
    # The keyboard moves it too: focus the track, arrow right.
    carousel.locator(".gcw-carousel-track").focus()
    page.keyboard.press("ArrowRight")
    expect(position).to_have_text("3 of 3", timeout=5_000)
    link = carousel.locator("a.gcw-card-action", has_text="Details 3")
    expect(link).to_have_attribute("href", "https://example.com/plans/3")
    expect(link).to_have_attribute("target", "_blank")
    expect(link).to_have_attribute("rel", "noopener noreferrer")
    # A javascript: link is only text.
    expect(carousel.locator("a", has_text="Bad 3")).to_have_count(0)
    expect(carousel.locator(".gcw-link--inert", has_text="Bad 3")).to_have_count(1)
    carousel.locator("button.gcw-card-action", has_text="Choose 3").click()
    expect(page.locator("li.gcw-row--guest", has_text="Choose 3")).to_have_attribute("data-status", "sent",
                                                                                   timeout=10_000)
    message_frame, response = guest.wait_for(guest.button_responses, "a card postback")[-1]
    assert response["type"] == "Button" and response["payload"] == "plan-3" and response["text"] == "Choose 3"
    assert response["originatingMessageId"] == message["id"]
    assert message_frame["type"] == "Structured" and message_frame["text"] == "Choose 3"


def test_date_picker_groups_times_by_day_in_the_guests_zone_and_sends_the_time(chat_factory, runtime):
    guest = Guest(chat_factory, runtime)
    page = guest.page
    times = ["2031-03-04T09:00:00Z", "2031-03-04T14:30:00Z", "2031-03-05T10:00:00Z", "not a date"]
    guest.bot_says("When suits you?", [{"contentType": "DatePicker", "datePicker": {
        "title": "Book a call", "subtitle": "Thirty minutes with an adviser",
        "availableTimes": [{"dateTime": t, "duration": 1800} for t in times]}}])
    picker = page.locator(".gcw-datepicker")
    expect(picker.locator(".gcw-day-slots")).to_have_count(2)
    expect(picker.locator(".gcw-slot")).to_have_count(3)  # the junk time is not offered
    expect(picker.locator(".gcw-slot").first).to_contain_text("30 min")
    shown = page.evaluate("new Intl.DateTimeFormat(navigator.language, {hour: 'numeric', minute: '2-digit'})"
                          ".format(new Date('2031-03-04T14:30:00Z'))")
    picker.locator(".gcw-slot").nth(1).click()
    mine = page.locator("li.gcw-row--guest").last
    expect(mine).to_have_attribute("data-status", "sent", timeout=10_000)
    assert shown in mine.inner_text() and "2031-03-04T" not in mine.inner_text()
    message_frame, response = guest.wait_for(guest.button_responses, "a DatePicker answer")[-1]
    assert response["type"] == "DatePicker" and response["payload"] == "2031-03-04T14:30:00Z"
    assert message_frame["type"] == "Text" and message_frame["text"] == ""
    expect(page.locator(".gcw-slot").first).to_be_disabled()  # answered: the picker is history


def test_list_picker_sends_the_chosen_items(chat_factory, runtime):
    guest = Guest(chat_factory, runtime)
    page = guest.page
    guest.bot_says("Choose a topic.", [{"contentType": "ListPicker", "listPicker": {
        "id": "topics", "receivedMessage": {"title": "What is it about?", "subtitle": "Pick one or more.",
                                            "buttonLabel": "Send choice"},
        "replyMessage": {"title": "Thanks"},
        "sections": [{"title": "Shopping", "multipleSelection": True, "items": [
            {"id": "billing", "title": "Billing", "subtitle": "Invoices"},
            {"id": "orders", "title": "Orders"}]}]}}])
    picker = page.locator(".gcw-listpicker")
    expect(picker.locator("legend")).to_have_text("Shopping")
    picker.locator("button[type=submit]").click()
    expect(picker.locator(".gcw-picker-error")).to_have_text("Pick at least one option.")
    picker.locator("label", has_text="Billing").click()
    picker.locator("label", has_text="Orders").click()
    picker.locator("button[type=submit]", has_text="Send choice").click()
    expect(page.locator("li.gcw-row--guest", has_text="Billing, Orders")).to_have_attribute(
        "data-status", "sent", timeout=10_000)
    _, response = guest.wait_for(guest.button_responses, "a ListPicker answer")[-1]
    assert response["type"] == "ListPicker" and response["payload"] == "billing,orders"


def test_markdown_is_drawn_safely_and_emoji_survive(chat_factory, runtime):
    guest = Guest(chat_factory, runtime)
    page = guest.page
    guest.bot_says("Hello 😀 **bold** _it_ ~~gone~~ `code` [site](https://example.com) [bad](javascript:alert(1))"
                   "\n\n1. one\n2. two\n\n<img src=x onerror=window.__xss(1)>")
    row = page.locator("li.gcw-row--bot").last
    expect(row.locator("strong")).to_have_text("bold")
    expect(row.locator("em")).to_have_text("it")
    expect(row.locator("del")).to_have_text("gone")
    expect(row.locator("code")).to_have_text("code")
    expect(row.locator("ol li")).to_have_count(2)
    link = row.locator("a", has_text="site")
    expect(link).to_have_attribute("href", "https://example.com")
    expect(link).to_have_attribute("rel", "noopener noreferrer")
    expect(row.locator("a", has_text="bad")).to_have_count(0)
    expect(row).to_contain_text("<img src=x onerror=window.__xss(1)>")
    assert row.locator("img").count() == 0
    assert "Hello 😀" in row.inner_text()  # the emulator escapes it as a surrogate pair
    # The guest's own emoji come back intact in the echo, too.
    page.fill("#chat-input", "Thanks 👍🏽")
    page.press("#chat-input", "Enter")
    mine = page.locator("li.gcw-row--guest", has_text="Thanks")
    expect(mine).to_have_attribute("data-status", "sent", timeout=10_000)
    assert "Thanks 👍🏽" in mine.inner_text()


def test_incoming_image_opens_larger_and_an_expired_file_link_is_refreshed(chat_factory, runtime):
    guest = Guest(chat_factory, runtime)
    page = guest.page
    guest.page.fill("#chat-input", "photo")
    guest.page.press("#chat-input", "Enter")
    thumb = page.locator(".gcw-thumb img")
    expect(thumb).to_be_visible(timeout=15_000)
    page.wait_for_function("() => { const i = document.querySelector('.gcw-thumb img'); return i && i.naturalWidth > 0; }")
    page.locator(".gcw-thumb").click()
    expect(page.locator("#chat-lightbox")).to_be_visible()
    expect(page.locator("#chat-lightbox .gcw-lightbox-name")).to_have_text("demo-photo.png")
    page.keyboard.press("Escape")
    expect(page.locator("#chat-lightbox")).to_be_hidden()

    guest.deployment(downloadUrlSeconds=1)  # links die after a second
    page.fill("#chat-input", "pdf")
    page.press("#chat-input", "Enter")
    chip = page.locator("a.gcw-file")
    expect(chip).to_be_visible(timeout=15_000)
    expect(chip).to_contain_text("demo-document.pdf")
    expect(chip).to_contain_text(re.compile(r"PDF, \d+ (B|KB)"))
    page.wait_for_timeout(2200)
    stale = chip.get_attribute("href")
    assert httpx.get(stale, timeout=10).status_code == 403  # expired
    with guest.chat.context.expect_page(timeout=10_000) as opened:
        chip.click()
    fresh = opened.value
    requests = [f for f in guest.sent() if f.get("action") == "getAttachment"]
    assert requests, "no getAttachment was sent"
    assert fresh.url != stale and "/uploads/" in fresh.url
    fresh.close()


def test_files_are_checked_uploaded_with_progress_and_sent(chat_factory, runtime):
    guest = Guest(chat_factory, runtime)
    page = guest.page
    expect(page.locator("#chat-attach")).to_be_visible()
    # Refused before any upload: a blocked extension and a type the deployment does not take.
    page.set_input_files("#chat-file", files=[{"name": "tool.exe", "mimeType": "application/x-msdownload",
                                               "buffer": b"MZ"}])
    expect(page.locator("#chat-composer-error")).to_contain_text("tool.exe")
    assert not [f for f in guest.sent() if f.get("action") == "onAttachment"]
    # An allowed image: uploaded, shown as ready, then sent with the message.
    page.set_input_files("#chat-file", files=[{"name": "photo.png", "mimeType": "image/png", "buffer": _png()}])
    item = page.locator("#chat-files .gcw-upload")
    expect(item).to_have_attribute("data-state", "ready", timeout=15_000)
    expect(page.locator("#chat-composer-error")).to_have_text("")
    page.fill("#chat-input", "here is my photo")
    page.press("#chat-input", "Enter")
    mine = page.locator("li.gcw-row--guest", has_text="here is my photo")
    expect(mine).to_have_attribute("data-status", "sent", timeout=10_000)
    expect(mine.locator("img[alt='photo.png']")).to_have_count(1)  # the echo names the file; drawn as an image
    expect(page.locator("#chat-files .gcw-upload")).to_have_count(0)
    frames = guest.sent()
    upload = [f for f in frames if f.get("action") == "onAttachment"][-1]
    assert upload["fileName"] == "photo.png" and upload["fileType"] == "image/png" and upload["fileSize"] > 0
    message = [f for f in frames if f.get("action") == "onMessage" and (f["message"].get("content") or [])][-1]
    assert message["message"]["content"][0]["attachment"]["id"] == upload["attachmentId"]
    # Removed before sending: deleteAttachment.
    page.set_input_files("#chat-file", files=[{"name": "second.png", "mimeType": "image/png", "buffer": _png()}])
    expect(item).to_have_attribute("data-state", "ready", timeout=15_000)
    page.locator(".gcw-upload-remove").click()
    expect(page.locator("#chat-files .gcw-upload")).to_have_count(0)
    guest.wait_for(lambda: [f for f in guest.sent() if f.get("action") == "deleteAttachment"], "a deleteAttachment")


STATES = """window.__uploadStates = [];
new MutationObserver((records) => {
  for (const r of records) {
    for (const n of [r.target, ...(r.addedNodes || [])]) {
      if (n.matches && n.matches('#chat-files .gcw-upload')) window.__uploadStates.push(n.dataset.state);
      if (n.querySelectorAll) for (const m of n.querySelectorAll('#chat-files .gcw-upload')) window.__uploadStates.push(m.dataset.state);
    }
  }
}).observe(document, {subtree: true, childList: true, attributes: true, attributeFilter: ['data-state']});"""


def test_files_refused_by_type_and_size_and_an_upload_that_fails_cancels_or_retries(chat_factory, runtime):
    guest = Guest(chat_factory, runtime)
    page = guest.page
    page.evaluate(STATES)
    error = page.locator("#chat-composer-error")
    page.set_input_files("#chat-file", files=[{"name": "notes.txt", "mimeType": "text/plain", "buffer": b"hello"}])
    expect(error).to_contain_text("notes.txt")
    expect(error).to_contain_text("PNG")  # says what is accepted
    guest.deployment(maxFileSizeKB=1)
    guest.reopen()
    page.evaluate(STATES)
    page.set_input_files("#chat-file", files=[{"name": "big.png", "mimeType": "image/png", "buffer": _png(300, 300)}])
    expect(error).to_contain_text("big.png")
    expect(error).to_contain_text("1 KB")
    assert not [f for f in guest.sent() if f.get("action") == "onAttachment"]
    guest.deployment(maxFileSizeKB=10240)
    guest.reopen()
    page.evaluate(STATES)
    # The first PUT fails: the file says so and offers Retry; the retry goes through.
    puts = []

    def storage(route):
        puts.append(route.request.url)
        if len(puts) == 1:
            return route.fulfill(status=500, body="storage is down")
        if len(puts) == 3:
            return None  # this one never answers: the guest cancels it
        return route.continue_()

    guest.chat.context.route("**/uploads/**", storage)
    page.set_input_files("#chat-file", files=[{"name": "retry.png", "mimeType": "image/png", "buffer": _png(120, 90)}])
    item = page.locator("#chat-files .gcw-upload")
    expect(item).to_have_attribute("data-state", "failed", timeout=15_000)
    item.locator(".gcw-upload-retry").click()
    expect(item).to_have_attribute("data-state", "ready", timeout=15_000)
    states = page.evaluate("window.__uploadStates")
    # (A PUT this small can finish within one frame, so "uploading" may never be drawn here; the
    # stalled upload below is where the progress state is checked.)
    assert "failed" in states and states[-1] == "ready", states
    attempts = [f for f in guest.sent() if f.get("action") == "onAttachment"]
    assert len(attempts) == 2 and attempts[0]["attachmentId"] != attempts[1]["attachmentId"]
    # A stalled upload is cancelled: it leaves the tray and the service is told.
    page.set_input_files("#chat-file", files=[{"name": "stalled.png", "mimeType": "image/png", "buffer": _png()}])
    stalled = page.locator("#chat-files .gcw-upload", has_text="stalled.png")
    expect(stalled).to_have_attribute("data-state", "uploading", timeout=15_000)
    expect(stalled.locator("progress")).to_be_visible()
    stalled.locator(".gcw-upload-cancel").click()
    expect(stalled).to_have_count(0)
    guest.wait_for(lambda: [f for f in guest.sent() if f.get("action") == "deleteAttachment"], "a deleteAttachment")
    expect(page.locator("#chat-files .gcw-upload", has_text="retry.png")).to_have_attribute("data-state", "ready")
