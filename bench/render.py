"""How long a long, mixed transcript takes to draw, per interpreter, and the longest main-thread task.

    .venv/bin/python -m bench.render [--rows 300] [--runs 3]

The page starts with a stored transcript of `--rows` rows (a mix of every content kind: text,
Markdown, cards, carousels, date and list pickers, images, files, guest messages and system lines),
as a returning guest's page does, and the launcher is clicked at DOMContentLoaded. Printed per
interpreter (median of runs): Python ready -> every row in the DOM, and the longest task the
browser reported (PerformanceObserver "longtask", over 50 ms) between those two moments (0: none
over 50 ms; the interpreter's own start is before "ready" and not counted).
"""
import argparse
import json
import shutil
import statistics

from playwright.sync_api import sync_playwright

from scripts import stack as stack_mod

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]

PROBE = """
localStorage.setItem(%(key)s, %(rows)s);
// A returning guest: the transcript is shown only under the session that wrote it (its token).
if (%(key)s.endsWith(":transcript")) localStorage.setItem(%(key)s.replace(/:transcript$/, ":token"), "bench-returning-guest-0001");
window.__long = [];
new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__long.push([e.startTime, e.duration]); })
  .observe({type: "longtask", buffered: true});
document.addEventListener("DOMContentLoaded", () => document.getElementById("chat-launcher").click());
"""

READY = "() => document.documentElement.dataset.chatPython === 'ready' ? performance.now() : false"

DONE = """(n) => document.querySelectorAll('#chat-log li.gcw-row').length >= n ? performance.now() : false"""


def _card(i, base):
    return {"title": "Plan %d" % i, "description": "A plan with **no** markup, number %d." % i,
            "image": base + "/static-bot/cards/basic.png", "default": None,
            "actions": [{"type": "Postback", "text": "Choose %d" % i, "url": "", "payload": "p%d" % i},
                        {"type": "Link", "text": "Details", "url": "https://example.com/%d" % i, "payload": ""}]}


def transcript(count, base):
    rows = []
    for i in range(count):
        minute, second = divmod(i, 60)
        time = "2026-01-01T%02d:%02d:%02d.000Z" % (8 + minute // 60, minute % 60, second)
        kind = i % 10
        side, author = ("guest", "You") if kind in (3, 7) else ("bot", "Demo Bot")
        if kind in (3, 7):
            parts = [["text", {"text": "Guest message %d with some words in it" % i}]]
        elif kind == 0:
            parts = [["markdown", {"text": "Here is **bold**, _italic_ and `code` with a [link](https://example.com)."
                                           "\n\n* one\n* two\n* three"}]]
        elif kind == 1:
            parts = [["text", {"text": "Pick a card"}], ["card", dict(_card(i, base), message_id="m%d" % i)]]
        elif kind == 2:
            parts = [["carousel", {"cards": [_card(i, base), _card(i + 1, base), _card(i + 2, base)],
                                   "message_id": "m%d" % i}]]
        elif kind == 4:
            parts = [["date_picker", {"id": "", "title": "Book", "subtitle": "", "image": "", "message_id": "m%d" % i,
                                      "times": [{"start": "2031-03-0%dT%02d:00:00Z" % (1 + d, 9 + h), "duration": 1800}
                                                for d in range(2) for h in range(3)]}]]
        elif kind == 5:
            parts = [["list_picker", {"id": "l%d" % i, "title": "Topic", "subtitle": "", "button": "Choose",
                                      "message_id": "m%d" % i, "sections": [{"title": "All", "multiple": False, "items": [
                                          {"id": "a", "title": "Billing", "subtitle": "Invoices", "image": ""},
                                          {"id": "b", "title": "Orders", "subtitle": "", "image": ""}]}]}]]
        elif kind == 6:
            parts = [["attachment", {"id": "", "url": base + "/static-bot/logo.png", "filename": "logo.png", "size": 300,
                                     "media_type": "Image", "mime": "image/png", "text": ""}]]
        elif kind == 8:
            parts = [["attachment", {"id": "f%d" % i, "url": "https://files.example/doc.pdf", "filename": "doc.pdf",
                                     "size": 123456, "media_type": "File", "mime": "application/pdf", "text": ""}]]
        else:
            parts = [["text", {"text": "A plain bot line number %d." % i}],
                     ["quick_replies", {"replies": [{"text": "Yes", "payload": "y", "image": ""}], "message_id": "m%d" % i}]]
        rows.append({"key": "r%d" % i, "side": side, "author": author, "avatar": "", "text": "row %d" % i,
                     "status": "sent" if side == "guest" else "", "time": time, "note": "", "parts": parts})
    return rows


def measure(playwright, url, key, rows, config, route):
    browser = playwright.chromium.launch(executable_path=shutil.which("chromium"), args=ARGS)
    try:
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        context.route(route, lambda r: r.fulfill(status=200, content_type="application/json", body=json.dumps(config)))
        page = context.new_page()
        page.add_init_script(PROBE % {"key": json.dumps(key), "rows": json.dumps(json.dumps(rows))})
        page.goto(url)
        ready = float(page.wait_for_function(READY, timeout=60_000, polling=5).json_value())
        done = float(page.wait_for_function(DONE, arg=len(rows), timeout=180_000, polling=5).json_value())
        page.wait_for_timeout(200)  # let the observer deliver the last entries
        tasks = page.evaluate("window.__long")
        longest = max([d for s, d in tasks if ready <= s <= done] or [0])
        return done - ready, longest
    finally:
        browser.close()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=300)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    emulator_port, proxy_port = stack_mod.free_port(), stack_mod.free_port()
    emulator = stack_mod.start_emulator(emulator_port, quiet=True)
    proxy = stack_mod.start_proxy(proxy_port, emulator_port, quiet=True)
    base = "http://127.0.0.1:%d" % emulator_port
    config = {"deploymentId": stack_mod.DEMO_DEPLOYMENT_ID, "webMessagingUrl": "ws://127.0.0.1:%d/v1" % emulator_port,
              "apiBaseUrl": base, "proxyUrl": ""}
    page_base = "http://127.0.0.1:%d" % proxy_port
    key = "gc-chat:%s:transcript" % stack_mod.DEMO_DEPLOYMENT_ID
    rows = transcript(args.rows, base)
    try:
        with sync_playwright() as p:
            for runtime in ("micropython", "pyodide"):
                drawn, longest = [], []
                for _ in range(args.runs):
                    a, b = measure(p, page_base + "/?runtime=" + runtime, key, rows, config, page_base + "/config.json")
                    drawn.append(a)
                    longest.append(b)
                print("%-12s %d rows: ready -> drawn median %6.0f ms (min %5.0f, max %5.0f); longest task median %5.0f ms"
                      % (runtime, len(rows), statistics.median(drawn), min(drawn), max(drawn), statistics.median(longest)),
                      flush=True)
    finally:
        stack_mod.stop(proxy)
        stack_mod.stop(emulator)


if __name__ == "__main__":
    main()
