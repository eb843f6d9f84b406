// Chooses the Python runtime and starts PyScript. All chat logic is Python (app/); this file only
// decides which interpreter runs it: ?runtime= (one load) or "runtime" in the settings file.
// The DOM builder the chat draws through (static/build.js), loading while the interpreter does.
import("./build.js");
const PLUGINS_OFF = ["!error", "!deprecations-manager", "!donkey", "!py-editor", "!py-game", "!py-terminal", "!codemirror"];
const RUNTIMES = { micropython: ["mpy", "pyscript.toml"], pyodide: ["py", "pyscript.pyodide.toml"] };
// What each interpreter fetches once PyScript has started, one step after another (core, then its
// config, then the interpreter's module, then its wasm, then the files). Asked for at once here, so
// the requests overlap: ~100 ms less on a cold start. Keep in step with pyscript*.toml.
const PRELOAD = {
  micropython: [["modulepreload", "static/pyscript/micropython/micropython.mjs"],
                ["fetch", "static/pyscript/micropython/micropython.wasm"],
                ["fetch", "pyscript.toml"], ["fetch", "static/app.mpy.pack"], ["fetch", "app/main.py"]],
  // Not Pyodide's 8 MB wasm: a preloaded answer skips Chromium's cache of the compiled code, and
  // a warm start then recompiles it (measured: +0.9 s warm).
  pyodide: [["modulepreload", "static/pyscript/pyodide/pyodide.mjs"],
            ["modulepreload", "static/pyscript/pyodide/pyodide.asm.mjs"],
            ["fetch", "static/pyscript/pyodide/python_stdlib.zip"],
            ["fetch", "static/pyscript/pyodide/pyodide-lock.json"],
            ["fetch", "pyscript.pyodide.toml"], ["fetch", "static/app.pack"], ["fetch", "app/main.py"]],
};

function preload(runtime) {
  const base = new URL(".", import.meta.url);  // static/
  for (const [kind, path] of PRELOAD[runtime]) {
    const link = document.createElement("link");
    link.rel = kind === "modulepreload" ? "modulepreload" : "preload";
    link.href = new URL("../" + path, base).href;
    if (kind === "fetch") {
      link.as = "fetch";
      link.crossOrigin = "anonymous";  // what fetch() asks for, so the preloaded answer is used
    }
    document.head.append(link);
  }
}

// The settings file, asked for now in the way app/browser/ports.py asks (the page's own, not ?config=).
function preloadSettings() {
  if (new URLSearchParams(location.search).get("config")) return;
  const link = document.createElement("link");
  Object.assign(link, { rel: "preload", as: "fetch", crossOrigin: "anonymous", href: new URL("config.json", location.href).href });
  document.head.append(link);
}

async function chosenRuntime() {
  const params = new URLSearchParams(location.search);
  if (RUNTIMES[params.get("runtime")]) return params.get("runtime");
  // Same-origin settings only; app/chat/settings.py re-checks and explains any refusal.
  const url = new URL(params.get("config") || "config.json", location.href);
  if (url.origin !== location.origin) return "micropython";
  try {
    const response = await fetch(url, { cache: "no-cache" });
    const settings = response.ok ? await response.json() : {};
    return RUNTIMES[settings.runtime] ? settings.runtime : "micropython";
  } catch (error) {
    return "micropython";
  }
}

// In a frame opened by static/pychat-v1.js the panel fills the frame (see chat.css).
if (new URLSearchParams(location.search).get("embed") === "1" && window.parent !== window) {
  document.documentElement.dataset.gcwEmbed = "";
}
// PyScript's modules are already on their way (index.html's modulepreload); it is imported only
// once the script and config elements below exist, since it reads them as it starts.
preloadSettings();
const runtime = await chosenRuntime();
preload(runtime);
const [type, config] = RUNTIMES[runtime];
document.documentElement.dataset.chatRuntime = runtime;
const script = document.createElement("script");
script.type = type;
script.src = "app/main.py";
script.setAttribute("config", config);
document.body.append(script);
// PyScript reads a config for each script type; the unused type gets one too, so that neither
// loads PyScript's plugins (five module fetches before the interpreter starts; see pyscript.toml).
const unused = document.createElement(type === "mpy" ? "py-config" : "mpy-config");
unused.setAttribute("type", "json");
unused.hidden = true;
unused.textContent = JSON.stringify({ plugins: PLUGINS_OFF });
document.body.append(unused);
// A strict Content-Security-Policy (no 'unsafe-eval'; docs/security.md): once an interpreter is
// ready, PyScript 0.7.31 builds the worker flavour of its hooks with Function() on the main thread
// too (polyscript's Hook reads hooks.worker.*), and one worker hook is always registered: the one
// that sets up `pyscript` inside workers. This chat runs no worker, so that hook is dropped before
// the interpreter has loaded, and nothing is evaluated from a string.
const { hooks } = await import("./pyscript/core.js");
hooks.worker.onBeforeRunAsync.clear();

// Before PyScript's own Python runs, on MicroPython (a speed-up only: if it fails, the start goes on
// as before, and app/main.py mounts the pack itself):
// - MicroPython looks on the file system ("" and /lib) at every `import json`: json, os, time, re...
//   are built-in modules that a file may extend, so they are never kept in sys.modules. It also
//   looks there before it takes a frozen module (asyncio, pathlib...). Each miss is a stat() that
//   Emscripten's file system throws and catches (~50-80 µs in a fresh page). So the modules PyScript
//   0.7.31 and the chat import are imported once with only the frozen ones on sys.path (the same
//   modules a normal search finds: nothing in "" or /lib is named so) and kept in sys.modules.
// - The app's pack (static/app.mpy.pack, a ROMFS image, which PyScript has written out as app.pack
//   by now: see pyscript.toml) is mounted first on sys.path, as app/main.py's _mount would do (keep the
//   two in step; main.py's serves a page without this file, and tests/runtimes). It also holds
//   PyScript's own `pyscript` package compiled (proxy/pack.py), so PyScript imports that instead of
//   compiling the copy it writes out at every start.
const MICROPYTHON_START = `
def _tune():
    import sys
    path = sys.path[:]
    sys.path[:] = [".frozen"]
    try:
        for name in ("json", "os", "time", "re", "struct", "io", "errno", "binascii", "vfs", "pathlib",
                     "inspect", "html", "functools", "collections", "base64", "asyncio"):
            sys.modules[name] = __import__(name)
    finally:
        sys.path[:] = path
    data = bytearray(sys.modules["os"].stat("app.pack")[6])
    with open("app.pack", "rb") as handle:
        handle.readinto(data)
    if data[:3] == b"\\xd2\\xcd\\x31":
        sys.modules["vfs"].mount(sys.modules["vfs"].VfsRom(data), "/app-pack")
        sys.path.insert(0, "/app-pack")
try:
    _tune()
finally:
    del _tune
`;
if (runtime === "micropython") {
  hooks.main.onReady.add((wrap) => {
    try {
      wrap.interpreter.runPython(MICROPYTHON_START);
    } catch (error) {
      console.debug("chat: MicroPython's start not tuned:", error);
    }
  });
}
