"""A transcript people can read, and a composer that never loses what was typed: in Chromium on
both interpreters, against the emulator."""
import httpx
from playwright.sync_api import expect

from test_rich import Guest

AT_BOTTOM = """() => { const s = document.getElementById('chat-scroll');
  return s.scrollHeight - s.scrollTop - s.clientHeight < 60; }"""


FIRST_IN_VIEW = """() => { const s = document.getElementById('chat-scroll');
  for (const row of document.querySelectorAll('#chat-log li.gcw-row'))
    if (row.offsetTop + row.offsetHeight > s.scrollTop) return [row.dataset.key, row.offsetTop - s.scrollTop];
  return null; }"""
OFFSET_OF = """(key) => { const s = document.getElementById('chat-scroll');
  return document.querySelector('li[data-key="' + key + '"]').offsetTop - s.scrollTop; }"""
ROWS = "() => document.querySelectorAll('#chat-log li.gcw-row').length"
FIRST_CHANGED = "(key) => document.querySelector('#chat-log li.gcw-row').dataset.key !== key"


def _burst(guest, count, start=0, long_every=0):
    for i in range(start, start + count):
        text = "Message %d" % i
        if long_every and i % long_every == 0:
            text += " " + ("a long line of words " * 40)
        guest.bot_says(text)


def test_the_transcript_follows_new_messages_and_offers_a_jump_when_scrolled_up(chat_factory, runtime):
    guest = Guest(chat_factory, runtime)
    page = guest.page
    _burst(guest, 300, long_every=7)  # it used to stop following after a long message, and sit at 1 after 300
    expect(page.locator("li.gcw-row--bot", has_text="Message 299")).to_be_visible(timeout=30_000)
    page.wait_for_function(AT_BOTTOM, timeout=5_000)
    # Days are separated and every text node reads in its own direction.
    expect(page.locator("li.gcw-day").first).to_have_text("Today")
    assert page.locator(".gcw-text[dir=auto], .gcw-md p[dir=auto]").count() >= 40
    # Grouped: one author line for the run of bot messages.
    assert page.locator("li.gcw-row--bot .gcw-author").count() < 5
    # The guest scrolls up to read: new messages do not pull them down; a button offers them.
    page.evaluate("document.getElementById('chat-scroll').scrollTop = 0")
    page.wait_for_timeout(600)  # older rows are drawn from memory above, the place kept
    key, offset = page.evaluate(FIRST_IN_VIEW)
    guest.bot_says("Arrived while reading")
    expect(page.locator("#chat-jump")).to_be_visible(timeout=10_000)
    assert abs(page.evaluate(OFFSET_OF, key) - offset) < 5  # not pulled down
    page.click("#chat-jump")
    page.wait_for_function(AT_BOTTOM, timeout=5_000)
    expect(page.locator("#chat-jump")).to_be_hidden()


def test_a_long_transcript_keeps_only_what_the_guest_scrolled_through_in_the_page(chat_factory, runtime):
    guest = Guest(chat_factory, runtime)
    page = guest.page
    _burst(guest, 150)
    expect(page.locator("li.gcw-row--bot", has_text="Message 149")).to_be_visible(timeout=30_000)
    page.wait_for_function(AT_BOTTOM, timeout=5_000)
    drawn = page.evaluate(ROWS)
    assert 40 <= drawn <= 80, drawn  # the newest rows only (dom.WINDOW_ROWS, up to twice that), not 150
    expect(page.locator("#chat-earlier")).to_be_visible()  # and a way to the others without a mouse
    # Scrolling up draws the older rows from memory, keeping the place, down to the very first.
    for _ in range(20):
        if page.locator("li.gcw-row--bot", has_text="Message 0").count():
            break
        key, offset = page.evaluate("() => { document.getElementById('chat-scroll').scrollTop = 0; return (%s)(); }"
                                    % FIRST_IN_VIEW)
        page.wait_for_function(FIRST_CHANGED, arg=key, timeout=10_000)  # older rows drawn above it
        page.wait_for_timeout(100)
        assert abs(page.evaluate(OFFSET_OF, key) - offset) < 80  # the row read last has not jumped away
    expect(page.locator("li.gcw-row--bot", has_text="Message 0")).to_have_count(1)
    assert 90 <= page.evaluate(ROWS) <= 120  # dom.MAX_DRAWN: the newest ones went as the oldest came
    # A new message meanwhile: the button takes the guest to it, drawing the newest rows again.
    guest.bot_says("While climbing")
    expect(page.locator("#chat-jump")).to_be_visible(timeout=10_000)
    page.click("#chat-jump")
    expect(page.locator("li.gcw-row--bot", has_text="While climbing")).to_be_visible(timeout=10_000)
    page.wait_for_function(AT_BOTTOM, timeout=5_000)
    # Back at the bottom, the next message lets the older rows go again.
    page.wait_for_timeout(200)
    guest.bot_says("After the climb")
    expect(page.locator("li.gcw-row--bot", has_text="After the climb")).to_be_visible(timeout=10_000)
    page.wait_for_function("() => document.querySelectorAll('#chat-log li.gcw-row').length <= 80", timeout=5_000)
    page.wait_for_function(AT_BOTTOM, timeout=5_000)


def test_earlier_messages_load_when_scrolled_to_the_top_keeping_the_place(chat_factory, runtime):
    guest = Guest(chat_factory, runtime)
    page = guest.page
    _burst(guest, 60)
    expect(page.locator("li.gcw-row--bot", has_text="Message 59")).to_be_visible(timeout=15_000)
    # A page of the same session that kept only the newest row: history brings back the newest
    # page (back to that row), and older pages are there to load.
    key = "gc-chat:%s" % guest.stack.deployment_id
    page.wait_for_timeout(1500)  # the transcript is saved at most once a second
    page.evaluate("""(key) => {
      const rows = JSON.parse(localStorage.getItem(key + ':transcript'));
      localStorage.setItem(key + ':transcript', JSON.stringify(rows.slice(-1)));
      localStorage.removeItem(key + ':gaps'); }""", key)
    page.reload()
    page.click("#chat-launcher")
    guest.chat.wait_python()
    expect(page.locator("li.gcw-row--bot", has_text="Message 59")).to_be_visible(timeout=15_000)
    expect(page.locator("li.gcw-row--bot", has_text="Message 40")).to_have_count(1, timeout=15_000)  # page 1
    page.wait_for_timeout(500)
    expect(page.locator("li.gcw-row--bot", has_text="Message 20")).to_have_count(0)
    before = page.locator("li.gcw-row").count()
    first_key = page.locator("li.gcw-row").first.get_attribute("data-key")
    page.evaluate("document.getElementById('chat-scroll').scrollTop = 0")
    page.wait_for_function("(n) => document.querySelectorAll('#chat-log li.gcw-row').length > n", arg=before,
                           timeout=15_000)
    # The row that was first is still where the guest was reading, not pushed out of view.
    offset = page.evaluate("""(key) => {
      const s = document.getElementById('chat-scroll');
      const row = document.querySelector('li[data-key="' + key + '"]');
      return row.offsetTop - s.scrollTop; }""", first_key)
    assert -80 < offset < 200, offset


def test_the_composer_counts_down_near_the_limit_and_never_drops_text(chat_factory, runtime):
    guest = Guest(chat_factory, runtime)
    page = guest.page
    page.fill("#chat-input", "é" * 1990)  # 3,980 bytes
    expect(page.locator("#chat-count")).to_have_text("116 left")
    page.fill("#chat-input", "x" * 4100)
    expect(page.locator("#chat-count")).to_have_text("4 too many")
    expect(page.locator("#chat-send")).to_be_disabled()
    page.press("#chat-input", "Enter")
    assert len(page.input_value("#chat-input")) == 4100  # kept, not cleared
    page.fill("#chat-input", "short again")
    expect(page.locator("#chat-count")).to_be_hidden()
    expect(page.locator("#chat-send")).to_be_enabled()


def test_a_refused_message_can_be_retried_or_taken_back(chat_factory, runtime):
    guest = Guest(chat_factory, runtime)
    page = guest.page
    guest.deployment(showUserTypingIndicator=False)  # only the messages meet the injected errors
    guest.reopen()
    httpx.post(guest.stack.emulator_url + "/_emulator/faults/inject",
               json={"token": guest.token, "action": "onMessage", "code": 4020, "count": 2}, timeout=10).raise_for_status()
    page.fill("#chat-input", "first try")
    page.press("#chat-input", "Enter")
    failed = page.locator("li.gcw-row--guest[data-status=failed]", has_text="first try")
    expect(failed).to_be_visible(timeout=10_000)
    expect(failed.locator(".gcw-state")).to_have_text("Not sent")
    failed.locator(".gcw-take-back").click()
    expect(page.locator("#chat-input")).to_have_value("first try")
    expect(page.locator("li.gcw-row--guest", has_text="first try")).to_have_count(0)
    page.press("#chat-input", "Enter")
    failed = page.locator("li.gcw-row--guest[data-status=failed]", has_text="first try")
    expect(failed).to_be_visible(timeout=10_000)
    failed.locator(".gcw-retry").click()
    expect(page.locator("li.gcw-row--guest", has_text="first try")).to_have_attribute("data-status", "sent",
                                                                                    timeout=10_000)
    expect(page.locator("li.gcw-row--guest", has_text="first try")).to_have_count(1)


def test_typing_names_the_bot(chat_factory, runtime):
    guest = Guest(chat_factory, runtime)
    page = guest.page
    guest.control("sessions/%s/agent/typing" % guest.token)
    expect(page.locator("#chat-typing")).to_have_text("Demo Bot is typing…", timeout=5_000)
