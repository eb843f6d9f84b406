"""The worked examples of docs/customising.md, end to end: a brand theme, a Python override of how
cards are drawn (and a broken one that falls back), a French and an Arabic chat; plus dark mode, a
string override and the deployment's primaryColor as the accent."""
import httpx
from playwright.sync_api import expect

import axe


def _open(chat):
    page = chat.open()
    page.click("#chat-launcher")
    chat.wait_python()
    expect(page.locator("#chat-status")).not_to_have_text("Connecting…", timeout=20_000)
    expect(page.locator("li.gcw-row--bot").first).to_be_visible(timeout=15_000)
    return page


def _say(page, text):
    page.fill("#chat-input", text)
    page.keyboard.press("Enter")


def _serve_modules(chat, modules):
    """List {name: source} as the settings' modules, each answered as custom/<name>.py."""
    chat.config["modules"] = ["custom/%s.py" % name for name in modules]
    for name in modules:
        if modules[name] is not None:  # None: left to the proxy (404)
            chat.context.route(chat.stack.proxy_url + "/custom/%s.py" % name, lambda route, request=None, body=modules[name]:
                               route.fulfill(status=200, content_type="text/plain", body=body))


def _css(locator, prop):
    return locator.evaluate("(e, p) => getComputedStyle(e).getPropertyValue(p)", prop)


def test_brand_theme_recolours_the_chat(chat_factory, runtime):
    chat = chat_factory(runtime)
    chat.config["theme"] = {"accent": "#0f7b5f", "radius": "6px", "font": "Georgia, serif"}
    page = _open(chat)
    header = page.locator(".gcw-header")
    expect(header).to_have_css("background-color", "rgb(15, 123, 95)")
    expect(header).to_have_css("color", "rgb(255, 255, 255)")  # white reads best on this green
    _say(page, "hello")
    bubble = page.locator("li.gcw-row--guest .gcw-bubble").first
    expect(bubble).to_have_css("background-color", "rgb(15, 123, 95)")
    expect(bubble).to_have_css("border-top-left-radius", "6px")
    assert "Georgia" in _css(page.locator("#chat-panel"), "font-family")
    axe.assert_accessible(page, "#chat-panel")


def test_a_python_module_draws_cards_its_own_way(chat_factory, runtime):
    chat = chat_factory(runtime)
    chat.config["modules"] = ["custom/example_cards.py"]
    chat.config["stylesheets"] = ["custom/example_cards.css"]
    page = _open(chat)
    _say(page, "card")
    branded = page.locator(".brand-card")
    expect(branded).to_be_visible(timeout=15_000)
    expect(branded.locator(".brand-card-ribbon")).to_have_text("Our pick for you")
    expect(branded.locator(".brand-card-ribbon")).to_have_css("text-transform", "uppercase")  # its CSS arrived
    title = branded.locator(".gcw-card-title").inner_text()  # the default card, wrapped
    branded.locator(".brand-card-more").click()
    expect(page.locator("li.gcw-row--guest", has_text="More like %s, please" % title)).to_be_visible()
    token = chat.token()
    session = httpx.get(chat.stack.emulator_url + "/_emulator/sessions/" + token, timeout=10).json()
    texts = [(f.get("message") or {}).get("text") for f in session["inbound"] if isinstance(f, dict)]
    assert "More like %s, please" % title in texts


def test_a_broken_module_or_override_falls_back_to_the_default_look(chat_factory):
    chat = chat_factory("micropython")
    _serve_modules(chat, {
        "raises": "def card(props, h, ctx):\n    raise RuntimeError('boom')\n\nRENDERERS = {'card': card}\n",
        "does_not_compile": "def (:\n", "missing": None})
    page = _open(chat)
    _say(page, "card")
    expect(page.locator(".gcw-card")).to_be_visible(timeout=15_000)  # the default card
    assert any("render function 'card' failed" in line and "boom" in line for line in chat.console)
    assert any("does_not_compile.py not loaded" in line for line in chat.console)
    assert any("missing.py not loaded" in line and "404" in line for line in chat.console)


def test_a_french_chat_with_a_string_override(chat_factory, runtime):
    chat = chat_factory(runtime)
    chat.config["language"] = "fr"
    chat.config["strings"] = {"fr": {"panel.title": "Parlons-en"}}
    page = _open(chat)
    expect(page.locator("#chat-title")).to_have_text("Parlons-en")
    expect(page.locator("#chat-status")).to_have_text("Connecté")
    expect(page.locator("#chat-send")).to_have_text("Envoyer")
    expect(page.locator("#chat-input")).to_have_attribute("placeholder", "Écrivez un message")
    expect(page.locator("#chat-launcher")).to_contain_text("Discutez avec nous")
    expect(page.locator("#chat-panel")).to_have_attribute("lang", "fr")
    expect(page.locator(".gcw-day").first).to_have_text("Aujourd'hui", ignore_case=True)


def test_an_arabic_chat_is_mirrored(chat_factory, runtime):
    chat = chat_factory(runtime)
    chat.config["language"] = "ar"
    page = _open(chat)
    panel = page.locator("#chat-panel")
    expect(panel).to_have_attribute("dir", "rtl")
    expect(page.locator("#chat-send")).to_have_text("إرسال")
    _say(page, "hello")
    guest = page.locator("li.gcw-row--guest .gcw-bubble").first
    expect(guest).to_be_visible()
    bot = page.locator("li.gcw-row--bot .gcw-bubble").first
    box = panel.bounding_box()
    # Mirrored: the bot speaks from the right, the guest from the left, the close button is on the left.
    assert guest.bounding_box()["x"] - box["x"] < 40
    assert box["x"] + box["width"] - (bot.bounding_box()["x"] + bot.bounding_box()["width"]) < 40
    assert page.locator(".gcw-close").bounding_box()["x"] < page.locator("#chat-title").bounding_box()["x"]
    axe.assert_accessible(page, "#chat-panel")


def test_dark_mode_follows_the_guest_unless_the_settings_fix_it(chat_factory):
    chat = chat_factory("micropython")
    chat.page.emulate_media(color_scheme="dark")
    page = _open(chat)
    expect(page.locator("#chat-panel")).to_have_css("background-color", "rgb(22, 24, 29)")
    expect(page.locator("li.gcw-row--bot .gcw-bubble").first).to_have_css("color", "rgb(230, 232, 238)")
    axe.assert_accessible(page, "#chat-panel")
    chat.config["theme"] = {"scheme": "light"}
    page.reload()
    page.click("#chat-launcher")
    chat.wait_python()
    expect(page.locator("#chat-panel")).to_have_attribute("data-gcw-scheme", "light")
    expect(page.locator("#chat-panel")).to_have_css("background-color", "rgb(255, 255, 255)")


def test_the_deployments_primary_color_is_the_accent(chat_factory):
    chat = chat_factory("micropython")
    page = _open(chat)
    # The emulator's deployment says primaryColor #ff4f1f (Messenger's own default orange).
    expect(page.locator(".gcw-header")).to_have_css("background-color", "rgb(255, 79, 31)")
    expect(page.locator(".gcw-header")).to_have_css("color", "rgb(0, 0, 0)")  # black reads, white would not
    _say(page, "menu")
    chip = page.locator(".gcw-chip").first
    expect(chip).to_be_visible(timeout=15_000)
    expect(chip).to_have_css("color", "rgb(204, 63, 25)")  # the orange darkened to AA contrast on white
    axe.assert_accessible(page, "#chat-panel")


COMPOSER_MODULE = '''
def composer(props, h, ctx):
    """The default composer with a thumbs-up button that sends at once."""
    return h("div", {"class": "brand-composer"},
             ctx.default("composer", props),
             h("button", {"type": "button", "class": "brand-thumbs", "aria-label": "Send a thumbs-up",
                          "on": {"click": lambda event: ctx.act.send("\\U0001F44D")}}, "\\U0001F44D"))


RENDERERS = {"composer": composer}
'''


def test_a_python_module_replaces_the_composer_and_it_still_sends(chat_factory):
    chat = chat_factory("micropython")
    _serve_modules(chat, {"composer": COMPOSER_MODULE})
    page = _open(chat)
    expect(page.locator("#chat-composer .brand-composer #chat-input")).to_be_enabled(timeout=10_000)
    expect(page.locator("#chat-input")).to_have_count(1)
    _say(page, "typed in the new composer")  # Enter, as wired by the page
    expect(page.locator("li.gcw-row--guest", has_text="typed in the new composer")).to_be_visible()
    page.click(".brand-thumbs")
    expect(page.locator("li.gcw-row--guest", has_text="\U0001F44D")).to_be_visible()
    page.fill("#chat-input", "by the Send button")
    page.click("#chat-send")
    expect(page.locator("li.gcw-row--guest", has_text="by the Send button")).to_be_visible()
    expect(page.locator("#chat-input")).to_have_value("")


LAUNCHER_MODULE = '''
def launcher(props, h, ctx):
    count = props.get("unread") or 0
    return h("span", {"class": "brand-launcher"}, "Questions?", h("strong", {"class": "brand-unread"},
                                                                   " (%d new)" % count) if count else None)


RENDERERS = {"launcher": launcher}
'''


def test_a_python_module_draws_the_inline_launcher_with_the_unread_count(chat_factory):
    chat = chat_factory("micropython")
    _serve_modules(chat, {"launcher": LAUNCHER_MODULE})
    page = _open(chat)
    expect(page.locator("#chat-launcher .brand-launcher")).to_have_text("Questions?")
    page.locator(".gcw-close").click()  # closed: what arrives now is unread
    token = chat.token()
    httpx.post(chat.stack.emulator_url + "/_emulator/sessions/%s/bot/say" % token,
               json={"text": "Still there?"}, timeout=10).raise_for_status()
    expect(page.locator("#chat-launcher .brand-unread")).to_have_text("(1 new)", timeout=10_000)
