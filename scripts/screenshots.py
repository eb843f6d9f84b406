"""Screenshots of each content kind, at 1280x800 and 375x667, into docs/screenshots/.

    .venv/bin/python -m scripts.screenshots

Runs the emulator and the proxy on free ports, opens the chat in Debian's Chromium, asks the demo
bot for each kind by keyword (or drives the composer), and saves `<kind>-<width>.png`.
"""
import datetime
import json
import os
import shutil
import tempfile

import httpx
from playwright.sync_api import sync_playwright

from emulator.static_bot import photo_png
from scripts import stack as stack_mod

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "docs", "screenshots")
SIZES = ((1280, 800), (375, 667))
# name -> what the guest types (the demo bot answers each with that content kind)
KEYWORDS = [("markdown", "markdown"), ("quick-replies", "menu"), ("card", "card"), ("carousel", "carousel"),
            ("date-picker", "date"), ("list-picker", "list"), ("image", "photo"), ("file", "pdf")]
# docs/customising.md's examples, and dark mode: name -> (settings added, what the guest types, colour scheme)
LOOKS = [
    ("theme-brand", {"theme": {"accent": "#0f7b5f", "radius": "6px", "font": "Georgia, serif"}}, "menu", "light"),
    ("cards-python", {"modules": ["custom/example_cards.py"], "stylesheets": ["custom/example_cards.css"]}, "card",
     "light"),
    ("french", {"language": "fr"}, "menu", "light"),
    ("arabic", {"language": "ar"}, "menu", "light"),
    ("dark", {}, "menu", "dark"),
]
HOST_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Example Outfitters</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body { margin: 0; font: 17px/1.6 Georgia, serif; color: #2b2118; background: #fbf7f1; }
header { padding: 1.2rem 2rem; background: #2b2118; color: #fbf7f1; } main { padding: 1rem 2rem; max-width: 40rem; }</style>
</head><body><header><strong>Example Outfitters</strong></header><main><h1>Spring collection</h1>
<p>A host site on another origin. The chat comes in through the snippet and runs in its own frame.</p></main>
<script>window.pychat = window.pychat || function () { (pychat.q = pychat.q || []).push(arguments); };
pychat("init", {});</script><script async src="%s/static/pychat-v1.js"></script></body></html>"""


def _open(browser, size, proxy_url, config, scheme="light"):
    context = browser.new_context(viewport={"width": size[0], "height": size[1]}, color_scheme=scheme)
    context.route(proxy_url + "/config.json", lambda r: r.fulfill(status=200, content_type="application/json",
                                                                  body=json.dumps(config)))
    page = context.new_page()
    page.goto(proxy_url + "/")
    page.click("#chat-launcher")
    page.wait_for_selector("#chat-panel[data-status=ok]", timeout=30_000)
    page.wait_for_selector("li.gcw-row--bot", timeout=15_000)
    return context, page


def _ask(page, words):
    before = page.locator("li.gcw-row--bot").count()
    page.fill("#chat-input", words)
    page.press("#chat-input", "Enter")
    page.wait_for_function("(n) => document.querySelectorAll('li.gcw-row--bot').length > n", arg=before,
                           timeout=15_000)
    page.wait_for_timeout(600)  # images decode, the view settles at the bottom


def _embedded(browser, size, proxy_url, config, host_port):
    """A host site on another origin with the snippet, the chat opened and asked for the menu."""
    folder = tempfile.mkdtemp(prefix="screens-host-")
    with open(os.path.join(folder, "host.html"), "w") as handle:
        handle.write(HOST_PAGE % proxy_url)
    server = stack_mod.serve_folder(folder, host_port)
    host = server.origin
    try:
        context = browser.new_context(viewport={"width": size[0], "height": size[1]})
        embedded = dict(config, embed={"hosts": [host]})
        context.route(proxy_url + "/config.json", lambda r: r.fulfill(status=200, content_type="application/json",
                                                                      body=json.dumps(embedded)))
        page = context.new_page()
        page.goto(host + "/host.html")
        page.locator("pychat-widget .launcher").click()
        frame = page.frame_locator("pychat-widget iframe")
        frame.locator("#chat-panel[data-status=ok]").wait_for(timeout=30_000)
        frame.locator("li.gcw-row--bot").first.wait_for(timeout=15_000)
        frame.locator("#chat-input").fill("menu")
        frame.locator("#chat-input").press("Enter")
        frame.locator(".gcw-chip").first.wait_for(timeout=15_000)
        page.wait_for_timeout(600)
        path = os.path.join(OUT, "embedded-%d.png" % size[0])
        page.screenshot(path=path)
        context.close()
        return path
    finally:
        server.shutdown()
        shutil.rmtree(folder, ignore_errors=True)


PRECHAT = {"fields": [
    {"name": "name", "label": "Your name", "required": True, "autocomplete": "name"},
    {"name": "email", "label": "Email", "type": "email", "required": True, "autocomplete": "email"},
    {"name": "topic", "label": "Topic", "type": "select", "options": ["Billing", "Delivery", "Something else"]},
    {"name": "question", "label": "How can we help?", "type": "textarea", "message": True}]}


def _guest_states(browser, size, proxy_url, emulator_url, config):
    """The pre-chat form (with what is missing), unread replies and the divider, the menu, End chat
    confirmed and ended, and the expiry countdown."""
    written = []
    width = size[0]

    def shot(page, name):
        page.wait_for_timeout(400)
        path = os.path.join(OUT, "%s-%d.png" % (name, width))
        page.screenshot(path=path)
        written.append(path)

    context = browser.new_context(viewport={"width": width, "height": size[1]})
    form_config = dict(config, prechat=PRECHAT)
    context.route(proxy_url + "/config.json", lambda r, request=None: r.fulfill(
        status=200, content_type="application/json", body=json.dumps(form_config)))
    page = context.new_page()
    page.goto(proxy_url + "/")
    page.wait_for_selector("html[data-chat-python=ready]", state="attached", timeout=30_000)
    page.click("#chat-launcher")
    page.wait_for_selector(".gcw-prechat", timeout=15_000)
    page.fill("#gcw-pre-name", "Ada Lovelace")
    page.click(".gcw-prechat-start")
    page.wait_for_selector("#gcw-pre-email-error")
    shot(page, "prechat")
    context.close()

    # closed, from the proxy's /api/context (its open hours come from Architect's schedule groups)
    context = browser.new_context(viewport={"width": width, "height": size[1]}, timezone_id="Europe/Dublin")
    opens = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=2)).replace(
        hour=9, minute=0, second=0, microsecond=0)
    closed = {"hours": {"status": "ok", "open": False, "reason": "outside", "timeZone": "Europe/Dublin",
                        "nextChange": {"at": opens.isoformat().replace("+00:00", "Z"), "open": True}},
              "agents": {"status": "ok", "available": 0}}
    context.route(proxy_url + "/config.json", lambda r, request=None: r.fulfill(
        status=200, content_type="application/json", body=json.dumps(config)))
    context.route(proxy_url + "/api/context", lambda r, request=None: r.fulfill(
        status=200, content_type="application/json", body=json.dumps(closed)))
    page = context.new_page()
    page.goto(proxy_url + "/")
    page.click("#chat-launcher")
    page.wait_for_selector("#chat-wait .gcw-availability", timeout=30_000)
    page.wait_for_selector("li.gcw-row--bot", timeout=15_000)
    shot(page, "hours-closed")
    context.close()

    context, page = _open(browser, size, proxy_url, config)
    token = page.evaluate("localStorage.getItem('gc-chat:%s:token')" % stack_mod.DEMO_DEPLOYMENT_ID)
    page.click(".gcw-close")
    session = emulator_url + "/_emulator/sessions/" + token
    httpx.post(session + "/agent/join", json={"firstName": "Sam", "lastName": "Lee", "nickname": "Sam"},
               timeout=10).raise_for_status()
    for text in ("Hi, I'm Sam from the delivery team.", "Your parcel left the depot this morning."):
        httpx.post(session + "/agent/say", json={"text": text}, timeout=10).raise_for_status()
    page.wait_for_selector("#chat-launcher .gcw-launcher-badge:not([hidden])", timeout=15_000)
    shot(page, "unread")
    page.click("#chat-launcher")
    page.wait_for_selector("li.gcw-divider")
    shot(page, "divider")
    page.click("#chat-menu-button")
    shot(page, "menu")
    page.click(".gcw-menu-item--end")
    page.wait_for_selector(".gcw-confirm")
    shot(page, "confirm-end")
    page.click("#chat-confirm-yes")
    page.wait_for_selector("#chat-notice[data-kind=ended]")
    shot(page, "ended")
    context.close()

    deployment = emulator_url + "/_emulator/deployments/" + stack_mod.DEMO_DEPLOYMENT_ID
    httpx.post(deployment, json={"sessionDurationSeconds": 296}, timeout=10).raise_for_status()
    try:
        context, page = _open(browser, size, proxy_url, config)
        page.wait_for_selector("#chat-notice[data-kind=expiry]", timeout=15_000)
        shot(page, "expiry")
        context.close()
    finally:
        httpx.post(deployment, json={"sessionDurationSeconds": 259200}, timeout=10).raise_for_status()
    return written


def main():
    os.makedirs(OUT, exist_ok=True)
    emulator_port, proxy_port, host_port = stack_mod.free_port(), stack_mod.free_port(), stack_mod.free_port()
    emulator = stack_mod.start_emulator(emulator_port, bot_delay=0.2, quiet=True)
    proxy = stack_mod.start_proxy(proxy_port, emulator_port, quiet=True,
                                  env_extra={"CHAT_FRAME_ANCESTORS": "http://127.0.0.1:%d" % host_port})
    emulator_url = "http://127.0.0.1:%d" % emulator_port
    proxy_url = "http://127.0.0.1:%d" % proxy_port
    config = {"deploymentId": stack_mod.DEMO_DEPLOYMENT_ID, "webMessagingUrl": "ws://127.0.0.1:%d/v1" % emulator_port,
              "apiBaseUrl": emulator_url, "proxyUrl": ""}
    written = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=["--no-sandbox"])
            for size in SIZES:
                for name, words in KEYWORDS:
                    context, page = _open(browser, size, proxy_url, config)
                    _ask(page, words)
                    path = os.path.join(OUT, "%s-%d.png" % (name, size[0]))
                    page.screenshot(path=path)
                    written.append(path)
                    context.close()
                # the composer with a file uploaded and ready, and a message the service refused (the
                # guest's typing indicator is off, so the injected refusal meets the message)
                deployment = emulator_url + "/_emulator/deployments/" + stack_mod.DEMO_DEPLOYMENT_ID
                httpx.post(deployment, json={"showUserTypingIndicator": False}, timeout=10).raise_for_status()
                context, page = _open(browser, size, proxy_url, config)
                page.set_input_files("#chat-file", files=[{"name": "receipt.png", "mimeType": "image/png",
                                                           "buffer": photo_png()}])
                page.wait_for_selector("#chat-files .gcw-upload[data-state=ready]", timeout=15_000)
                token = page.evaluate("localStorage.getItem('gc-chat:%s:token')" % stack_mod.DEMO_DEPLOYMENT_ID)
                httpx.post(emulator_url + "/_emulator/faults/inject", json={
                    "token": token, "action": "onMessage", "code": 4020, "count": 1}, timeout=10).raise_for_status()
                page.fill("#chat-input", "This one was refused by the service")
                page.press("#chat-input", "Enter")
                page.wait_for_selector("li.gcw-row--guest[data-status=failed]", timeout=15_000)
                page.set_input_files("#chat-file", files=[{"name": "receipt.png", "mimeType": "image/png",
                                                           "buffer": photo_png()}])
                page.wait_for_selector("#chat-files .gcw-upload[data-state=ready]", timeout=15_000)
                path = os.path.join(OUT, "composer-%d.png" % size[0])
                page.screenshot(path=path)
                written.append(path)
                context.close()
                httpx.post(deployment, json={"showUserTypingIndicator": True}, timeout=10).raise_for_status()
                for name, extra, words, scheme in LOOKS:
                    context, page = _open(browser, size, proxy_url, dict(config, **extra), scheme)
                    _ask(page, words)
                    path = os.path.join(OUT, "%s-%d.png" % (name, size[0]))
                    page.screenshot(path=path)
                    written.append(path)
                    context.close()
                written.append(_embedded(browser, size, proxy_url, config, host_port))
                written.extend(_guest_states(browser, size, proxy_url, emulator_url, config))
            browser.close()
    finally:
        stack_mod.stop(proxy)
        stack_mod.stop(emulator)
    for path in written:
        print(os.path.relpath(path, ROOT))


if __name__ == "__main__":
    main()
