"""Soak: 1,000 guest and 1,000 agent messages through the real page (MicroPython by default) against
the emulator, with a socket drop about every 50 frames, reordered delivery, 429 bursts and two
page reloads. Prints messages lost and duplicated on each side, and the median time from a drop to
the next guest message confirmed sent.

    .venv/bin/python -m bench.soak [--messages 1000] [--runtime micropython|pyodide]

The guest side keeps the service's real limit of 2 messages a second, so 1,000 messages take at
least ~8.5 minutes. Stops by itself (bounded by --timeout).
"""
import argparse
import json
import shutil
import statistics
import tempfile
import time

import httpx
from playwright.sync_api import sync_playwright

from scripts import stack as stack_mod

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
RECORDER = """
window.__sentAt = {};
new MutationObserver((records) => {
  for (const r of records) {
    const nodes = r.type === "attributes" ? [r.target] : Array.from(r.addedNodes || []);
    for (const n of nodes) {
      if (n.matches && n.matches("li.gcw-row--guest") && n.dataset.status === "sent") {
        const text = n.querySelector(".gcw-text").textContent;
        if (!(text in window.__sentAt)) window.__sentAt[text] = performance.timeOrigin + performance.now();
      }
    }
  }
}).observe(document, {subtree: true, childList: true, attributes: true, attributeFilter: ["data-status"]});
"""


class Soak:
    def __init__(self, args):
        self.args = args
        self.emulator_port, self.proxy_port = stack_mod.free_port(), stack_mod.free_port()
        self.base = "http://127.0.0.1:%d" % self.emulator_port
        self.http = httpx.Client(base_url=self.base, timeout=10)
        self.frames = 0
        self.drops = []  # epoch ms of each drop we caused
        self.sent_at = {}  # guest text -> epoch ms it turned "sent" (merged across reloads)
        self.shown_ever = set()  # every row text any page instance showed
        self.duplicate_rows = 0  # the most duplicate rows one page instance showed
        self.errors = []  # console errors: a Python exception in the page is reported there
        self.unconfirmed = 0  # guest rows still not "sent" when the run ended

    def control(self, path, body=None):
        response = self.http.post("/_emulator/" + path, json=body or {})
        response.raise_for_status()

    def on_frame(self, payload):
        self.frames += 1
        if self.frames % 50 == 0 and self.token:
            self.drops.append(time.time() * 1000)
            self.control("sessions/%s/drop" % self.token, {"closeFrame": len(self.drops) % 2 == 0})

    def open_page(self, context):
        page = context.new_page()
        page.add_init_script(RECORDER)
        page.on("console", lambda message: message.type == "error" and self.errors.append(message.text))
        page.on("websocket", lambda ws: ws.on("framereceived", self.on_frame))
        page.goto("http://127.0.0.1:%d/?runtime=%s" % (self.proxy_port, self.args.runtime))
        page.click("#chat-launcher")
        page.wait_for_function("document.getElementById('chat-panel').dataset.status === 'ok'", timeout=120_000)
        return page

    def harvest(self, page):
        """Before a page goes away: when its guest rows turned sent, and every row it showed."""
        self.sent_at.update(page.evaluate("window.__sentAt"))
        rows = page.locator("#chat-log li .gcw-text").all_inner_texts()
        self.shown_ever.update(rows)
        self.duplicate_rows = max(self.duplicate_rows, len(rows) - len(set(rows)))

    def run(self):
        n = self.args.messages
        emulator = stack_mod.start_emulator(self.emulator_port, bot_delay=0.2, quiet=True)
        proxy = stack_mod.start_proxy(self.proxy_port, self.emulator_port, quiet=True)
        profile = tempfile.mkdtemp(prefix="soak-")
        self.token = None
        try:
            self.control("deployments/" + stack_mod.DEMO_DEPLOYMENT_ID, {"bot": False})
            config = {"deploymentId": stack_mod.DEMO_DEPLOYMENT_ID, "webMessagingUrl": self.base.replace("http", "ws") + "/v1",
                      "apiBaseUrl": self.base, "proxyUrl": ""}
            with sync_playwright() as p:
                context = p.chromium.launch_persistent_context(profile, executable_path=shutil.which("chromium"),
                                                               args=ARGS, headless=True)
                context.route("http://127.0.0.1:%d/config.json" % self.proxy_port, lambda route: route.fulfill(
                    status=200, content_type="application/json", body=json.dumps(config)))
                page = self.open_page(context)
                self.token = page.evaluate("localStorage.getItem('gc-chat:%s:token')" % stack_mod.DEMO_DEPLOYMENT_ID)
                self.control("sessions/%s/agent/join" % self.token, {"firstName": "Soak", "lastName": "Agent"})
                self.control("faults/reorder", {"token": self.token, "window": 3, "seed": 1})
                started = time.time()
                for i in range(n):
                    if i and i % 150 == 0:
                        self.control("faults/inject", {"token": self.token, "action": "onMessage", "code": 429,
                                                       "count": 3, "retryAfter": 1})
                    if i in (n // 3, 2 * n // 3):
                        self.harvest(page)
                        page.close()
                        page = self.open_page(context)
                    if page.locator("#chat-input").is_disabled():
                        page.wait_for_timeout(5000)
                    if page.locator("#chat-input").is_disabled():
                        raise RuntimeError("composer disabled at message %d: %s / %s" % (
                            i, page.inner_text("#chat-status"), page.inner_text("#chat-notice")))
                    page.fill("#chat-input", "g-%04d" % i)
                    page.press("#chat-input", "Enter")
                    self.control("sessions/%s/agent/say" % self.token, {"text": "a-%04d" % i})
                    page.wait_for_timeout(20)
                # Everything typed is in the outbox; wait until the page confirms it all.
                deadline = time.time() + self.args.timeout
                while time.time() < deadline:
                    pending = page.locator("li.gcw-row--guest:not([data-status=sent])").count()
                    if pending == 0:
                        break
                    page.wait_for_timeout(1000)
                page.wait_for_timeout(3000)
                self.unconfirmed = page.locator("li.gcw-row--guest:not([data-status=sent])").count()
                self.harvest(page)
                elapsed = time.time() - started
                context.close()
            transcript = self.http.get("/_emulator/sessions/" + self.token).json()["transcript"]
        finally:
            stack_mod.stop(proxy)
            stack_mod.stop(emulator)
            shutil.rmtree(profile, ignore_errors=True)
        self.report(n, transcript, elapsed)

    def report(self, n, transcript, elapsed):
        guest = ["g-%04d" % i for i in range(n)]
        agent = ["a-%04d" % i for i in range(n)]
        received = [m.get("text") for m in transcript if m.get("direction") == "Inbound" and m.get("type") == "Text"]
        guest_lost = sum(1 for t in guest if t not in set(received))
        guest_dup = sum(received.count(t) - 1 for t in set(received) if t in set(guest) and received.count(t) > 1)
        # An agent message counts as delivered if any page instance showed it (live or from
        # history); a reloaded page shows the last 500 rows and pages older ones on request.
        lost_agent = [t for t in agent if t not in self.shown_ever]
        agent_lost = len(lost_agent)
        sent_times = sorted(self.sent_at.values())
        recover = []
        for drop in self.drops:
            after = [t for t in sent_times if t > drop]
            if after:
                recover.append(after[0] - drop)
        print("soak: %d guest + %d agent messages, %d drops, 2 reloads, %.0f s" % (n, n, len(self.drops), elapsed))
        print("guest -> service: lost %d, duplicated %d" % (guest_lost, guest_dup))
        print("agent -> page:    lost %d, duplicated rows in any page %d" % (agent_lost, self.duplicate_rows))
        if lost_agent:
            print("  not shown by any page: " + " ".join(lost_agent[:40]))
        print("guest rows never confirmed in the page: %d; console errors: %d" % (self.unconfirmed, len(self.errors)))
        for text in self.errors[:5]:
            print("  " + text[:200])
        if recover:
            print("drop -> next guest message sent: median %.0f ms (p90 %.0f ms, n=%d)"
                  % (statistics.median(recover), sorted(recover)[min(len(recover) - 1, int(len(recover) * 0.9))], len(recover)))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--runtime", default="micropython")
    parser.add_argument("--timeout", type=float, default=900)
    Soak(parser.parse_args()).run()


if __name__ == "__main__":
    main()
