"""Where the chat page's start-up time goes: per phase, per interpreter, cold and warm.

    .venv/bin/python -m bench.phases [--runs 5] [--skip-pyodide]

Same set-up as bench/startup.py: the real emulator and proxy on loopback (scripts/stack.py, free
ports), /config.json answered by a context.route with the test settings, Debian's Chromium, one
fresh persistent profile per cold/warm pair (cold = empty disk cache, warm = the same profile
loaded again), and the launcher clicked at DOMContentLoaded (the chat connects when it is open).

Every figure is ms from navigation start on the page's own clock (performance.timeOrigin), read
after "ready to type" (the READY predicate of bench/startup.py):

- fetches: PerformanceResourceTiming / PerformanceNavigationTiming responseEnd (the emulator's
  deployment config is cross-origin, so only its start/end times are exposed, not its size);
- wasm compile/instantiate: an init script wraps WebAssembly.instantiate/instantiateStreaming/
  compile/compileStreaming and records when each call starts and settles;
- interpreter ready: PyScript's `mpy:ready` / `py:ready` event (dispatched on the script element
  synchronously just before app/main.py runs), `mpy:done` / `py:done` after it returned, and the
  `*:progress` events ("Loaded MicroPython", "Loaded files", ...);
- main.py runs: its first performance.mark ("chat:script"; app/main.py marks each of its steps:
  unpack, unpacked, modules, booted, wired, all shown as "mark" rows). Between PyScript's *:ready
  and this, PyScript runs its own Python set-up (a bare page pays it too), not the app;
- chat wired: a wrapped Element.prototype.setAttribute notes, synchronously, the moment
  app/browser/wiring.py sets data-chat-python="ready" (the panel's renderer built and its
  listeners on; the chat has booted before that, so its settings and deployment config may
  already be on their way);
- socket: window.WebSocket replaced by a subclass noting construction, open, first message and
  the first message naming SessionResponse;
- long tasks: PerformanceObserver('longtask'), those starting before ready;
- bytes: the sum of resource-timing transferSize (same-origin, 0 for cache hits) and, from a CDP
  session's Network domain, the sum of encodedDataLength over finished requests (all origins,
  excluding the WebSocket frames), with request counts.

Note: Playwright disables the HTTP cache in a context that has a route, so with the route the
"warm" load re-downloads everything (only V8's code caches and the OS page cache are warm). With
--real-cache the same measurements are also taken with no route at all: a second proxy serves a
temporary copy of the page (index.html, the two pyscript*.toml, app/, custom/, static/) whose
config.json is the test settings, so warm loads use the disk cache as a visitor's browser would.
The copy is made because the proxy refuses symlinks that leave its root.

No Chromium trace is taken: these page-clock marks are cheap, do not perturb the timings the way a
trace does, and answer each question directly. Long-task attribution is by time window only.
"""
import argparse
import json
import os
import shutil
import statistics
import tempfile

from playwright.sync_api import sync_playwright

from bench.startup import OPEN_AT_ONCE, READY, launch, page_copy
from scripts import stack as stack_mod

PROBE = r"""(() => {
  const marks = window.__phases = {wasm: [], progress: [], events: {}, ws: [], longtasks: []};
  const now = () => performance.now();
  try { performance.setResourceTimingBufferSize(2000); } catch (e) {}
  try {
    new PerformanceObserver(list => {
      for (const e of list.getEntries()) marks.longtasks.push([e.startTime, e.duration]);
    }).observe({type: "longtask", buffered: true});
  } catch (e) {}
  for (const name of ["instantiate", "instantiateStreaming", "compile", "compileStreaming"]) {
    const original = WebAssembly[name];
    if (!original) continue;
    WebAssembly[name] = function (...args) {
      const entry = {name, start: now(), end: null};
      marks.wasm.push(entry);
      const result = original.apply(this, args);
      Promise.resolve(result).then(() => { entry.end = now(); }, () => { entry.end = now(); entry.failed = true; });
      return result;
    };
  }
  for (const type of ["mpy", "py"]) {
    for (const what of ["ready", "done"]) {
      document.addEventListener(type + ":" + what, () => {
        marks.events[type + ":" + what] = marks.events[type + ":" + what] || now();
      }, true);
    }
    window.addEventListener(type + ":progress", e => marks.progress.push([now(), String(e.detail)]));
  }
  const setAttribute = Element.prototype.setAttribute;
  Element.prototype.setAttribute = function (name, value) {
    if (name === "data-chat-python" && !marks.chatPython) marks.chatPython = now();
    return setAttribute.call(this, name, value);
  };
  const Original = window.WebSocket;
  class Probe extends Original {
    constructor(...args) {
      super(...args);
      const entry = {created: now(), open: null, first: null, session: null};
      marks.ws.push(entry);
      this.addEventListener("open", () => { entry.open = now(); });
      this.addEventListener("message", event => {
        entry.first = entry.first || now();
        if (!entry.session && typeof event.data === "string" && event.data.includes('"SessionResponse"')) {
          entry.session = now();
        }
      });
    }
  }
  window.WebSocket = Probe;
})();"""

COLLECT = """() => {
  const nav = performance.getEntriesByType('navigation')[0];
  const res = performance.getEntriesByType('resource').map(e => ({
    name: e.name, start: e.startTime, end: e.responseEnd, size: e.transferSize, type: e.initiatorType}));
  const chat = performance.getEntriesByType('mark').filter(e => e.name.startsWith('chat:'))
    .map(e => [e.name, e.startTime]);
  return {nav: {end: nav.responseEnd, dcl: nav.domContentLoadedEventEnd, size: nav.transferSize},
          res, marks: window.__phases, chat, origin: location.origin};
}"""

# (key, label) in print order; a label starting with two spaces is a span (a difference), not a time.
ROWS = [
    ("html", "HTML document fetched"),
    ("css", "CSS fetched (last of 3)"),
    ("boot", "boot.js fetched"),
    ("dcl", "DOMContentLoaded (launcher clicked)"),
    ("core", "PyScript core JS fetched (last module)"),
    ("toml", "pyscript*.toml fetched"),
    ("mainpy", "app/main.py fetched"),
    ("mjs", "interpreter .mjs fetched (last)"),
    ("wasm", "interpreter .wasm fetched"),
    ("wasm_start", "wasm compile/instantiate started"),
    ("wasm_end", "wasm compiled + instantiated"),
    ("stdlib", "python_stdlib.zip fetched"),
    ("lock", "pyodide-lock.json fetched"),
    ("loaded", "progress 'Loaded <interpreter>'"),
    ("pack", "app.pack fetched"),
    ("ready_evt", "interpreter ready (*:ready event)"),
    ("main_start", "main.py may start (ready + main.py fetched)"),
    ("script", "main.py runs (mark chat:script)"),
    ("imported", "chat wired (data-chat-python=ready)"),
    ("settings_start", "settings config.json requested"),
    ("settings", "settings config.json fetched"),
    ("deploy_start", "deployment config.json requested"),
    ("deploy", "deployment config.json fetched"),
    ("done_evt", "main.py returned (*:done)"),
    ("ws_created", "WebSocket created"),
    ("ws_open", "WebSocket open"),
    ("ws_first", "first socket message"),
    ("ws_session", "SessionResponse received"),
    ("ready", "READY to type"),
    ("d_network", "  span: nav -> runtime files fetched (mjs, wasm, stdlib)"),
    ("d_wasm", "  span: wasm compile + instantiate (streaming)"),
    ("d_interp", "  span: runtime fetched -> interpreter ready"),
    ("d_pack", "  span: wasm instantiated -> app.pack fetched"),
    ("d_mainpy", "  span: ready -> main.py fetched (sequential)"),
    ("d_pyscript", "  span: PyScript's own set-up (ready -> main.py runs)"),
    ("d_import", "  span: unpack + import + boot + wiring (main.py runs -> wired)"),
    ("d_configs", "  span: main.py runs -> deployment config fetched"),
    ("d_socket", "  span: deployment config -> socket open"),
    ("d_session", "  span: socket open -> SessionResponse"),
    ("d_paint", "  span: SessionResponse -> READY"),
    ("requests", "requests (resource timing, incl. document)"),
    ("kb_rt", "KB transferred (resource timing, same-origin)"),
    ("requests_cdp", "requests (CDP, all origins)"),
    ("kb_cdp", "KB transferred (CDP encodedDataLength)"),
    ("lt_count", "long tasks > 50 ms before ready (count)"),
    ("lt_sum", "long tasks before ready: sum ms"),
    ("lt_max", "long tasks before ready: max ms"),
    ("lt_max_start", "longest long task starts at"),
]
COUNTS = {"requests", "requests_cdp", "lt_count"}


def _last(entries, test, field="end"):
    values = [e[field] for e in entries if test(e["name"])]
    return max(values) if values else None


def _first(entries, test, field="start"):
    values = [e[field] for e in entries if test(e["name"])]
    return min(values) if values else None


def _diff(a, b):
    return None if a is None or b is None else a - b


def _phases(data, ready, cdp):
    res, marks, origin = data["res"], data["marks"], data["origin"]
    path = lambda n: n.split("?")[0]  # noqa: E731
    same = lambda n: n.startswith(origin)  # noqa: E731
    runtime = lambda n: "/static/pyscript/micropython/" in n or "/static/pyscript/pyodide/" in n  # noqa: E731
    out = {
        "html": data["nav"]["end"],
        "dcl": data["nav"]["dcl"],
        "css": _last(res, lambda n: path(n).endswith(".css")),
        "boot": _last(res, lambda n: path(n).endswith("/static/boot.js")),
        "core": _last(res, lambda n: "/static/pyscript/" in n and path(n).endswith(".js") and not runtime(n)),
        "toml": _last(res, lambda n: path(n).endswith(".toml")),
        "mainpy": _last(res, lambda n: path(n).endswith("/app/main.py")),
        "mjs": _last(res, lambda n: runtime(n) and path(n).endswith(".mjs")),
        "wasm": _last(res, lambda n: runtime(n) and path(n).endswith(".wasm")),
        "stdlib": _last(res, lambda n: path(n).endswith("python_stdlib.zip")),
        "lock": _last(res, lambda n: path(n).endswith("pyodide-lock.json")),
        "pack": _last(res, lambda n: path(n).endswith(".pack")),
        "settings_start": _first(res, lambda n: same(n) and path(n).endswith("/config.json")),
        "settings": _last(res, lambda n: same(n) and path(n).endswith("/config.json")),
        "deploy_start": _first(res, lambda n: "/webdeployments/" in n and path(n).endswith("/config.json")),
        "deploy": _last(res, lambda n: "/webdeployments/" in n and path(n).endswith("/config.json")),
        "ready": ready,
    }
    wasm = [w for w in marks["wasm"] if w.get("end") is not None]
    out["wasm_start"] = min((w["start"] for w in wasm), default=None)
    out["wasm_end"] = max((w["end"] for w in wasm), default=None)
    loaded = [t for t, detail in marks["progress"] if detail in ("Loaded MicroPython", "Loaded Pyodide")]
    out["loaded"] = loaded[0] if loaded else None
    events = marks["events"]
    out["ready_evt"] = events.get("mpy:ready") or events.get("py:ready")
    out["done_evt"] = events.get("mpy:done") or events.get("py:done")
    out["imported"] = marks.get("chatPython")
    socket = marks["ws"][0] if marks["ws"] else {}
    out["ws_created"], out["ws_open"] = socket.get("created"), socket.get("open")
    out["ws_first"], out["ws_session"] = socket.get("first"), socket.get("session")
    # app.pack is left out: PyScript fetches [files] only once the interpreter module is there.
    fetched = [v for v in (out["wasm"], out["stdlib"], out["lock"], out["mjs"]) if v is not None]
    out["d_network"] = max(fetched) if fetched else None
    out["d_wasm"] = _diff(out["wasm_end"], out["wasm_start"])
    out["d_interp"] = _diff(out["ready_evt"], out["d_network"])
    out["d_pack"] = _diff(out["pack"], out["wasm_end"])
    # PyScript dispatches *:ready and only then fetches the script's src (app/main.py).
    starts = [v for v in (out["ready_evt"], out["mainpy"]) if v is not None]
    out["main_start"] = max(starts) if starts else None
    out["d_mainpy"] = _diff(out["main_start"], out["ready_evt"])
    out["script"] = next((at for name, at in data.get("chat") or () if name == "chat:script"), None)
    out["d_pyscript"] = _diff(out["script"], out["main_start"])
    out["d_import"] = _diff(out["imported"], out["script"] if out["script"] is not None else out["main_start"])
    out["d_configs"] = _diff(out["deploy"], out["script"])
    out["d_socket"] = _diff(out["ws_open"], out["deploy"])
    out["d_session"] = _diff(out["ws_session"], out["ws_open"])
    out["d_paint"] = _diff(ready, out["ws_session"])
    out["requests"] = len(res) + 1
    out["kb_rt"] = (sum(e["size"] or 0 for e in res) + (data["nav"]["size"] or 0)) / 1024
    out["requests_cdp"], out["kb_cdp"] = cdp["count"], cdp["bytes"] / 1024
    long_tasks = [(s, d) for s, d in marks["longtasks"] if s < ready]
    out["lt_count"] = len(long_tasks)
    out["lt_sum"] = sum(d for _, d in long_tasks)
    out["lt_max"] = max((d for _, d in long_tasks), default=0.0)
    out["lt_max_start"] = max(long_tasks, key=lambda t: t[1])[0] if long_tasks else None
    for name, at in data.get("chat") or ():  # the app's own performance.mark("chat:...") steps
        out.setdefault("mark:" + name, at)
    return out


def _measure(playwright, url, config, profile, route_config):
    context, page = launch(playwright, profile, config, route_config)
    try:
        page.add_init_script(PROBE)
        page.add_init_script(OPEN_AT_ONCE)
        cdp = {"count": 0, "bytes": 0}
        session = context.new_cdp_session(page)

        def finished(params):
            cdp["count"] += 1
            cdp["bytes"] += params.get("encodedDataLength", 0)

        session.on("Network.loadingFinished", finished)
        session.send("Network.enable")
        page.goto(url)
        handle = page.wait_for_function(READY, timeout=120_000, polling=5)
        ready = float(handle.json_value())
        data = page.evaluate(COLLECT)
        session.detach()
        return _phases(data, ready, cdp)
    finally:
        context.close()


def _median(runs, key):
    values = [run[key] for run in runs if run.get(key) is not None]
    return statistics.median(values) if values else None


def _cell(value, key):
    if value is None:
        return "-"
    if key in COUNTS:
        return "%g" % value
    if key.startswith("kb") and abs(value) < 10:
        return "%.1f" % value
    return "%.0f" % value


def table(name, cold, warm):
    """The phases as a Markdown table (medians), under a heading line."""
    width = max([len(label) for _, label in ROWS] + [len(k) for run in cold + warm for k in run])
    lines = ["%s (median of %d cold / %d warm runs; ms from navigation start unless noted)"
             % (name, len(cold), len(warm)), "",
             "| %-*s | %11s | %11s |" % (width, "phase", "cold median", "warm median"),
             "|-%s-|-%s:|-%s:|" % ("-" * width, "-" * 10, "-" * 10)]
    marks = sorted(set(k for run in cold + warm for k in run if k.startswith("mark:")),
                   key=lambda k: _median(cold, k) or _median(warm, k) or 0)
    for key, label in ROWS + [(k, "mark " + k[5:]) for k in marks]:
        c, w = _median(cold, key), _median(warm, key)
        if c is None and w is None:
            continue
        lines.append("| %-*s | %11s | %11s |" % (width, label, _cell(c, key), _cell(w, key)))
    return "\n".join(lines)


def print_table(name, cold, warm):
    print("\n" + table(name, cold, warm) + "\n", flush=True)


def run(runs=5, skip_pyodide=False, with_route=True, real_cache=False, compare=None):
    """{variant name: (cold runs, warm runs)}, each run a dict of the phases above. `compare`:
    another checkout's page (e.g. a git worktree of an older commit) measured the same way, with
    no route, side by side."""
    emulator_port, proxy_port = stack_mod.free_port(), stack_mod.free_port()
    emulator = stack_mod.start_emulator(emulator_port, quiet=True)
    proxies, copy_roots = [], []
    try:
        proxies.append(stack_mod.start_proxy(proxy_port, emulator_port, quiet=True))
        config = {"deploymentId": stack_mod.DEMO_DEPLOYMENT_ID,
                  "webMessagingUrl": "ws://127.0.0.1:%d/v1" % emulator_port,
                  "apiBaseUrl": "http://127.0.0.1:%d" % emulator_port, "proxyUrl": ""}
        base = "http://127.0.0.1:%d" % proxy_port
        interpreters = [("MicroPython", "micropython")] + ([] if skip_pyodide else [("Pyodide", "pyodide")])
        variants = []
        if with_route:
            variants += [(name + ", config via route (HTTP cache off)", base + "/?runtime=" + runtime,
                          base + "/config.json") for name, runtime in interpreters]
        copies = ([("", None)] if real_cache else []) + ([(" (other)", compare)] if compare else [])
        for suffix, root in copies:
            copy_root = page_copy(config, os.path.abspath(root)) if root else page_copy(config)
            copy_roots.append(copy_root)
            copy_port = stack_mod.free_port()
            # An older page may predate the Content-Security-Policy this proxy sends (docs/security.md).
            proxies.append(stack_mod.start_proxy(copy_port, emulator_port, quiet=True, root=copy_root,
                                                 env_extra={"CHAT_CSP": "off"} if root else None,
                                                 code=os.path.abspath(root) if root else stack_mod.ROOT))
            copy_base = "http://127.0.0.1:%d" % copy_port
            variants += [(name + suffix + ", no route (HTTP cache on)", copy_base + "/?runtime=" + runtime, None)
                         for name, runtime in interpreters]
        results = dict((name, ([], [])) for name, _, _ in variants)
        with sync_playwright() as p:
            for _ in range(runs):  # interleaved, as in bench/startup.py
                for name, url, route in variants:
                    profile = tempfile.mkdtemp(prefix="bench-phases-")
                    try:
                        results[name][0].append(_measure(p, url, config, profile, route))
                        results[name][1].append(_measure(p, url, config, profile, route))
                    finally:
                        shutil.rmtree(profile, ignore_errors=True)
        return results
    finally:
        for proxy in proxies:
            stack_mod.stop(proxy)
        stack_mod.stop(emulator)
        for copy_root in copy_roots:
            shutil.rmtree(copy_root, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--skip-pyodide", action="store_true")
    parser.add_argument("--real-cache", action="store_true",
                        help="also measure without a route (a temporary copy of the page holds the test "
                             "config.json), so that warm loads really use the HTTP cache")
    parser.add_argument("--no-route", action="store_true",
                        help="skip the variants with a route (use with --real-cache or --compare)")
    parser.add_argument("--compare", metavar="DIR",
                        help="also measure the page of another checkout (no route), side by side")
    parser.add_argument("--json", metavar="FILE", help="also write every run's phases to FILE")
    args = parser.parse_args()
    results = run(args.runs, args.skip_pyodide, not args.no_route, args.real_cache, args.compare)
    for name, (cold, warm) in results.items():
        print_table(name, cold, warm)
    if args.json:
        with open(args.json, "w") as handle:
            json.dump(results, handle, indent=1)
    return results


if __name__ == "__main__":
    main()
