"""Playwright on Debian's Chromium, against the emulator and the proxy.

Every request the page makes (workers included) must go to 127.0.0.1, and the OAuth client
secret must appear in no response body or socket frame the browser receives: checked after
every test that uses `chat`.
"""
import json
import shutil
import urllib.parse

import pytest
from playwright.sync_api import sync_playwright

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
RUNTIMES = ["micropython", "pyodide"]
READY_TIMEOUT = {"micropython": 20_000, "pyodide": 90_000}
TEXT_TYPES = ("text/", "application/json", "application/javascript", "application/toml")

# Records every data-status a guest bubble goes through, so "pending then sent" is observed even
# when the echo arrives within a millisecond.
STATUS_RECORDER = """
window.__guestStatuses = [];
new MutationObserver((records) => {
  for (const r of records) {
    if (r.type === "attributes" && r.target.matches && r.target.matches("li.gcw-row--guest")) {
      window.__guestStatuses.push([r.target.dataset.key, r.target.dataset.status]);
    }
    for (const n of r.addedNodes || []) {
      if (n.matches && n.matches("li.gcw-row--guest")) window.__guestStatuses.push([n.dataset.key, n.dataset.status]);
    }
  }
}).observe(document, {subtree: true, childList: true, attributes: true, attributeFilter: ["data-status", "class"]});
"""


# Module scope: Playwright's sync API keeps an asyncio loop running on this thread while it is
# open, which would break later tests that call asyncio.run().
@pytest.fixture(scope="module")
def browser():
    executable = shutil.which("chromium") or "/usr/bin/chromium"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Chat:
    """One browser context with the chat page open, plus what it saw on the network."""

    def __init__(self, browser, stack, runtime):
        self.stack = stack
        self.runtime = runtime
        self.context = browser.new_context()
        self.requests = []
        self.responses = []
        self.frames = []
        self.console = []
        self.context.on("request", lambda r: self.requests.append(r.url))
        self.context.on("response", lambda r: self.responses.append(r))
        self.config = {
            "deploymentId": stack.deployment_id,
            "webMessagingUrl": stack.socket_url,
            "apiBaseUrl": stack.emulator_url,
            "proxyUrl": "",
        }
        self.config_status = 200
        # The page's own config.json names the demo ports; tests run the stack on free ports, so
        # they answer config.json themselves (the page still fetches and validates it).
        self.context.route(stack.proxy_url + "/config.json", self._serve_config)
        self.page = self.new_page()

    def _serve_config(self, route):
        if self.config_status != 200:
            return route.fulfill(status=self.config_status, body="not found")
        route.fulfill(status=200, content_type="application/json", body=json.dumps(self.config))

    def new_page(self):
        page = self.context.new_page()
        page.add_init_script(STATUS_RECORDER)
        page.on("console", lambda m: self.console.append(m.type + ": " + m.text))
        page.on("websocket", lambda ws: ws.on("framereceived", lambda payload: self.frames.append(payload)))
        return page

    def open(self, page=None):
        page = page or self.page
        page.goto(self.stack.proxy_url + "/?runtime=" + self.runtime)
        return page

    def wait_python(self, page=None):
        (page or self.page).wait_for_selector("html[data-chat-python=ready]", state="attached",
                                              timeout=READY_TIMEOUT[self.runtime])

    def token(self, page=None):
        return (page or self.page).evaluate(
            "localStorage.getItem('gc-chat:%s:token')" % self.stack.deployment_id)

    def check_network(self):
        leaving = []
        for url in self.requests:
            parsed = urllib.parse.urlparse(url)
            # Browser-internal resources (the PDF viewer's chrome:// and chrome-extension:// files)
            # never touch the network.
            if parsed.scheme in ("data", "blob", "about", "chrome", "chrome-extension"):
                continue
            if parsed.hostname != "127.0.0.1":
                leaving.append(url)
        assert not leaving, "requests left 127.0.0.1: %s" % leaving
        assert self.requests, "the page made no requests at all"
        secret = self.stack.client_secret
        for response in self.responses:
            kind = (response.headers.get("content-type") or "")
            if not kind.startswith(TEXT_TYPES):
                continue
            try:
                body = response.text()
            except Exception:
                continue  # redirects and aborted requests have no body
            assert secret not in body, "client secret in response from %s" % response.url
        for frame in self.frames:
            assert secret not in str(frame), "client secret in a socket frame"

    def close(self):
        self.context.close()


@pytest.fixture(params=RUNTIMES)
def runtime(request):
    return request.param


@pytest.fixture
def chat_factory(browser, emu):
    chats = []

    def make(runtime):
        chat = Chat(browser, emu, runtime)
        chats.append(chat)
        return chat

    yield make
    for chat in chats:
        try:
            chat.check_network()
        finally:
            chat.close()
