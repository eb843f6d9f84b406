"""Median time from navigation to "ready to type", per interpreter, cold and warm, against the
emulator, with a plain-JavaScript page doing the same start-up as the baseline, and bare PyScript
pages (an empty script) for what the interpreter alone costs, in one run.

    .venv/bin/python -m bench.startup [--runs 5] [--skip-pyodide] [--compare DIR]

"Ready to type" = the composer is enabled and the panel says Connected (the SessionResponse has
arrived), read as performance.now() on the page's own clock. The launcher is clicked at
DOMContentLoaded on every page (the Python chat connects when the guest opens it). For a bare page
it is PyScript's `mpy:done` / `py:done` (the empty script has run).

Cold = a fresh browser profile (empty disk cache); warm = the same profile loaded again, so the
warm load uses the HTTP cache as a returning visitor's browser does. No Playwright route is used
(a route turns the HTTP cache off): the chat pages are served by the real proxy from a temporary
copy of the page whose config.json holds the test settings, and the baseline by a plain static
server. Servers are the real emulator and proxies on loopback.
"""
import argparse
import json
import os
import shutil
import statistics
import tempfile

import httpx
from playwright.sync_api import sync_playwright

from scripts import stack as stack_mod

HERE = os.path.dirname(os.path.abspath(__file__))
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
READY = """() => {
  const input = document.getElementById('chat-input');
  const panel = document.getElementById('chat-panel');
  return input && !input.disabled && panel.dataset.status === 'ok' ? performance.now() : false;
}"""
BARE_READY = "() => window.__bareDone || false"
BARE_PROBE = """for (const name of ["mpy:done", "py:done"]) {
  document.addEventListener(name, () => { window.__bareDone = window.__bareDone || performance.now(); }, true);
}"""

# P1b, in every frame of the page: when the guest's click happened (its event's own time stamp, on
# the page clicked) and when the chat's document first met READY (a MutationObserver: the moment
# the DOM said so, before the paint; READY polled by Playwright would add its polling and the click
# call's own round trips, ~60 ms, to both sides). Both as epoch ms, comparable across frames.
CLICK_TO_READY = """(() => {
  document.addEventListener("click", (event) => {
    if (!window.__clickAt) window.__clickAt = performance.timeOrigin + event.timeStamp;
  }, true);
  const ready = %s;
  new MutationObserver(() => {
    if (!window.__readyAt && ready() !== false) window.__readyAt = performance.timeOrigin + performance.now();
  }).observe(document, {attributes: true, childList: true, subtree: true, characterData: true});
})();""" % READY

OPEN_AT_ONCE = """document.addEventListener("DOMContentLoaded", () => {
  const launcher = document.getElementById("chat-launcher");
  if (launcher) launcher.click();
});"""

PLUGINS_OFF = '["!error", "!deprecations-manager", "!donkey", "!py-editor", "!py-game", "!py-terminal", "!codemirror"]'
BARE_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Bare PyScript</title><link rel="icon" href="data:,">
<script type="module" src="static/pyscript/core.js"></script></head>
<body><script type="%(type)s" src="app/main.py" config="%(config)s"></script>
<%(other)s-config type="json" hidden>{"plugins": %(plugins)s}</%(other)s-config></body></html>
"""


def launch(playwright, profile, config, route_config):
    """A Chromium with its own profile (kept between a cold and a warm load), answering
    `route_config` with `config` when given (which turns the HTTP cache off), and its page."""
    context = playwright.chromium.launch_persistent_context(profile, executable_path=shutil.which("chromium"),
                                                            args=ARGS, headless=True)
    if route_config:
        context.route(route_config, lambda route, request=None: route.fulfill(
            status=200, content_type="application/json", body=json.dumps(config)))
    return context, (context.pages[0] if context.pages else context.new_page())


def page_copy(config, root=stack_mod.ROOT):
    """A temporary page root: `root`'s page files, with the test settings as config.json. (The
    proxy refuses symlinks that leave its root, hence a copy.)"""
    copy = tempfile.mkdtemp(prefix="bench-page-")
    for name in ("index.html", "pyscript.toml", "pyscript.pyodide.toml"):
        shutil.copy2(os.path.join(root, name), os.path.join(copy, name))
    for name in ("app", "custom", "static"):
        if os.path.isdir(os.path.join(root, name)):
            shutil.copytree(os.path.join(root, name), os.path.join(copy, name),
                            ignore=shutil.ignore_patterns("__pycache__"))
    with open(os.path.join(copy, "config.json"), "w") as handle:
        json.dump(config, handle)
    return copy


def bare_copy(runtime):
    """A page root holding only PyScript, the interpreter and an empty script: what the
    interpreter's own start costs, served the same way as the chat."""
    copy = tempfile.mkdtemp(prefix="bench-bare-")
    os.makedirs(os.path.join(copy, "app"))
    with open(os.path.join(copy, "app", "main.py"), "w") as handle:
        handle.write("pass\n")
    shutil.copytree(os.path.join(stack_mod.ROOT, "static", "pyscript"), os.path.join(copy, "static", "pyscript"))
    kind, toml, other, interpreter = (("mpy", "pyscript.toml", "py", "micropython/micropython.mjs")
                                      if runtime == "micropython" else
                                      ("py", "pyscript.pyodide.toml", "mpy", "pyodide/pyodide.mjs"))
    with open(os.path.join(copy, toml), "w") as handle:
        handle.write('interpreter = "./static/pyscript/%s"\nplugins = %s\n' % (interpreter, PLUGINS_OFF))
    with open(os.path.join(copy, "index.html"), "w") as handle:
        handle.write(BARE_PAGE % {"type": kind, "config": toml, "other": other, "plugins": PLUGINS_OFF})
    with open(os.path.join(copy, "config.json"), "w") as handle:
        handle.write("{}")
    return copy


def measure(playwright, url, profile, ready=READY, probe=OPEN_AT_ONCE, config=None, route=None):
    """One load of `url` in the browser profile `profile`: ms from navigation to `ready`."""
    context, page = launch(playwright, profile, config, route)
    try:
        page.add_init_script(probe)
        page.goto(url)
        handle = page.wait_for_function(ready, timeout=120_000, polling=5)
        return float(handle.json_value())
    finally:
        context.close()


class Stack:
    """The emulator, the baseline's static server, and one proxy per page root, on free ports."""

    def __init__(self):
        self.emulator_port = stack_mod.free_port()
        self.emulator = stack_mod.start_emulator(self.emulator_port, quiet=True)
        self.proxies, self.roots = [], []
        self.config = {"deploymentId": stack_mod.DEMO_DEPLOYMENT_ID,
                       "webMessagingUrl": "ws://127.0.0.1:%d/v1" % self.emulator_port,
                       "apiBaseUrl": "http://127.0.0.1:%d" % self.emulator_port, "proxyUrl": ""}
        self.static = stack_mod.serve_folder(HERE)
        with open(os.path.join(HERE, "out-config.json"), "w") as handle:
            json.dump(self.config, handle)
        self.baseline = self.static.origin + "/baseline.html?config=out-config.json"

    def serve(self, root, env_extra=None, code=stack_mod.ROOT):
        """A proxy (the checkout `code`'s) serving the page root `root` (a temporary copy, removed at
        close); its origin."""
        port = stack_mod.free_port()
        self.proxies.append(stack_mod.start_proxy(port, self.emulator_port, quiet=True, root=root,
                                                  env_extra=env_extra, code=code))
        self.roots.append(root)
        return "http://127.0.0.1:%d" % port

    def close(self):
        self.static.shutdown()
        for proxy in self.proxies:
            stack_mod.stop(proxy)
        stack_mod.stop(self.emulator)
        for root in self.roots:
            shutil.rmtree(root, ignore_errors=True)
        try:
            os.remove(os.path.join(HERE, "out-config.json"))
        except OSError:
            pass


def opened_chat(playwright, url, probe, emulator, profile):
    """(browser context, page, the session's token): `url` opened with the init script `probe`,
    ready to type, its greeting settled, and the one session the emulator has connected for it."""
    context, page = launch(playwright, profile, None, None)
    page.set_viewport_size({"width": 1280, "height": 800})
    page.add_init_script(probe)
    page.goto(url)
    page.wait_for_function(READY, timeout=120_000, polling=5)
    page.wait_for_timeout(1500)  # the bot's greeting and its typing indicator settle
    live = [s for s in httpx.get(emulator + "/_emulator/sessions", timeout=10).json()["sessions"] if s["sockets"]]
    if len(live) != 1:
        context.close()
        raise RuntimeError("expected one connected session, found %d" % len(live))
    return context, page, live[0]["token"]


def on_chat_pages(measure, runs=1, skip_pyodide=False):
    """{page: [measure(playwright, url, emulator origin), ... one per run]} for the JavaScript
    baseline and the chat on each interpreter, served on one stack and measured interleaved."""
    stack = Stack()
    try:
        chat = stack.serve(page_copy(stack.config))
        emulator = "http://127.0.0.1:%d" % stack.emulator_port
        pages = [("JavaScript baseline", stack.baseline), ("MicroPython", chat + "/?runtime=micropython")]
        if not skip_pyodide:
            pages.append(("Pyodide", chat + "/?runtime=pyodide"))
        found = dict((name, []) for name, _ in pages)
        with sync_playwright() as p:
            for _ in range(runs):
                for name, url in pages:
                    found[name].append(measure(p, url, emulator))
    finally:
        stack.close()
    return found


def variants(stack, skip_pyodide=False, compare=None, bare=True):
    """(name, url, ready predicate, init script) for every page measured."""
    chat = stack.serve(page_copy(stack.config))
    found = [("JavaScript baseline", stack.baseline, READY, OPEN_AT_ONCE),
             ("MicroPython", chat + "/?runtime=micropython", READY, OPEN_AT_ONCE)]
    if compare:
        # An older page may predate the Content-Security-Policy this proxy sends (docs/security.md).
        other = stack.serve(page_copy(stack.config, os.path.abspath(compare)), env_extra={"CHAT_CSP": "off"},
                            code=os.path.abspath(compare))
        found.append(("MicroPython (other)", other + "/?runtime=micropython", READY, OPEN_AT_ONCE))
    if bare:
        # The bare page runs PyScript without the chat's boot.js, so without its CSP workaround.
        found.append(("Bare MicroPython", stack.serve(bare_copy("micropython"), {"CHAT_CSP": "off"}) + "/",
                      BARE_READY, BARE_PROBE))
    if not skip_pyodide:
        found.append(("Pyodide", chat + "/?runtime=pyodide", READY, OPEN_AT_ONCE))
        if compare:
            found.append(("Pyodide (other)", other + "/?runtime=pyodide", READY, OPEN_AT_ONCE))
        if bare:
            found.append(("Bare Pyodide", stack.serve(bare_copy("pyodide"), {"CHAT_CSP": "off"}) + "/",
                          BARE_READY, BARE_PROBE))
    return found


def run(runs=5, skip_pyodide=False, compare=None, bare=True):
    """{name: {"cold": [ms...], "warm": [ms...]}} for every variant, measured interleaved."""
    stack = Stack()
    try:
        pages = variants(stack, skip_pyodide, compare, bare)
        results = dict((name, {"cold": [], "warm": []}) for name, _, _, _ in pages)
        with sync_playwright() as p:
            # Interleaved: each run measures every variant in turn, so a machine that slows down or
            # speeds up during the benchmark moves all of them alike.
            for _ in range(runs):
                for name, url, ready, probe in pages:
                    profile = tempfile.mkdtemp(prefix="bench-profile-")
                    try:
                        results[name]["cold"].append(measure(p, url, profile, ready, probe))
                        results[name]["warm"].append(measure(p, url, profile, ready, probe))
                    finally:
                        shutil.rmtree(profile, ignore_errors=True)
        return results
    finally:
        stack.close()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--compare", metavar="DIR",
                        help="also measure the page of another checkout (e.g. a git worktree of an older commit, "
                             "with static/pyscript filled), side by side")
    parser.add_argument("--skip-pyodide", action="store_true")
    args = parser.parse_args()
    results = run(args.runs, args.skip_pyodide, args.compare)
    for name, both in results.items():
        cold, warm = both["cold"], both["warm"]
        print("%-20s cold median %7.0f ms (min %5.0f, max %5.0f)   warm median %7.0f ms (min %5.0f, max %5.0f)"
              % (name, statistics.median(cold), min(cold), max(cold),
                 statistics.median(warm), min(warm), max(warm)), flush=True)
    return results


if __name__ == "__main__":
    main()
