"""The page boots and chats under the strict Content-Security-Policy the proxy sends (docs/security.md):
no 'unsafe-inline', no 'unsafe-eval', only 'wasm-unsafe-eval'; and the browser reports no violation."""
from playwright.sync_api import expect

VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => window.__csp.push(
  [e.violatedDirective, e.blockedURI, (e.sourceFile || "") + ":" + e.lineNumber]));
"""


def _directives(header):
    out = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            out[words[0]] = words[1:]
    return out


def test_the_chat_runs_under_the_strict_policy(chat_factory, runtime):
    chat = chat_factory(runtime)
    chat.page.add_init_script(VIOLATIONS)
    response = chat.page.goto(chat.stack.proxy_url + "/?runtime=" + runtime)
    header = response.headers.get("content-security-policy") or ""
    assert "server" not in response.headers  # `python -m proxy serve` does not name its software
    assert response.headers.get("x-content-type-options") == "nosniff"
    policy = _directives(header)
    assert policy["script-src"] == ["'self'", "'wasm-unsafe-eval'"], header
    assert policy["style-src"] == ["'self'"] and policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"] and policy["base-uri"] == ["'none'"]
    assert "'unsafe-inline'" not in header and "'unsafe-eval'" not in header
    socket_origin = chat.stack.socket_url.rsplit("/", 1)[0]
    assert socket_origin in policy["connect-src"] and chat.stack.emulator_url in policy["connect-src"]
    chat.wait_python()
    page = chat.page
    page.click("#chat-launcher")
    expect(page.locator("#chat-panel")).to_have_attribute("data-status", "ok", timeout=20_000)
    expect(page.locator("li.gcw-row--bot").first).to_be_visible(timeout=15_000)
    for words, shown in (("menu", ".gcw-chip"), ("photo", "li.gcw-row--bot .gcw-image img"),
                         ("markdown", "li.gcw-row--bot .gcw-md strong")):
        page.fill("#chat-input", words)
        page.keyboard.press("Enter")
        expect(page.locator(shown).first).to_be_visible(timeout=15_000)
    page.locator("li.gcw-row--bot .gcw-image img").first.evaluate("img => img.decode()")
    _menu_download_works(page)
    assert page.evaluate("window.__csp") == []
    assert not [line for line in chat.console if "Content Security Policy" in line], chat.console


def _menu_download_works(page):
    with page.expect_download() as download:
        page.click("#chat-menu-button")
        page.click(".gcw-menu-item--download_text")
    assert download.value.suggested_filename.endswith(".txt")
