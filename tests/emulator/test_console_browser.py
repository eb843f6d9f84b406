"""The agent console in a real headless Chromium (driven over the DevTools protocol).

Needs Debian's Chromium (`make test` installs it); without it these tests fail, never skip. Checks the selectors the end-to-end tests rely on:
select a session, join as "Sam Lee", type, send, disconnect.
"""
import itertools
import json
import pathlib
import shutil
import subprocess
import tempfile
import time

import httpx
import pytest
from websockets.sync.client import connect

from emulator_harness import is_event, is_text

CHROMIUM = next((shutil.which(name) for name in ("chromium", "chromium-browser", "google-chrome")
                 if shutil.which(name)), None)
assert CHROMIUM, "Chromium is missing: run `make test`, which installs Debian's chromium"


class Page:
    def __init__(self, ws_url):
        self.ws = connect(ws_url, legacy=True, max_size=None, open_timeout=10)
        self.ids = itertools.count(1)

    def call(self, method, **params):
        request_id = next(self.ids)
        self.ws.send(json.dumps({"id": request_id, "method": method, "params": params}))
        while True:
            reply = json.loads(self.ws.recv(timeout=10))
            if reply.get("id") == request_id:
                assert "error" not in reply, reply
                return reply["result"]

    def js(self, expression):
        result = self.call("Runtime.evaluate", expression=expression, awaitPromise=True, returnByValue=True)
        assert "exceptionDetails" not in result, result
        return result["result"].get("value")

    def wait_for(self, expression, timeout=5):
        deadline = time.monotonic() + timeout
        while not self.js(expression):
            assert time.monotonic() < deadline, "timed out waiting for: " + expression
            time.sleep(0.05)


@pytest.fixture(scope="module")
def browser():
    profile = tempfile.mkdtemp(prefix="emulator-console-")
    process = subprocess.Popen([CHROMIUM, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                                "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0",
                                "--user-data-dir=" + profile, "about:blank"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        port_file = pathlib.Path(profile, "DevToolsActivePort")
        deadline = time.monotonic() + 20
        while not (port_file.exists() and port_file.read_text().strip()):
            assert time.monotonic() < deadline and process.poll() is None, "Chromium did not start"
            time.sleep(0.05)
        port = int(port_file.read_text().split()[0])
        yield "http://127.0.0.1:%d" % port
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def page(browser):
    target = httpx.put(browser + "/json/new?about:blank").json()
    page = Page(target["webSocketDebuggerUrl"])
    yield page
    page.ws.close()
    httpx.get(browser + "/json/close/" + target["id"])


def test_console_join_type_send_disconnect(emulator, page):
    guest = emulator.guest(origin="http://127.0.0.1:8765")
    guest.configure()
    page.call("Page.navigate", url=emulator.base + "/agent")
    row = '#sessions li[data-token="%s"]' % guest.token
    page.wait_for("!!document.querySelector('%s')" % row)
    assert page.js("document.getElementById('agent-name').value") == "Sam Lee"
    page.js("document.querySelector('%s').click()" % row)
    page.wait_for("!document.getElementById('join').disabled")
    page.js("document.getElementById('join').click()")
    page.wait_for("!document.getElementById('send').disabled")
    assert "Sam Lee" in page.js("document.getElementById('status').textContent")
    assert emulator.session(guest.token)["agent"]["lastName"] == "Lee"

    page.js("const m = document.getElementById('message'); m.value = '<b>Hi</b>, Sam here';"
            "m.dispatchEvent(new Event('input', {bubbles: true}));")
    guest.expect(lambda f: is_event(f, "Typing"))
    page.js("document.getElementById('send').click()")
    said = guest.expect(lambda f: is_text(f, "Human"))
    assert said["body"]["text"] == "<b>Hi</b>, Sam here"
    assert said["body"]["channel"]["from"]["firstName"] == "Sam"
    page.wait_for("document.getElementById('message').value === ''")
    page.wait_for("document.getElementById('transcript').textContent.includes('<b>Hi</b>, Sam here')")
    assert page.js("document.querySelectorAll('#transcript b').length") == 0  # text, never markup

    page.js("document.getElementById('disconnect').click()")
    disconnect = guest.expect(lambda f: is_event(f, "Presence", "Disconnect"))
    assert disconnect["body"]["metadata"]["readOnly"] == "true"
    page.wait_for("document.getElementById('status').textContent.includes('read-only')")
    guest.close()
