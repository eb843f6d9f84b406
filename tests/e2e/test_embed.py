"""The chat embedded in someone else's page with the snippet (static/pychat-v1.js).

The host page is served from another origin (another port) than the chat's files; the chat
runs in its frame against the emulator. Covers the gcw-demo-host API and events, the origin checks
both ways, a start that fails quietly, and CSS isolation in both directions.
"""
import json
import tempfile

import httpx
import pytest
from playwright.sync_api import expect

from conftest import READY_TIMEOUT
from scripts import stack as stack_mod

HOSTILE_CSS = """
* { font-family: "Comic Sans MS", cursive !important; letter-spacing: 3px !important; }
button { background: rgb(0, 255, 0) !important; border: 5px solid black !important; }
iframe { border: 10px solid red; }
body { margin: 17px; background: rgb(250, 240, 230); color: rgb(20, 30, 40); }
"""

SNIPPET = """<script>
window.events = [];
window.pychat = window.pychat || function () { (pychat.q = pychat.q || []).push(arguments); };
pychat("init", %(options)s);
["ready", "opened", "closed", "message", "unread", "ended", "error"].forEach(function (name) {
  pychat("on", name, function (detail) { window.events.push([name, detail]); });
});
</script>
<script async src="%(chat)s/static/pychat-v1.js"></script>"""

PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Host site</title>
<style>%(css)s</style></head><body>
<h1>Host site</h1><p id="para">Some content</p><button id="own">Host button</button>
<div id="banner" style="position:fixed;bottom:0;left:0;right:0;height:90px;z-index:10;background:#333">Cookies</div>
%(body)s
</body></html>"""

# Computed styles of the host's own elements, to compare with and without the chat.
HOST_STYLES = """() => [document.body, document.querySelector('h1'), document.querySelector('#para'),
  document.querySelector('#own')].map(e => { const s = getComputedStyle(e);
  return [s.fontFamily, s.color, s.backgroundColor, s.margin, s.letterSpacing, s.fontSize, s.border].join('|'); })"""


class HostSite:
    """A static server on its own port: the 'other origin' that embeds the chat."""

    def __init__(self, port=0):
        self.dir = tempfile.mkdtemp(prefix="host-site-")
        self.server = stack_mod.serve_folder(self.dir, port)
        self.origin = self.server.origin

    def page(self, name, body, css=HOSTILE_CSS):
        with open(self.dir + "/" + name, "w") as handle:
            handle.write(PAGE % {"css": css, "body": body})
        return self.origin + "/" + name

    def close(self):
        self.server.shutdown()


@pytest.fixture(scope="module")
def host_site(stack):
    site = HostSite(stack.host_port)  # the one other site the chat's frame-ancestors allows
    yield site
    site.close()


def _snippet(chat_url, **options):
    return SNIPPET % {"options": json.dumps(options), "chat": chat_url}


def _events(page, name=None):
    events = page.evaluate("window.events")
    return [e for e in events if name is None or e[0] == name]


def _wait_event(page, name, timeout, predicate=lambda detail: True):
    page.wait_for_function("([n]) => window.events.some(e => e[0] === n)", arg=[name], timeout=timeout)
    for _ in range(100):
        found = [d for n, d in _events(page) if n == name and predicate(d)]
        if found:
            return found[-1]
        page.wait_for_timeout(100)
    raise AssertionError("no %s event matching; events: %s" % (name, _events(page)))


def _session_inbound(stack, token):
    session = httpx.get(stack.emulator_url + "/_emulator/sessions/" + token, timeout=10).json()
    return [f for f in session["inbound"] if isinstance(f, dict)]


def test_snippet_embeds_the_chat_with_its_api_and_events(chat_factory, runtime, host_site):
    chat = chat_factory(runtime)
    chat.config["embed"] = {"hosts": [host_site.origin]}
    page = chat.page
    url = host_site.page("embed-%s.html" % runtime, _snippet(chat.stack.proxy_url, runtime=runtime))
    page.goto(url)
    if runtime == "pyodide":  # its default: nothing of the chat loads until the guest opens it
        page.wait_for_selector("pychat-widget", state="attached")
        page.wait_for_timeout(1000)
        assert page.locator("pychat-widget iframe").get_attribute("src") is None
    else:  # preloaded once the host page is idle
        _wait_event(page, "ready", READY_TIMEOUT[runtime])
    launcher = page.locator("pychat-widget .launcher")
    expect(launcher).to_have_attribute("aria-label", "Chat with us")
    # Above the host's cookie banner (z-index 10): the launcher is what a click there hits.
    box = launcher.bounding_box()
    hit = page.evaluate("([x, y]) => { const e = document.elementFromPoint(x, y); return e && e.tagName; }",
                        [box["x"] + box["width"] / 2, box["y"] + box["height"] / 2])
    assert hit == "PYCHAT-WIDGET"
    frame_el = page.locator("pychat-widget iframe")
    # Closed: laid out (so opening it is quick) but not shown, and it covers nothing: a click where
    # it will be reaches the host page.
    expect(frame_el).to_be_hidden()
    area = frame_el.bounding_box()
    if area is not None:
        hit = page.evaluate("([x, y]) => { const e = document.elementFromPoint(x, y); return e && e.tagName; }",
                            [area["x"] + area["width"] / 2, area["y"] + area["height"] / 2])
        assert hit != "PYCHAT-WIDGET", hit

    launcher.click()
    _wait_event(page, "opened", 5000)
    assert frame_el.bounding_box()["width"] > 300
    _wait_event(page, "ready", READY_TIMEOUT[runtime])
    frame = page.frame_locator("pychat-widget iframe")
    expect(frame.locator("#chat-status")).to_have_text("Connected", timeout=20_000)
    expect(frame.locator("li.gcw-row--bot").first).to_be_visible(timeout=10_000)
    greeting = _wait_event(page, "message", 10_000)
    assert greeting["side"] == "bot" and greeting["text"]
    token = page.frames[1].evaluate("localStorage.getItem('gc-chat:%s:token')" % chat.stack.deployment_id)
    assert token, "the session token lives in the chat host's storage"
    assert page.evaluate("localStorage.length") == 0, "nothing of the chat in the host page's storage"

    # The guest closes the panel from inside the frame: the host hears `closed`, the frame hides.
    frame.locator(".gcw-close").click()
    _wait_event(page, "closed", 5000)
    expect(frame_el).to_be_hidden()

    # The API while closed: attributes ride with the next message; the reply counts as unread.
    page.evaluate("pychat('setAttributes', {plan: 'gold', visits: 3})")
    page.evaluate("pychat('send', 'hello from the host page')")
    unread = _wait_event(page, "unread", 15_000, lambda d: d["count"] >= 1)
    expect(page.locator("pychat-widget .badge")).to_have_text(str(unread["count"]))
    sent = [f for f in _session_inbound(chat.stack, token) if (f.get("message") or {}).get("text") ==
            "hello from the host page"]
    assert sent and sent[0]["message"]["channel"]["metadata"]["customAttributes"] == {"plan": "gold", "visits": "3"}

    page.evaluate("pychat.open()")
    _wait_event(page, "unread", 5000, lambda d: d["count"] == 0)
    expect(page.locator("pychat-widget .badge")).to_be_hidden()
    expect(frame.locator("li.gcw-row--guest", has_text="hello from the host page")).to_be_visible()
    page.evaluate("pychat.toggle()")
    expect(frame_el).to_be_hidden()
    assert [n for n, _ in _events(page)].count("ready") == 1
    assert not _events(page, "error")
    chat.check_network()


def test_a_page_not_listed_gets_no_chat_and_foreign_messages_are_ignored(chat_factory, host_site):
    chat = chat_factory("micropython")
    chat.config["embed"] = {"hosts": ["https://somewhere-else.example"]}
    page = chat.page
    url = host_site.page("unlisted.html", _snippet(chat.stack.proxy_url, startTimeout=6000))
    page.goto(url)
    error = _wait_event(page, "error", 20_000)
    assert "embed" in error["reason"] and host_site.origin in error["reason"]
    launcher = page.locator("pychat-widget .launcher")
    expect(launcher).to_have_text("Chat unavailable")
    expect(launcher).to_be_disabled()
    assert any("chat unavailable" in line for line in chat.console)
    assert not _events(page, "ready")
    # The frame said hello only to the listed origin, so no session was ever started.
    assert not httpx.get(chat.stack.emulator_url + "/_emulator/sessions", timeout=10).json()["sessions"]


def test_commands_from_a_foreign_origin_reach_nothing(chat_factory, host_site):
    """An unlisted page frames the chat itself and commands it; a foreign frame in the host page
    pretends to be the chat. Both are ignored."""
    chat = chat_factory("micropython")
    chat.config["embed"] = {"hosts": ["https://somewhere-else.example"]}
    page = chat.page
    frame_url = chat.stack.proxy_url + "/index.html?embed=1&runtime=micropython"
    body = """<iframe id="chat" src="%s"></iframe><script>
      window.events = [];
      const f = document.getElementById("chat");
      f.addEventListener("load", () => setInterval(() => {
        for (const m of [{type: "init", options: {}}, {type: "open"}, {type: "send", text: "forged"}])
          f.contentWindow.postMessage(Object.assign({pychat: 1}, m), "%s");
      }, 300));
    </script>""" % (frame_url, chat.stack.proxy_url)
    page.goto(host_site.page("forger.html", body))
    chat.wait_python(page.frames[1])
    page.wait_for_timeout(2500)
    assert any("ignored a message from " + host_site.origin in line for line in chat.console)
    assert not httpx.get(chat.stack.emulator_url + "/_emulator/sessions", timeout=10).json()["sessions"]

    # The other direction: the real chat is embedded, and a frame from a third origin (the
    # emulator's) posts chat-shaped events to the host page. The loader hears only its frame.
    chat.config["embed"] = {"hosts": [host_site.origin]}
    fake = chat.stack.emulator_url + "/_emulator/frames"
    body = _snippet(chat.stack.proxy_url) + """<iframe id="fake" src="%s"></iframe>""" % fake
    page.goto(host_site.page("spoofed.html", body))
    _wait_event(page, "ready", READY_TIMEOUT["micropython"])
    fake_frame = [f for f in page.frames if f.url.startswith(chat.stack.emulator_url)][0]
    fake_frame.evaluate("""() => { for (const t of ["message", "unread", "ended", "error", "hide"])
        parent.postMessage({pychat: 1, type: t, text: "spoofed", count: 42}, "*"); }""")
    page.wait_for_timeout(500)
    assert [n for n, _ in _events(page)] == ["ready"]
    expect(page.locator("pychat-widget .badge")).to_be_hidden()


def test_a_failing_start_shows_nothing_on_the_host_page_and_styles_do_not_cross(chat_factory, host_site):
    chat = chat_factory("micropython")
    page = chat.page
    plain = host_site.page("plain.html", "")
    page.goto(plain)
    before = page.evaluate(HOST_STYLES)
    sheets = page.evaluate("document.styleSheets.length")

    # A chat URL with nothing behind it: after the timeout a quiet launcher label, a console line.
    broken = host_site.page("broken.html", _snippet(chat.stack.proxy_url + "/nowhere/", startTimeout=3000)
                            .replace(chat.stack.proxy_url + "/nowhere//static", chat.stack.proxy_url + "/static"))
    page.goto(broken)
    _wait_event(page, "error", 15_000)
    expect(page.locator("pychat-widget .launcher")).to_have_text("Chat unavailable")
    assert page.evaluate("document.querySelectorAll('.py-error, .mpy-error, [class*=error]').length") == 0
    assert page.evaluate(HOST_STYLES) == before

    # A working chat: the host page's own elements look exactly as without it, no style sheet was
    # added to it, and the hostile host CSS reaches neither the launcher nor the chat's frame.
    chat.config["embed"] = {"hosts": [host_site.origin]}
    page.goto(host_site.page("styled.html", _snippet(chat.stack.proxy_url)))
    _wait_event(page, "ready", READY_TIMEOUT["micropython"])
    assert page.evaluate(HOST_STYLES) == before
    assert page.evaluate("document.styleSheets.length") == sheets
    launcher = page.locator("pychat-widget .launcher")
    # The chat's own accent (the deployment's primaryColor, once the chat has read it), not the host's lime.
    expect(launcher).to_have_css("background-color", "rgb(255, 79, 31)")
    assert launcher.evaluate("e => getComputedStyle(e).letterSpacing") == "normal"
    launcher.click()
    frame = page.frame_locator("pychat-widget iframe")
    title = frame.locator("#chat-title")
    expect(title).to_have_text("Chat with us")
    embedded_font = title.evaluate("e => getComputedStyle(e).fontFamily")
    assert "Comic" not in embedded_font
    assert page.locator("pychat-widget iframe").evaluate("e => getComputedStyle(e).borderTopWidth") == "0px"
    direct = chat.new_page()
    chat.open(direct)
    assert direct.locator("#chat-title").evaluate("e => getComputedStyle(e).fontFamily") == embedded_font


RECORD_NOTIFICATIONS = """
(() => {
  window.__notes = [];
  const Real = window.Notification;
  function Recorded(title, options) { window.__notes.push([title, options && options.body]); return new Real(title, options); }
  Object.defineProperty(Recorded, "permission", { get: () => Real.permission });
  Recorded.requestPermission = (...args) => Real.requestPermission(...args);
  window.Notification = Recorded;
})();
"""


def test_embedded_focus_escape_title_and_notifications_through_the_host(chat_factory, runtime, host_site):
    chat = chat_factory(runtime)
    chat.config["embed"] = {"hosts": [host_site.origin]}
    chat.context.grant_permissions(["notifications"], origin=host_site.origin)
    page = chat.page
    page.add_init_script(RECORD_NOTIFICATIONS)
    page.goto(host_site.page("embed-attention-%s.html" % runtime, _snippet(chat.stack.proxy_url, runtime=runtime)))
    launcher = page.locator("pychat-widget .launcher")
    launcher.click()
    _wait_event(page, "ready", READY_TIMEOUT[runtime])
    frame = page.frame_locator("pychat-widget iframe")
    expect(frame.locator("#chat-status")).to_have_text("Connected", timeout=20_000)
    expect(frame.locator("#chat-input")).to_be_focused(timeout=5_000)  # focus went into the chat
    # notifications: asked for and shown by the host page (a frame may do neither)
    frame.locator("#chat-menu-button").click()
    frame.locator(".gcw-menu-item--notify_off").click()
    frame.locator("#chat-menu-button").click()
    expect(frame.locator(".gcw-menu-item--notify_on")).to_have_text("Turn off notifications", timeout=5_000)
    frame.locator("#chat-menu-button").press("Escape")  # closes the menu
    expect(frame.locator(".gcw-menu-list")).to_be_hidden()
    frame.locator("#chat-input").press("Escape")  # closes the chat; focus back on the host's launcher
    _wait_event(page, "closed", 5000)
    expect(page.locator("pychat-widget iframe")).to_be_hidden()
    assert page.evaluate("document.querySelector('pychat-widget').shadowRoot.activeElement.className") == "launcher"
    token = page.frames[1].evaluate("localStorage.getItem('gc-chat:%s:token')" % chat.stack.deployment_id)
    session = chat.stack.emulator_url + "/_emulator/sessions/" + token
    httpx.post(session + "/agent/join", json={"firstName": "Sam"}, timeout=10).raise_for_status()
    httpx.post(session + "/agent/say", json={"text": "Your order shipped."}, timeout=10).raise_for_status()
    _wait_event(page, "unread", 15_000, lambda d: d["count"] == 1)
    expect(page).to_have_title("(1) Host site")
    expect(launcher).to_have_attribute("aria-label", "Chat with us, 1 unread message")
    page.wait_for_function("() => window.__notes.length === 1")
    assert page.evaluate("window.__notes") == [["New message from Sam", "You have a new message in the chat."]]
    launcher.click()
    _wait_event(page, "unread", 5000, lambda d: d["count"] == 0)
    expect(page).to_have_title("Host site")


def test_a_site_the_policy_does_not_name_cannot_frame_the_chat(chat_factory):
    """frame-ancestors: only the chat itself and its embed hosts may frame it, so an unlisted site
    never even runs the chat's code (the loader gives up quietly after startTimeout)."""
    chat = chat_factory("micropython")
    other = HostSite()  # a port the chat's Content-Security-Policy does not list
    try:
        chat.config["embed"] = {"hosts": [other.origin]}  # the settings alone do not let it in
        page = chat.page
        page.goto(other.page("framed.html", _snippet(chat.stack.proxy_url, startTimeout=5000)))
        error = _wait_event(page, "error", 20_000)
        assert "did not answer" in error["reason"]
        frame = page.frames[1] if len(page.frames) > 1 else None
        assert frame is None or frame.evaluate("() => document.documentElement.dataset.chatPython") is None
        response = httpx.get(chat.stack.proxy_url + "/", timeout=10)
        ancestors = [d for d in response.headers["content-security-policy"].split(";") if "frame-ancestors" in d][0]
        assert "http://127.0.0.1:%d" % chat.stack.host_port in ancestors and other.origin not in ancestors
    finally:
        other.close()
