"""axe-core in every state the guest can see, left to right and right to left, light and dark, at
375x667, at 1280x800 and at 200 % zoom: the pre-chat form (with its errors), connected with every
content kind, an agent typing, the expiry notice, the menu, a confirmation, the unread divider, and
the ended chat. No serious or critical violation anywhere; the panel fits the window at 200 %.

AXE_REPORT=path writes every state's violations by impact (the figures in the issue's note)."""
import json
import os

import httpx
import pytest
from playwright.sync_api import expect

import axe

FORM = {"fields": [
    {"name": "name", "label": "Your name", "required": True},
    {"name": "email", "label": "Email", "type": "email", "required": True},
    {"name": "topic", "label": "Topic", "type": "select", "options": ["Billing", "Delivery"]},
    {"name": "agree", "label": "I accept the terms", "type": "checkbox"},
    {"name": "question", "label": "How can we help?", "type": "textarea", "message": True},
]}
# (name, language, colour scheme, viewport, device scale factor): 640x400 at 2x is 1280x800 at 200 %
COMBOS = [
    ("ltr-light-375", "en", "light", (375, 667), 1),
    ("rtl-dark-zoom200", "ar", "dark", (640, 400), 2),
    ("ltr-dark-1280", "en", "dark", (1280, 800), 1),
    ("rtl-light-375", "ar", "light", (375, 667), 1),
]
REPORT = {}


def _check(page, combo, state):
    violations = axe.run_axe(page, "#chat-panel")
    counts = {}
    for v in violations:
        counts[v["impact"]] = counts.get(v["impact"], 0) + len(v["nodes"])
    REPORT.setdefault(combo, {})[state] = {"violations": counts, "ids": sorted({v["id"] for v in violations})}
    blocking = axe.serious_or_critical(violations)
    assert not blocking, "%s / %s: %s" % (combo, state, axe.describe(blocking))


def _fits(page):
    box = page.locator("#chat-panel").bounding_box()
    view = page.viewport_size
    assert box["x"] >= 0 and box["y"] >= 0, box
    assert box["x"] + box["width"] <= view["width"] + 1 and box["y"] + box["height"] <= view["height"] + 1, (box, view)


@pytest.mark.parametrize("combo", COMBOS, ids=[c[0] for c in COMBOS])
def test_every_state_is_accessible(browser, emu, combo):
    name, language, scheme, size, scale = combo
    emulator = emu.emulator_url
    httpx.post(emulator + "/_emulator/deployments/" + emu.deployment_id, json={"sessionDurationSeconds": 296},
               timeout=10).raise_for_status()
    context = browser.new_context(viewport={"width": size[0], "height": size[1]}, device_scale_factor=scale,
                                  color_scheme=scheme)
    config = {"deploymentId": emu.deployment_id, "webMessagingUrl": emu.socket_url, "apiBaseUrl": emulator,
              "proxyUrl": "", "language": language, "prechat": FORM}
    context.route(emu.proxy_url + "/config.json", lambda route, request=None: route.fulfill(
        status=200, content_type="application/json", body=json.dumps(config)))
    try:
        page = context.new_page()
        page.goto(emu.proxy_url + "/?runtime=micropython")
        page.wait_for_selector("html[data-chat-python=ready]", state="attached", timeout=20_000)
        page.click("#chat-launcher")
        expect(page.locator(".gcw-prechat")).to_be_visible(timeout=15_000)
        _fits(page)
        _check(page, name, "prechat")
        page.click(".gcw-prechat-start")
        expect(page.locator(".gcw-field-error").first).to_be_visible()
        _check(page, name, "prechat with errors")
        page.fill("#gcw-pre-name", "Ada")
        page.fill("#gcw-pre-email", "ada@example.com")
        page.fill("#gcw-pre-question", "everything")  # the demo bot answers with every content kind
        page.click(".gcw-prechat-start")
        expect(page.locator(".gcw-carousel").first).to_be_visible(timeout=20_000)
        expect(page.locator(".gcw-image img").first).to_be_visible(timeout=15_000)
        page.wait_for_timeout(500)
        _fits(page)
        expect(page.locator("#chat-input")).to_be_visible()
        _check(page, name, "connected, every content kind, expiry notice")
        token = page.evaluate("localStorage.getItem('gc-chat:%s:token')" % emu.deployment_id)
        session = emulator + "/_emulator/sessions/" + token
        httpx.post(session + "/agent/join", json={"firstName": "Sam"}, timeout=10).raise_for_status()
        httpx.post(session + "/agent/typing", json={}, timeout=10).raise_for_status()
        expect(page.locator("#chat-typing")).to_be_visible(timeout=10_000)
        _check(page, name, "agent typing")
        page.click("#chat-menu-button")
        expect(page.locator(".gcw-menu-list")).to_be_visible()
        _check(page, name, "menu open")
        page.click(".gcw-menu-item--end")
        expect(page.locator(".gcw-confirm")).to_be_visible()
        _check(page, name, "confirm end")
        page.click("#chat-confirm-no")
        page.click(".gcw-close")
        httpx.post(session + "/agent/say", json={"text": "Are you still there?"}, timeout=10).raise_for_status()
        expect(page.locator("#chat-launcher .gcw-launcher-badge")).to_be_visible(timeout=10_000)
        page.click("#chat-launcher")
        expect(page.locator("li.gcw-divider")).to_be_visible()
        _check(page, name, "unread divider")
        page.click("#chat-menu-button")
        page.click(".gcw-menu-item--end")
        page.click("#chat-confirm-yes")
        expect(page.locator("#chat-notice[data-kind=ended]")).to_be_visible()
        _fits(page)
        _check(page, name, "ended")
    finally:
        context.close()
        if os.environ.get("AXE_REPORT"):
            with open(os.environ["AXE_REPORT"], "w") as handle:
                json.dump(REPORT, handle, indent=1, sort_keys=True)
