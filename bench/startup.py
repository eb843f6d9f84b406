"""Median time from navigation to "ready to type", per interpreter, cold and warm, against the
emulator, with a plain-JavaScript page doing the same start-up as the baseline, in one run.

    .venv/bin/python -m bench.startup [--runs 5]

"Ready to type" = the composer is enabled and the panel says Connected (the SessionResponse has
arrived), read as performance.now() on the page's own clock. The launcher is clicked at
DOMContentLoaded on every page (the Python chat connects when the guest opens it). Cold = a fresh browser profile (empty
disk cache); warm = the same profile loaded again. Servers are the real emulator and proxy on
loopback; the baseline page is served by a plain static server.
"""
import argparse
import json
import os
import shutil
import statistics
import tempfile

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


OPEN_AT_ONCE = """document.addEventListener("DOMContentLoaded", () => {
  const launcher = document.getElementById("chat-launcher");
  if (launcher) launcher.click();
});"""


def launch(playwright, profile, config, route_config):
    """A Chromium with its own profile (kept between a cold and a warm load), answering
    `route_config` with `config` when given, and its page."""
    context = playwright.chromium.launch_persistent_context(profile, executable_path=shutil.which("chromium"),
                                                            args=ARGS, headless=True)
    if route_config:
        context.route(route_config, lambda route: route.fulfill(
            status=200, content_type="application/json", body=json.dumps(config)))
    return context, (context.pages[0] if context.pages else context.new_page())


def _measure(playwright, url, config, profile, route_config):
    context, page = launch(playwright, profile, config, route_config)
    try:
        # The guest opens the chat as soon as the page is there (the Python chat connects on open).
        page.add_init_script(OPEN_AT_ONCE)
        page.goto(url)
        handle = page.wait_for_function(READY, timeout=120_000, polling=5)
        return float(handle.json_value())
    finally:
        context.close()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--compare", metavar="DIR",
                        help="also measure the page of another checkout (e.g. a git worktree of an older commit, "
                             "with static/pyscript filled), side by side")
    parser.add_argument("--skip-pyodide", action="store_true")
    args = parser.parse_args()
    emulator_port, proxy_port = stack_mod.free_port(), stack_mod.free_port()
    emulator = stack_mod.start_emulator(emulator_port, quiet=True)
    proxies = [stack_mod.start_proxy(proxy_port, emulator_port, quiet=True)]
    static = stack_mod.serve_folder(HERE)
    config = {"deploymentId": stack_mod.DEMO_DEPLOYMENT_ID, "webMessagingUrl": "ws://127.0.0.1:%d/v1" % emulator_port,
              "apiBaseUrl": "http://127.0.0.1:%d" % emulator_port, "proxyUrl": ""}
    page_base = "http://127.0.0.1:%d" % proxy_port
    static_base = static.origin
    with open(os.path.join(HERE, "out-config.json"), "w") as handle:
        json.dump(config, handle)
    variants = [
        ("JavaScript baseline", static_base + "/baseline.html?config=out-config.json", None),
        ("MicroPython", page_base + "/?runtime=micropython", page_base + "/config.json"),
    ]
    if args.compare:
        other_port = stack_mod.free_port()
        # An older page may predate the Content-Security-Policy this proxy sends (docs/security.md).
        proxies.append(stack_mod.start_proxy(other_port, emulator_port, quiet=True, root=os.path.abspath(args.compare),
                                             env_extra={"CHAT_CSP": "off"}))
        other = "http://127.0.0.1:%d" % other_port
        variants.append(("MicroPython (other)", other + "/?runtime=micropython", other + "/config.json"))
    if not args.skip_pyodide:
        variants.append(("Pyodide", page_base + "/?runtime=pyodide", page_base + "/config.json"))
        if args.compare:
            variants.append(("Pyodide (other)", other + "/?runtime=pyodide", other + "/config.json"))
    results = dict((name, ([], [])) for name, _, _ in variants)
    try:
        with sync_playwright() as p:
            # Interleaved: each run measures every variant in turn, so a machine that slows down or
            # speeds up during the benchmark moves all of them alike.
            for _ in range(args.runs):
                for name, url, route in variants:
                    profile = tempfile.mkdtemp(prefix="bench-profile-")
                    try:
                        results[name][0].append(_measure(p, url, config, profile, route))
                        results[name][1].append(_measure(p, url, config, profile, route))
                    finally:
                        shutil.rmtree(profile, ignore_errors=True)
        for name, _, _ in variants:
            cold, warm = results[name]
            print("%-20s cold median %7.0f ms (min %5.0f, max %5.0f)   warm median %7.0f ms (min %5.0f, max %5.0f)"
                  % (name, statistics.median(cold), min(cold), max(cold),
                     statistics.median(warm), min(warm), max(warm)), flush=True)
    finally:
        static.shutdown()
        for proxy in proxies:
            stack_mod.stop(proxy)
        stack_mod.stop(emulator)
        os.remove(os.path.join(HERE, "out-config.json"))
    return results


if __name__ == "__main__":
    main()
