"""End to end in Debian's Chromium against the emulator, on MicroPython and on Pyodide."""
import re

import httpx
from playwright.sync_api import expect


def _session(stack, token):
    return httpx.get(stack.emulator_url + "/_emulator/sessions/" + token, timeout=10).json()


def test_launch_connect_greet_send_reply_agent_disconnect(chat_factory, runtime):
    chat = chat_factory(runtime)
    page = chat.open()
    page.click("#chat-launcher")
    # The panel is plain HTML: it opens and says so before Python is ready (which may already be
    # connected by the time the click lands: the page starts in about half a second).
    expect(page.locator("#chat-panel")).to_be_visible()
    expect(page.locator("#chat-status")).to_have_text(re.compile("^(Connecting…|Connected)$"))
    chat.wait_python()
    expect(page.locator("#chat-status")).to_have_text("Connected", timeout=20_000)
    # The proxy's wait time shows before the guest writes anything.
    expect(page.locator("#chat-wait")).to_contain_text("Estimated wait", timeout=10_000)

    # autoStart: the bot greets, after showing that it is typing.
    expect(page.locator("#chat-typing")).to_contain_text("typing", timeout=10_000)
    greeting = page.locator("li.gcw-row--bot").first
    expect(greeting).to_be_visible(timeout=10_000)
    expect(greeting.locator(".gcw-badge")).to_have_text("Bot")

    # Send with Enter: pending first, then sent when the echo with our tracingId comes back.
    page.fill("#chat-input", "Hello from the guest")
    page.press("#chat-input", "Enter")
    mine = page.locator("li.gcw-row--guest", has_text="Hello from the guest")
    expect(mine).to_have_attribute("data-status", "sent", timeout=10_000)
    statuses = [s for k, s in page.evaluate("window.__guestStatuses")]
    assert statuses[:1] == ["pending"] and "sent" in statuses, statuses
    expect(page.locator("#chat-input")).to_have_value("")
    expect(page.locator("#chat-wait")).to_be_hidden()

    # The bot types, then replies.
    expect(page.locator("#chat-typing")).to_contain_text("typing", timeout=10_000)
    expect(page.locator("li.gcw-row--bot")).to_have_count(2, timeout=10_000)

    token = chat.token()
    session = _session(chat.stack, token)
    guest_frames = [f for f in session["inbound"] if isinstance(f, dict) and f.get("action") == "onMessage"
                    and (f.get("message") or {}).get("type") == "Text"]
    assert [f["message"]["text"] for f in guest_frames] == ["Hello from the guest"]

    # A person plays the agent in the emulator's console.
    console = chat.context.new_page()
    console.goto(chat.stack.emulator_url + "/agent")
    console.click('li[data-token="%s"]' % token)
    console.fill("#agent-name", "Sam Lee")
    console.click("#join")
    console.fill("#message", "Hi, I'm Sam. How can I help?")
    console.click("#send")
    human = page.locator("li.gcw-row--agent", has_text="How can I help?")
    expect(human).to_be_visible(timeout=10_000)
    expect(human.locator(".gcw-name")).to_have_text(re.compile("Sam"))
    expect(human.locator(".gcw-badge")).to_have_text("Agent")

    console.click("#disconnect")
    expect(page.locator("#chat-input")).to_be_disabled(timeout=10_000)
    expect(page.locator("#chat-send")).to_be_disabled()
    expect(page.locator("#chat-notice")).to_contain_text("Conversation ended")
    expect(page.locator("#chat-status")).to_have_text("Conversation ended")


def test_reload_resumes_the_same_conversation(chat_factory, runtime):
    chat = chat_factory(runtime)
    page = chat.open()
    page.click("#chat-launcher")
    chat.wait_python()
    expect(page.locator("#chat-status")).to_have_text("Connected", timeout=20_000)
    page.fill("#chat-input", "Remember me")
    page.press("#chat-input", "Enter")
    expect(page.locator("li.gcw-row--guest", has_text="Remember me")).to_have_attribute("data-status", "sent",
                                                                                   timeout=10_000)
    token = chat.token()
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", token), token

    expect(page.locator("li.gcw-row--bot")).to_have_count(2, timeout=10_000)  # greeting and reply
    before = page.locator("#chat-log li").all_inner_texts()

    page.reload()
    page.click("#chat-launcher")
    chat.wait_python()
    expect(page.locator("#chat-status")).to_have_text("Connected", timeout=20_000)
    assert chat.token() == token
    expect(page.locator("li.gcw-row--guest", has_text="Remember me")).to_have_count(1)
    page.wait_for_timeout(1000)  # the history catch-up has had time to merge
    after = page.locator("#chat-log li").all_inner_texts()
    assert after == before, (before, after)

    session = _session(chat.stack, token)
    configures = [f for f in session["inbound"] if isinstance(f, dict) and f.get("action") == "configureSession"]
    assert len(configures) == 2 and all(f["token"] == token for f in configures)
    replies = [f for f in session["outbound"] if f.get("class") == "SessionResponse"]
    assert [r["body"].get("newSession") for r in replies] == [True, False]


def _open_and_wait(chat):
    page = chat.open()
    page.click("#chat-launcher")
    chat.wait_python()
    return page


def _guest_told_kindly_and_owner_in_console(chat, page, diagnosis):
    """The guest sees a short, kind notice with a retry; the site owner's diagnosis is in the
    browser console (and in `python -m proxy doctor`), never in the panel."""
    notice = page.locator("#chat-notice")
    expect(notice).to_contain_text("Chat is unavailable right now", timeout=15_000)
    expect(page.locator("#chat-status")).to_have_text("Not connected")
    expect(page.locator("#chat-input")).to_be_disabled()
    shown = notice.inner_text()
    for word in ("Site owner", "allowed domains", "deploymentId", "config.json"):
        assert word not in shown, shown
    assert "Traceback" not in page.inner_text("body")
    page.wait_for_timeout(300)
    assert any(diagnosis in line for line in chat.console), chat.console


def test_missing_settings_file_is_explained(chat_factory):
    chat = chat_factory("micropython")
    chat.config_status = 404
    page = _open_and_wait(chat)
    _guest_told_kindly_and_owner_in_console(chat, page, "settings file could not be loaded")


def test_unknown_deployment_is_explained(chat_factory):
    chat = chat_factory("micropython")
    chat.config["deploymentId"] = "00000000-0000-4000-8000-000000000000"
    page = _open_and_wait(chat)
    _guest_told_kindly_and_owner_in_console(chat, page, "does not know this chat's deployment")
    expect(page.locator("#chat-notice-button")).to_have_text("Try again")


def test_refused_origin_is_explained(chat_factory):
    chat = chat_factory("micropython")
    url = chat.stack.emulator_url + "/_emulator/deployments/" + chat.stack.deployment_id
    httpx.post(url, json={"allowedDomains": ["shop.example.com"], "allowAllDomains": False},
               timeout=10).raise_for_status()
    page = _open_and_wait(chat)
    _guest_told_kindly_and_owner_in_console(chat, page, "allowed domains")
    # The owner fixes the deployment; the guest's "Try again" then connects.
    httpx.post(url, json={"allowAllDomains": True}, timeout=10).raise_for_status()
    page.click("#chat-notice-button")
    expect(page.locator("#chat-status")).to_have_text("Connected", timeout=20_000)


def test_unreachable_server_is_explained(chat_factory):
    from scripts.stack import free_port
    chat = chat_factory("micropython")
    dead = free_port()
    chat.config["webMessagingUrl"] = "ws://127.0.0.1:%d/v1" % dead
    chat.config["apiBaseUrl"] = "http://127.0.0.1:%d" % dead
    page = _open_and_wait(chat)
    expect(page.locator("#chat-notice")).to_contain_text("could not be reached", timeout=15_000)
    expect(page.locator("#chat-status")).to_have_text("Reconnecting…")
    assert "Traceback" not in page.inner_text("body")


def test_message_typed_while_the_socket_drops_arrives_once(chat_factory, runtime):
    chat = chat_factory(runtime)
    page = _open_and_wait(chat)
    expect(page.locator("#chat-status")).to_have_text("Connected", timeout=20_000)
    expect(page.locator("li.gcw-row--bot").first).to_be_visible(timeout=10_000)
    token = chat.token()
    httpx.post(chat.stack.emulator_url + "/_emulator/sessions/%s/drop" % token, json={"closeFrame": False},
               timeout=10).raise_for_status()
    page.fill("#chat-input", "typed during the drop")
    page.press("#chat-input", "Enter")
    mine = page.locator("li.gcw-row--guest", has_text="typed during the drop")
    expect(mine).to_have_attribute("data-status", "sent", timeout=20_000)
    expect(mine).to_have_count(1)
    page.wait_for_timeout(1500)
    transcript = _session(chat.stack, token)["transcript"]
    texts = [m.get("text") for m in transcript if m.get("direction") == "Inbound" and m.get("type") == "Text"]
    assert texts.count("typed during the drop") == 1, texts


# The page's MicroPython, caught as PyScript hands it over (core.js is one module per page, so this
# hook joins boot.js's). Imported once boot.js has added the script element: PyScript reads its
# config as it starts, and without one it would fetch its default interpreter from a CDN.
CATCH_INTERPRETER = """
new MutationObserver((records, observer) => {
  if (!document.querySelector("script[type=mpy]")) return;
  observer.disconnect();
  import("/static/pyscript/core.js").then(({ hooks }) => hooks.main.onReady.add((wrap) => { window.__mp = wrap.interpreter; }));
}).observe(document, {childList: true, subtree: true});
"""


def test_micropython_start_is_tuned_before_pyscripts_own_python(chat_factory):
    # static/boot.js, before PyScript's Python runs: json, os, asyncio... stay in sys.modules, so
    # MicroPython does not search the file system for them at every import; the app's pack is
    # mounted, and PyScript's own package is imported from it, compiled (proxy/pack.py).
    chat = chat_factory("micropython")
    chat.page.add_init_script(CATCH_INTERPRETER)
    page = _open_and_wait(chat)
    expect(page.locator("#chat-status")).to_have_text("Connected", timeout=20_000)
    page.evaluate("""() => window.__mp.runPython(`
import js, sys
js.window.__seen = js.JSON.parse('%s' % __import__('json').dumps({
    "kept": [n for n in ("json", "os", "time", "re", "asyncio", "pathlib") if n in sys.modules],
    "path": sys.path, "pyscript": sys.modules["pyscript"].__file__,
    "leftovers": [n for n in ("_tune", "path", "name", "data") if n in globals()]}))
`)""")
    seen = page.evaluate("window.__seen")
    assert seen["kept"] == ["json", "os", "time", "re", "asyncio", "pathlib"], seen
    # MicroPython's own search order, restored, after the app's pack
    assert seen["path"] == ["/app-pack", "", ".frozen", "/lib"], seen
    assert seen["pyscript"] == "/app-pack/pyscript/__init__.mpy", seen
    assert seen["leftovers"] == [], seen
    assert not [line for line in chat.console if "not tuned" in line], chat.console
