"""The chat's looks: design tokens from the settings and the deployment, readable colours, the
language in force and the customer's modules. Portable: CPython, MicroPython and Pyodide."""
from app.chat import theme
from app.chat.controller import Controller
from app.chat.lang import fr
from app.chat.strings import t
from tests.unit.fakes import FakePorts

PAGE = "http://127.0.0.1:8765/index.html"
SETTINGS = {"deploymentId": "dep-1", "webMessagingUrl": "ws://127.0.0.1:8766/v1", "apiBaseUrl": "http://127.0.0.1:8766",
            "proxyUrl": ""}


def deployment(color="#ff4f1f", languages=("en-us",), default="en-us"):
    return {"status": "Active", "languages": list(languages), "defaultLanguage": default,
            "messenger": {"styles": {"primaryColor": color}, "apps": {"conversations": {}}}}


def booted(settings=None, dep=None, languages=("en-US",), modules=None):
    ports = FakePorts({"/deployments/dep-1/config.json": (200, dep or deployment()),
                       "8765/config.json": (200, dict(SETTINGS, **(settings or {})))})
    ports.modules = modules or {}
    ctl = Controller(ports)
    ctl.boot(PAGE, list(languages))
    return ctl, ports


class Module:
    def __init__(self, **names):
        for name in names:
            setattr(self, name, names[name])


def test_text_on_the_accent_and_the_accent_as_text_are_readable():
    for color in ("#ff4f1f", "#ffd400", "#0b5fff", "#0f7b5f", "#000000", "#ffffff", "#777777"):
        rgb = theme.parse_hex(color)
        assert theme.contrast(theme.parse_hex(theme.text_on(rgb)), rgb) >= 4.5 or color == "#777777"
        for background in (theme.LIGHT_BG, theme.DARK_BG):
            readable = theme.parse_hex(theme.readable(rgb, theme.parse_hex(background)))
            assert theme.contrast(readable, theme.parse_hex(background)) >= 4.5, (color, background)
    assert theme.parse_hex("#FFF") == (255, 255, 255) and theme.parse_hex("red") is None


def test_tokens_take_the_deployment_colour_then_the_settings():
    got = theme.tokens({}, deployment())
    assert got["--gcw-accent"] == "#ff4f1f" and got["--gcw-accent-text"] == "#000000"
    assert got["--gcw-accent-strong"].startswith("light-dark(#")
    got = theme.tokens({"accent": "#0f7b5f", "radius": "6px", "font": "x; background: url(evil)"}, deployment())
    assert got["--gcw-accent"] == "#0f7b5f" and got["--gcw-accent-text"] == "#ffffff"
    assert got["--gcw-radius"] == "6px" and "--gcw-font" not in got
    assert theme.tokens({}, {}) == {} and theme.scheme({"scheme": "dark"}) == "dark" and theme.scheme({}) == "auto"


def test_the_panel_gets_its_language_and_theme_and_the_host_the_accent():
    ctl, ports = booted({"language": "fr", "theme": {"scheme": "dark"}})
    assert ports.language == ("fr", False)
    tokens, scheme = ports.theme
    assert scheme == "dark" and tokens["--gcw-accent"] == "#ff4f1f"
    assert ports.view.status == fr.STRINGS["status.idle"] != "Ready when you are"
    assert [m for m in ports.host_events("theme")] == [
        {"pychat": 1, "type": "theme", "accent": "#ff4f1f", "accentText": "#000000"}]
    t.use("en")


def test_without_a_setting_the_deployment_then_the_browser_decides():
    ctl, ports = booted(dep=deployment(languages=("en-us", "ar")), languages=("ar-EG", "en"))
    assert ports.language == ("ar", True)
    ctl, ports = booted(dep=deployment(languages=("en-us",)), languages=("fr-FR",))
    assert ports.language == ("en", False)  # the deployment offers English only
    t.use("en")


def test_modules_bring_renderers_words_and_theme_and_a_failing_setup_is_logged():
    seen = []

    def card(props, h, ctx):
        return None

    def setup(chat):
        seen.append(chat)
        raise RuntimeError("oops")

    url = "http://127.0.0.1:8765/custom/brand.py"
    module = Module(RENDERERS={"card": card}, STRINGS={"panel.title": "Talk to Acme"}, THEME={"radius": "2px"},
                    setup=setup)
    ctl, ports = booted({"modules": ["custom/brand.py"]}, modules={url: module})
    assert ports.module_urls == [url] and ports.renderers == {"card": card}
    assert t("panel.title") == "Talk to Acme" and ports.theme[0]["--gcw-radius"] == "2px"
    assert seen == [ctl] and any("setup() failed" in text and "oops" in text for _, text in ports.logged)
    assert ctl.storage is not None  # the chat went on
    t.use("en")

