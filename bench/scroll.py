"""P7: a 10,000-message conversation, scrolled: the Python chat (MicroPython, Pyodide) against
the plain-JavaScript baseline holding the same messages, in one run.

    .venv/bin/python -m bench.scroll [--messages 10000] [--steps 150] [--skip-pyodide]

Each page is opened and, once ready to type, the emulator's bot says --messages lines (every
fifth in Markdown), as fast as the emulator takes them: a long conversation, held in the page's
memory (the chat saves only its newest rows for a reload, so a transcript this long is one that
happened on the page, not one read back from storage). Once the last line is drawn, the page is
put at its newest message and the reader scrolls up with the mouse wheel: --steps turns of 400 px,
one every 50 ms, flicking back through the conversation. Printed per page:

- how long the page took to take in and draw the messages (from the first sent to the last drawn);
- the long tasks (over 50 ms: how many, the longest) from the first turn of the wheel to 500 ms
  after the last: the figure P7's target is about;
- how far back the reader got (messages between the first in view before and after scrolling)
  and how many rows were in the page at the end;
- memory at the end: the JS heap (CDP Performance.getMetrics JSHeapUsedSize; the interpreter's
  WebAssembly memory is not part of it) and the page's DOM nodes.

The baseline appends each message as it comes and keeps every row in the page, as a plain script
would; the Python chat keeps the newest rows in the page and draws older ones from memory a few
at a time within a frame's budget as the reader reaches them (app/browser/dom.py).
"""
import argparse
import shutil
import statistics
import tempfile
import time

import httpx

from bench.startup import OPEN_AT_ONCE, on_chat_pages, opened_chat

PROBE = OPEN_AT_ONCE + """
window.__long = [];
new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__long.push([e.startTime, e.duration]); })
  .observe({type: "longtask", buffered: true});
"""
DRAWN = """(text) => [...document.querySelectorAll('#chat-log li')].slice(-3).some((li) => li.textContent.includes(text))"""
SCROLLER = "() => document.getElementById('chat-scroll')"
IN_VIEW = """() => { const s = document.getElementById('chat-scroll');
  for (const row of document.querySelectorAll('#chat-log li'))
    if (row.offsetTop + row.offsetHeight > s.scrollTop) { const m = /p7-(\\d+):/.exec(row.textContent); if (m) return +m[1]; }
  return null; }"""


def _line(i):
    if i % 5 == 0:
        return "p7-%d: **Order %d** ships _tomorrow_; track it at [the portal](https://example.com/t/%d)." % (i, i, i)
    return "p7-%d: a line of the conversation, about as long as people write them." % i


def measure(playwright, url, emulator, messages, steps):
    profile = tempfile.mkdtemp(prefix="bench-scroll-")
    context, page, token = opened_chat(playwright, url, PROBE, emulator, profile)
    try:
        with httpx.Client(base_url=emulator, timeout=30) as client:
            say = "/_emulator/sessions/%s/bot/say" % token
            began = time.monotonic()
            for i in range(messages):
                client.post(say, json={"text": _line(i)}).raise_for_status()
        page.wait_for_function(DRAWN, arg="p7-%d:" % (messages - 1), timeout=600_000, polling=100)
        took = time.monotonic() - began
        page.wait_for_timeout(1500)  # the last save and draw
        page.evaluate("() => { const s = (%s)(); s.scrollTop = s.scrollHeight; }" % SCROLLER)
        page.wait_for_timeout(500)
        box = page.locator("#chat-scroll").bounding_box()
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        newest = page.evaluate(IN_VIEW)
        first = page.evaluate("() => performance.now()")
        for _ in range(steps):
            page.mouse.wheel(0, -400)
            page.wait_for_timeout(50)
        page.wait_for_timeout(500)
        last = page.evaluate("() => performance.now()")
        tasks = [d for s, d in page.evaluate("() => window.__long") if s + d >= first and s <= last]
        reached = page.evaluate(IN_VIEW)
        drawn = page.evaluate("() => document.querySelectorAll('#chat-log li').length")
        session = context.new_cdp_session(page)
        session.send("HeapProfiler.collectGarbage")
        session.send("Performance.enable")
        metrics = dict((m["name"], m["value"]) for m in session.send("Performance.getMetrics")["metrics"])
        return {"ingest_s": took, "long_tasks": len(tasks), "longest": max(tasks or [0]), "rows_drawn": drawn,
                "messages_back": (newest - reached) if newest is not None and reached is not None else 0,
                "heap_mb": metrics.get("JSHeapUsedSize", 0) / 1e6, "nodes": metrics.get("Nodes", 0)}
    finally:
        context.close()
        shutil.rmtree(profile, ignore_errors=True)


def run(messages=10000, steps=150, skip_pyodide=False, runs=1):
    """{variant: figures (medians over runs)}."""
    found = on_chat_pages(lambda p, url, emulator: measure(p, url, emulator, messages, steps), runs, skip_pyodide)
    result = {}
    for name, values in found.items():
        result[name] = dict((k, statistics.median([v[k] for v in values])) for k in values[0])
        result[name]["messages"] = messages
    return result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=10000)
    parser.add_argument("--steps", type=int, default=150)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--skip-pyodide", action="store_true")
    args = parser.parse_args()
    for name, f in run(args.messages, args.steps, args.skip_pyodide, args.runs).items():
        print("%-20s %d messages taken in and drawn in %.1f s; scrolling back %d messages: %d tasks over 50 ms "
              "(longest %.0f ms); %d rows in the page; JS heap %.1f MB; %d DOM nodes"
              % (name, f["messages"], f["ingest_s"], f["messages_back"], f["long_tasks"], f["longest"], f["rows_drawn"],
                 f["heap_mb"], f["nodes"]))


if __name__ == "__main__":
    main()
