"""P5: an incoming message to its painted bubble, p50 and p95, the Python chat (MicroPython,
Pyodide) against the plain-JavaScript baseline, in one run.

    .venv/bin/python -m bench.incoming [--messages 30] [--skip-pyodide]

Each page is loaded (no route: the same served pages as bench/startup.py), opened, and once it is
ready to type and the bot's greeting has settled, the emulator's bot says `--messages` plain-text
lines one at a time (POST /_emulator/sessions/{token}/bot/say), each after the previous one was
painted. Both moments are on the page's own clock:

- received: an init script subclasses WebSocket and listens for `message` before the page does
  (its listener is registered first), noting when the frame naming "p5-N" arrived;
- painted: a MutationObserver puts an `elementtiming` attribute on the element holding "p5-N" as
  soon as it is attached (a microtask, so before the next paint), and the Element Timing API
  reports that element's renderTime: when the browser actually painted it.

The same text goes to every page, so the comparison is of the client's work per message: parse,
state, view-model, DOM, and (for the Python chat) the FFI and its once-per-frame rendering.
"""
import argparse
import json
import shutil
import statistics
import tempfile

import httpx

from bench.startup import OPEN_AT_ONCE, on_chat_pages, opened_chat

PROBE = OPEN_AT_ONCE + r"""
window.__p5 = {got: {}, painted: {}};
(() => {
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener("message", (event) => {
        const m = /p5-(\d+)/.exec(typeof event.data === "string" ? event.data : "");
        if (m && !(m[1] in window.__p5.got)) window.__p5.got[m[1]] = performance.now();
      });
    }
  };
  new MutationObserver((records) => {
    for (const record of records) for (const node of record.addedNodes) {
      if (node.nodeType !== 1 || !/p5-\d+/.test(node.textContent || "")) continue;
      const leaves = [node, ...node.querySelectorAll("*")].filter(
        (el) => /p5-\d+/.test(el.textContent || "") && ![...el.children].some((c) => /p5-\d+/.test(c.textContent || "")));
      for (const el of leaves) el.setAttribute("elementtiming", /p5-\d+/.exec(el.textContent)[0]);
    }
  }).observe(document, {childList: true, subtree: true});
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const m = /p5-(\d+)/.exec(entry.identifier || "");
      if (m && !(m[1] in window.__p5.painted)) window.__p5.painted[m[1]] = entry.renderTime || entry.loadTime;
    }
  }).observe({type: "element", buffered: true});
})();
"""


def _percentile(values, p):
    ordered = sorted(values)
    if not ordered:
        return None
    index = min(len(ordered) - 1, max(0, int(round(p / 100.0 * (len(ordered) - 1)))))
    return ordered[index]


def measure(playwright, url, emulator, messages):
    """[painted - received ms] for each message, on one fresh page."""
    profile = tempfile.mkdtemp(prefix="bench-incoming-")
    context, page, token = opened_chat(playwright, url, PROBE, emulator, profile)
    try:
        out = []
        for i in range(messages):
            httpx.post(emulator + "/_emulator/sessions/%s/bot/say" % token,
                       json={"text": "p5-%d Your order ships tomorrow morning." % i}, timeout=10).raise_for_status()
            page.wait_for_function("(i) => String(i) in window.__p5.painted", arg=i, timeout=30_000, polling=5)
            got, painted = page.evaluate("(i) => [window.__p5.got[i], window.__p5.painted[i]]", i)
            out.append(painted - got)
        return out
    finally:
        context.close()
        shutil.rmtree(profile, ignore_errors=True)


def run(messages=30, skip_pyodide=False, runs=1):
    """{variant: {"p50": ms, "p95": ms, "samples": [...]}} with "ratio_p50"/"ratio_p95" against the baseline."""
    found = on_chat_pages(lambda p, url, emulator: measure(p, url, emulator, messages), runs, skip_pyodide)
    samples = dict((name, [value for one in runs_of for value in one]) for name, runs_of in found.items())
    result = {}
    for name, values in samples.items():
        result[name] = {"p50": statistics.median(values), "p95": _percentile(values, 95), "samples": values}
    base = result["JavaScript baseline"]
    for name, figures in result.items():
        figures["ratio_p50"] = figures["p50"] / base["p50"] if base["p50"] else None
        figures["ratio_p95"] = figures["p95"] / base["p95"] if base["p95"] else None
    return result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=30)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--skip-pyodide", action="store_true")
    args = parser.parse_args()
    result = run(args.messages, args.skip_pyodide, args.runs)
    for name, f in result.items():
        print("%-20s incoming -> painted  p50 %6.1f ms  p95 %6.1f ms   (%.2fx / %.2fx the baseline)"
              % (name, f["p50"], f["p95"], f["ratio_p50"] or 0, f["ratio_p95"] or 0))
    print(json.dumps({k: {kk: vv for kk, vv in v.items() if kk != "samples"} for k, v in result.items()}))


if __name__ == "__main__":
    main()
