"""P6: a 1,000-message history shown, the Python chat (MicroPython, Pyodide) against the plain
JavaScript baseline drawing the same rows, in one run.

    .venv/bin/python -m bench.history [--rows 1000] [--runs 3] [--skip-pyodide]

Both pages start with the same stored transcript in localStorage (bench/render.py's mix of every
content kind: text, Markdown, cards, carousels, date and list pickers, images, files, quick
replies, guest messages), as a returning guest's page does. Measured on the page's clock, from the
moment the page's code starts drawing (the Python chat: data-chat-python="ready", after its
interpreter and imports; the baseline: its module script) to the history being shown, and the
longest main-thread task in between.

"Shown" is where each page leaves the guest able to read and scroll: the baseline draws every
row in one go, as a plain script would; the Python chat draws the newest rows (app/browser/dom.py
WINDOW_ROWS, 40: several screens) newest first within a 30 ms budget per frame, and older ones
only as the guest scrolls up to them (bench/scroll.py measures that scrolling, P7). So this is the
newest row and the rest of the window in the page.
"""
import argparse
import json
import statistics
import tempfile
import shutil

from playwright.sync_api import sync_playwright

from bench import render as render_mod
from bench.startup import Stack, launch, page_copy

# A returning guest's storage, written from a page of the same origin before the chat's page loads
# (an init script this size is not run: Playwright's limit is about a megabyte).
STORE = """([key, rows]) => {
  localStorage.setItem(key, rows);
  // A returning guest: the transcript is shown only under the session that wrote it (its token).
  if (key.endsWith(":transcript")) localStorage.setItem(key.replace(/:transcript$/, ":token"), "bench-returning-guest-0001");
}"""
PROBE = """
window.__long = [];
new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__long.push([e.startTime, e.duration]); })
  .observe({type: "longtask", buffered: true});
document.addEventListener("DOMContentLoaded", () => { const l = document.getElementById("chat-launcher"); if (l) l.click(); });
"""
WINDOW_ROWS = 40  # app/browser/dom.py
# The newest stored row drawn (not necessarily last: the emulator greets a session it does not
# know, and that greeting may already be below it), with the rows of the first window.
SHOWN = """([n, newest]) => { const rows = document.querySelectorAll('#chat-log li.gcw-row');
  return rows.length >= n && document.querySelector('#chat-log li.gcw-row[data-key="' + CSS.escape(newest) + '"]')
    ? performance.now() : false; }"""
ALL = """([n, newest]) => document.querySelectorAll('#chat-log li.gcw-row').length >= n ? performance.now() : false"""
PY_START = "() => document.documentElement.dataset.chatPython === 'ready' ? performance.now() : false"
JS_START = "() => { const m = performance.getEntriesByName('history-start'); return m.length ? m[0].startTime : false; }"


def open_with(page, url, key, rows):
    """Open `url` with `rows` as the stored transcript under `key`."""
    page.goto("/".join(url.split("/")[:3]) + "/bench-storage")  # any page of the origin (a 404 will do)
    page.evaluate(STORE, [key, json.dumps(rows)])
    page.add_init_script(PROBE)
    page.goto(url)


def measure(playwright, url, key, rows, start, shown):
    profile = tempfile.mkdtemp(prefix="bench-history-")
    context, page = launch(playwright, profile, None, None)
    try:
        page.set_viewport_size({"width": 1280, "height": 800})
        open_with(page, url, key, rows)
        began = float(page.wait_for_function(start, timeout=120_000, polling=5).json_value())
        done = float(page.wait_for_function(shown, arg=[min(len(rows), WINDOW_ROWS) if shown is SHOWN else len(rows),
                                                        rows[-1]["key"]], timeout=180_000, polling=5).json_value())
        page.wait_for_timeout(200)  # the observer delivers the last entries
        tasks = page.evaluate("() => window.__long")
        longest = max([d for s, d in tasks if s <= done and s + d >= began] or [0])  # overlapping the drawing
        return done - began, longest
    finally:
        context.close()
        shutil.rmtree(profile, ignore_errors=True)


def run(rows=1000, runs=3, skip_pyodide=False):
    """{variant: {"drawn": median ms, "longest_task": median ms}}, with "ratio" against the baseline."""
    stack = Stack()
    try:
        chat = stack.serve(page_copy(stack.config))
        base = "http://127.0.0.1:%d" % stack.emulator_port
        transcript = render_mod.transcript(rows, base)
        python_key = "gc-chat:%s:transcript" % stack.config["deploymentId"]
        pages = [("JavaScript baseline", stack.baseline + "&history=bench-history", "bench-history", JS_START, ALL),
                 ("MicroPython", chat + "/?runtime=micropython", python_key, PY_START, SHOWN)]
        if not skip_pyodide:
            pages.append(("Pyodide", chat + "/?runtime=pyodide", python_key, PY_START, SHOWN))
        found = dict((page[0], []) for page in pages)
        with sync_playwright() as p:
            for _ in range(runs):
                for name, url, key, start, shown in pages:
                    found[name].append(measure(p, url, key, transcript, start, shown))
    finally:
        stack.close()
    result = {}
    for name, values in found.items():
        result[name] = {"drawn": statistics.median(v[0] for v in values),
                        "longest_task": statistics.median(v[1] for v in values), "rows": rows}
    for figures in result.values():
        figures["ratio"] = figures["drawn"] / result["JavaScript baseline"]["drawn"]
    return result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--skip-pyodide", action="store_true")
    args = parser.parse_args()
    for name, f in run(args.rows, args.runs, args.skip_pyodide).items():
        print("%-20s %d rows shown in %7.0f ms (%.2fx the baseline); longest task %4.0f ms"
              % (name, f["rows"], f["drawn"], f["ratio"], f["longest_task"]))


if __name__ == "__main__":
    main()
