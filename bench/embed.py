"""The chat through the snippet (a host page on another origin) against the page served directly,
and what the host page pays before the guest clicks, with the chat loaded on click or preloaded
once the host page is idle.

    .venv/bin/python -m bench.embed [--runs 5] [--skip-pyodide] [--compare DIR]

Ready to type = the composer is enabled and the panel says Connected, as in bench/startup, read on
the chat page's clock and turned into time since the host page's navigation. Every run is a fresh
browser context (cold cache). "Before the click": bytes (body and headers of every response to the
host page and the chat's frame, as received: the proxy sends text and wasm gzipped) and main-thread blocking on the host page (sum of long tasks over
50 ms) from navigation until the chat is ready in the background (idle) or for 3 s (click).
"""
import argparse
import json
import os
import shutil
import statistics
import tempfile

from playwright.sync_api import sync_playwright

from bench.startup import ARGS, CLICK_TO_READY, OPEN_AT_ONCE, READY, page_copy
from scripts import stack as stack_mod

HOST_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Host</title></head><body>
<h1>Host site</h1>
<script>
window.events = [];
window.pychat = window.pychat || function () { (pychat.q = pychat.q || []).push(arguments); };
pychat("init", %(options)s);
pychat("on", "ready", function () { window.events.push(["ready", performance.now()]); });
</script>
<script async src="%(chat)s/static/pychat-v1.js"></script></body></html>"""

LONG_TASKS = """window.__long = 0; try { new PerformanceObserver((list) => {
  for (const e of list.getEntries()) window.__long += e.duration; }).observe({type: "longtask", buffered: true});
} catch (e) {}"""

# Time of ready-to-type on the host page's clock, read inside the chat's frame.
FRAME_READY = "() => { const r = (%s)(); return r === false ? false : performance.timeOrigin + r; }" % READY

def _ready_in_frame(page):
    """When the chat's frame (once the loader has made it) was ready to type, as epoch ms."""
    for _ in range(1200):
        frames = [frame for frame in page.frames if "embed=1" in frame.url]
        if frames:
            return float(frames[0].wait_for_function(FRAME_READY, timeout=120_000, polling=5).json_value())
        page.wait_for_timeout(5)
    raise RuntimeError("the loader never made the chat's frame")


def _warm_up(page):
    """Playwright's first wait in a frame injects its own ~330 KB script there (~9 ms on the main
    thread, measured): done before the click, so it does not land inside the time measured."""
    for frame in page.frames:
        frame.wait_for_function("() => true", polling=20)


def _context(browser, proxy, config):
    context = browser.new_context()
    context.route(proxy + "/config.json", lambda route: route.fulfill(
        status=200, content_type="application/json", body=json.dumps(config)))
    return context


def direct(browser, proxy, config, runtime):
    context = _context(browser, proxy, config)
    try:
        page = context.new_page()
        page.add_init_script(OPEN_AT_ONCE)
        page.goto(proxy + "/?runtime=" + runtime)
        return float(page.wait_for_function(READY, timeout=120_000, polling=5).json_value())
    finally:
        context.close()


def snippet_open_at_once(browser, proxy, config, host_url):
    """The snippet's page, with pychat("open") at DOMContentLoaded: navigation to ready-to-type."""
    context = _context(browser, proxy, config)
    try:
        page = context.new_page()
        page.add_init_script('document.addEventListener("DOMContentLoaded", () => pychat("open"));')
        page.goto(host_url)
        origin = page.evaluate("performance.timeOrigin")
        page.wait_for_function("() => document.querySelector('pychat-widget') !== null", timeout=30_000)
        return _ready_in_frame(page) - origin
    finally:
        context.close()


def before_click(browser, proxy, config, host_url, preload):
    """Bytes and host main-thread blocking before any click; then the click to ready-to-type."""
    context = _context(browser, proxy, config)
    finished = []
    context.on("requestfinished", lambda request: finished.append(request))
    try:
        page = context.new_page()
        page.add_init_script(LONG_TASKS + CLICK_TO_READY)
        page.goto(host_url)
        if preload:
            page.wait_for_function("window.events.some(e => e[0] === 'ready')", timeout=120_000)
            page.wait_for_timeout(300)
        else:
            page.wait_for_timeout(3000)
        paid = 0
        for request in list(finished):  # what came over the wire (cross-origin timing hides sizes)
            sizes = request.sizes()
            paid += sizes["responseBodySize"] + sizes["responseHeadersSize"]
        blocked = page.evaluate("window.__long")
        _warm_up(page)
        page.locator("pychat-widget .launcher").click()
        _ready_in_frame(page)
        frame = [frame for frame in page.frames if "embed=1" in frame.url][0]
        ready = frame.wait_for_function("() => window.__readyAt", timeout=60_000, polling=20).json_value()
        return paid, blocked, float(ready) - float(page.evaluate("() => window.__clickAt"))
    finally:
        context.close()


def run(runs=5, skip_pyodide=False, direct_and_snippet=True, compare=None):
    """{(kind, runtime[, load]): [per-run figures]} as printed by main(): "direct" and "snippet"
    navigation to ready-to-type (ms); "before": (bytes, host long tasks ms, click to ready ms).
    `compare`: another checkout's page, measured the same way in turn; its runtimes are named
    "<runtime> (other)"."""
    emulator_port = stack_mod.free_port()
    emulator = stack_mod.start_emulator(emulator_port, quiet=True)
    folder = tempfile.mkdtemp(prefix="bench-host-")
    host = stack_mod.serve_folder(folder)
    host_origin = host.origin
    config = {"deploymentId": stack_mod.DEMO_DEPLOYMENT_ID, "webMessagingUrl": "ws://127.0.0.1:%d/v1" % emulator_port,
              "apiBaseUrl": "http://127.0.0.1:%d" % emulator_port, "proxyUrl": "", "embed": {"hosts": [host_origin]}}
    runtimes = ["micropython"] + ([] if skip_pyodide else ["pyodide"])
    processes, chats, copies = [], [], []  # chats: (suffix, proxy origin)
    pages = {}
    results = {}
    try:
        for suffix, root in [("", None)] + ([(" (other)", os.path.abspath(compare))] if compare else []):
            if root is not None:  # served from a copy, as bench/startup does (the proxy refuses symlinks
                root = page_copy(config, root)  # that leave its root, such as a worktree's static/pyscript)
                copies.append(root)
            port = stack_mod.free_port()
            # the host site may frame the chat (its Content-Security-Policy's frame-ancestors)
            processes.append(stack_mod.start_proxy(port, emulator_port, quiet=True, root=root or stack_mod.ROOT,
                                                   env_extra={"CHAT_FRAME_ANCESTORS": host_origin},
                                                   code=os.path.abspath(compare) if root else stack_mod.ROOT))
            proxy = "http://127.0.0.1:%d" % port
            chats.append((suffix, proxy))
            for runtime in runtimes:
                for load in ("idle", "click"):
                    name = "%s%s-%s.html" % (runtime, "-other" if suffix else "", load)
                    with open(folder + "/" + name, "w") as handle:
                        handle.write(HOST_PAGE % {"options": json.dumps({"runtime": runtime, "load": load}),
                                                  "chat": proxy})
                    pages[runtime + suffix, load] = host_origin + "/" + name
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=ARGS, headless=True)
            for _ in range(runs):  # interleaved, as in bench/startup
                for suffix, proxy in chats:
                    for runtime in runtimes:
                        name = runtime + suffix
                        if direct_and_snippet:
                            results.setdefault(("direct", name), []).append(direct(browser, proxy, config, runtime))
                            results.setdefault(("snippet", name), []).append(
                                snippet_open_at_once(browser, proxy, config, pages[name, "click"]))
                        for load in ("click", "idle"):
                            results.setdefault(("before", name, load), []).append(
                                before_click(browser, proxy, config, pages[name, load], load == "idle"))
            browser.close()
        return results
    finally:
        host.shutdown()
        shutil.rmtree(folder, ignore_errors=True)
        for process in processes:
            stack_mod.stop(process)
        stack_mod.stop(emulator)
        for copy in copies:
            shutil.rmtree(copy, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--skip-pyodide", action="store_true")
    parser.add_argument("--compare", metavar="DIR",
                        help="also measure the page of another checkout (e.g. a git worktree of an older commit, "
                             "with static/pyscript filled), side by side")
    args = parser.parse_args()
    runtimes = ["micropython"] + ([] if args.skip_pyodide else ["pyodide"])
    if args.compare:
        runtimes += [runtime + " (other)" for runtime in runtimes]
    results = run(args.runs, args.skip_pyodide, compare=args.compare)
    print("Cold loads, median of %d (ms)" % args.runs)
    for runtime in runtimes:
        d, s = statistics.median(results["direct", runtime]), statistics.median(results["snippet", runtime])
        print("%-12s ready to type, page served directly %6.0f   through the snippet %6.0f   (%.2fx)"
              % (runtime, d, s, s / d))
    print("What the host page pays before the guest clicks, and the click to ready-to-type")
    for runtime in runtimes:
        for load in ("click", "idle"):
            rows = results["before", runtime, load]
            print("%-12s load=%-5s  bytes %8.0f KB   host long tasks %5.0f ms   click to ready %6.0f ms"
                  % (runtime, load, statistics.median(r[0] for r in rows) / 1024,
                     statistics.median(r[1] for r in rows), statistics.median(r[2] for r in rows)))
    return results


if __name__ == "__main__":
    main()
