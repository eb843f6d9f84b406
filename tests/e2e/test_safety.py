"""Untrusted content never runs, and the panel is accessible in every state (axe-core), in Chromium.

The XSS corpus (tests/e2e/xss_corpus.py: 200+ payloads, 50 unsafe URLs) goes through every field a
message can carry and through the agent's name and avatar. A payload that runs calls
`window.__xss(id)` (or opens a dialog): the recorder fails the test; the DOM check fails it if any
`<script>`, `on*` attribute or `javascript:`/`data:` URL reached the panel.
"""
import httpx
from playwright.sync_api import expect

import axe
import xss_corpus as xc
from test_rich import Guest

# Pyodide draws with the same Python as MicroPython; it gets a sample of kinds to keep the suite short.
KINDS = {"micropython": list(xc.MESSAGE_KINDS), "pyodide": ["text", "card", "date_picker", "attachment"]}


class WatchedGuest(Guest):
    def __init__(self, chat_factory, runtime):
        chat = chat_factory(runtime)
        self.recorder = xc.XssRecorder(chat.page)
        factory = lambda _runtime: chat  # noqa: E731  the same chat, opened by Guest
        super().__init__(factory, runtime)

    def check(self, what):
        problems = self.page.evaluate(xc.DOM_CHECK_JS, "#chat-panel")
        assert problems == [], what + ":\n" + "\n".join(problems[:20])
        assert self.recorder.fired() == [], what + ": " + self.recorder.explain()


NEWEST = "() => { const rows = document.querySelectorAll('#chat-log li.gcw-row'); " \
         "return rows.length ? rows[rows.length - 1].dataset.key : ''; }"
NEW_ROW = "(key) => { const rows = document.querySelectorAll('#chat-log li.gcw-row'); " \
          "return rows.length > 0 && rows[rows.length - 1].dataset.key !== key; }"
CHECK_EVERY = 20  # under dom.WINDOW_ROWS (40): every message is checked while its row is in the page


def _newest(page):
    return page.evaluate(NEWEST)


def test_the_xss_corpus_through_every_field_runs_nothing(chat_factory, runtime):
    guest = WatchedGuest(chat_factory, runtime)
    page = guest.page
    bodies = xc.messages(KINDS[runtime])
    assert len(xc.PAYLOADS) >= 100
    for number, body in enumerate(bodies):
        before = _newest(page)
        guest.bot_says(body.get("text", ""), body.get("content"))
        page.wait_for_function(NEW_ROW, arg=before, timeout=15_000)
        if any(c.get("contentType") == "QuickReply" for c in body.get("content") or ()):
            guest.check("quick replies of message %d" % number)  # they retire with the next message
        elif number % CHECK_EVERY == CHECK_EVERY - 1:
            guest.check("messages up to %d" % number)  # older rows leave the page as new ones come
    guest.check("after %d messages" % len(bodies))
    # The agent's name and avatar are untrusted too.
    for identity in xc.agent_identities()[:6]:
        guest.control("sessions/%s/agent/join" % guest.token, identity)
        before = _newest(page)
        guest.control("sessions/%s/agent/say" % guest.token, {"text": "hello"})
        page.wait_for_function(NEW_ROW, arg=before, timeout=15_000)
    guest.check("after the agents")
    assert page.url.startswith(guest.stack.proxy_url), page.url  # nothing navigated the page away


def test_axe_finds_no_serious_problem_in_any_state(chat_factory):
    guest = Guest(chat_factory, "micropython")
    page = guest.page
    axe.assert_accessible(page, "#chat-panel")  # connected, greeted
    # Every content kind the bot can send.
    guest.deployment(botDelaySeconds=0.05)
    page.fill("#chat-input", "everything")
    page.press("#chat-input", "Enter")
    expect(page.locator(".gcw-quick-replies")).to_be_visible(timeout=30_000)  # the menu comes last
    for selector in (".gcw-card", ".gcw-carousel", ".gcw-datepicker", ".gcw-listpicker", ".gcw-thumb", ".gcw-file",
                     ".gcw-md"):
        expect(page.locator(selector).first).to_be_visible()
    axe.assert_accessible(page, "#chat-panel")
    # Typing.
    guest.control("sessions/%s/agent/typing" % guest.token)
    expect(page.locator("#chat-typing")).to_be_visible()
    axe.assert_accessible(page, "#chat-panel")
    # The image viewer.
    page.locator(".gcw-thumb").first.click()
    expect(page.locator("#chat-lightbox")).to_be_visible()
    axe.assert_accessible(page, "#chat-lightbox")
    page.keyboard.press("Escape")
    # A refused message, and a file in the composer.
    httpx.post(guest.stack.emulator_url + "/_emulator/faults/inject",
               json={"token": guest.token, "action": "onMessage", "code": 4020, "count": 1}, timeout=10).raise_for_status()
    page.fill("#chat-input", "refused")
    page.press("#chat-input", "Enter")
    expect(page.locator("li.gcw-row--guest[data-status=failed]")).to_be_visible(timeout=10_000)
    axe.assert_accessible(page, "#chat-panel")
    # Ended (read-only), with its notice.
    guest.control("sessions/%s/disconnect" % guest.token, {"readOnly": True})
    expect(page.locator("#chat-notice")).to_contain_text("Conversation ended", timeout=10_000)
    axe.assert_accessible(page, "#chat-panel")


def test_axe_finds_no_serious_problem_in_the_unavailable_notice(chat_factory):
    chat = chat_factory("micropython")
    chat.config["deploymentId"] = "00000000-0000-4000-8000-000000000000"
    page = chat.open()
    page.click("#chat-launcher")
    chat.wait_python()
    expect(page.locator("#chat-notice")).to_contain_text("Chat is unavailable right now", timeout=15_000)
    axe.assert_accessible(page, "#chat-panel")
