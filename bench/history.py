"""P6: a 1,000-message history drawn, the Python chat (MicroPython, Pyodide) against the plain
JavaScript baseline drawing the same rows, in one run.

    .venv/bin/python -m bench.history [--rows 1000] [--runs 3] [--skip-pyodide]

Both pages start with the same stored transcript in localStorage (bench/render.py's mix of every
content kind: text, Markdown, cards, carousels, date and list pickers, images, files, quick
replies, guest messages), as a returning guest's page does. Measured on the page's clock, from the
moment the page's code starts drawing (the Python chat: data-chat-python="ready", after its
interpreter and imports; the baseline: its module script) to every row in the DOM, and the longest
main-thread task in between. The Python chat draws newest first within a 30 ms budget per frame
(app/browser/dom.py), so the guest sees the newest rows at once and the page never freezes; the
baseline draws everything in one go, as a plain script would.
"""
import argparse
import json
import statistics
import tempfile
import shutil

from playwright.sync_api import sync_playwright

from bench import render as render_mod
from bench.startup import Stack, launch, page_copy

PROBE = """
localStorage.setItem(%(key)s, %(rows)s);
// A returning guest: the transcript is shown only under the session that wrote it (its token).
if (%(key)s.endsWith(":transcript")) localStorage.setItem(%(key)s.replace(/:transcript$/, ":token"), "bench-returning-guest-0001");
window.__long = [];
new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__long.push([e.startTime, e.duration]); })
  .observe({type: "longtask", buffered: true});
document.addEventListener("DOMContentLoaded", () => { const l = document.getElementById("chat-launcher"); if (l) l.click(); });
"""
PY_START = "() => document.documentElement.dataset.chatPython === 'ready' ? performance.now() : false"
JS_START = "() => { const m = performance.getEntriesByName('history-start'); return m.length ? m[0].startTime : false; }"


def measure(playwright, url, key, rows, start):
    profile = tempfile.mkdtemp(prefix="bench-history-")
    context, page = launch(playwright, profile, None, None)
    try:
        page.set_viewport_size({"width": 1280, "height": 800})
        page.add_init_script(PROBE % {"key": json.dumps(key), "rows": json.dumps(json.dumps(rows))})
        page.goto(url)
        began = float(page.wait_for_function(start, timeout=120_000, polling=5).json_value())
        done = float(page.wait_for_function(render_mod.DONE, arg=len(rows), timeout=180_000, polling=5).json_value())
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
        pages = [("JavaScript baseline", stack.baseline + "&history=bench-history", "bench-history", JS_START),
                 ("MicroPython", chat + "/?runtime=micropython", python_key, PY_START)]
        if not skip_pyodide:
            pages.append(("Pyodide", chat + "/?runtime=pyodide", python_key, PY_START))
        found = dict((name, []) for name, _, _, _ in pages)
        with sync_playwright() as p:
            for _ in range(runs):
                for name, url, key, start in pages:
                    found[name].append(measure(p, url, key, transcript, start))
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
        print("%-20s %d rows drawn in %7.0f ms (%.2fx the baseline); longest task %4.0f ms"
              % (name, f["rows"], f["drawn"], f["ratio"], f["longest_task"]))


if __name__ == "__main__":
    main()
