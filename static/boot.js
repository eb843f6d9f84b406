// Chooses the Python runtime and starts PyScript. All chat logic is Python (app/); this file only
// decides which interpreter runs it: ?runtime= (one load) or "runtime" in the settings file.
const PLUGINS_OFF = ["!error", "!deprecations-manager", "!donkey", "!py-editor", "!py-game", "!py-terminal", "!codemirror"];
const RUNTIMES = { micropython: ["mpy", "pyscript.toml"], pyodide: ["py", "pyscript.pyodide.toml"] };

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
const runtime = await chosenRuntime();
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
