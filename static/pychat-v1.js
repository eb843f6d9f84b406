/* PyChat embed loader, version 1: puts the chat on any page with one snippet.

   <script>
     window.pychat = window.pychat || function () { (pychat.q = pychat.q || []).push(arguments); };
     pychat("init", { position: "right" });
   </script>
   <script async src="https://chat.example.com/static/pychat-v1.js"></script>

   The chat itself runs in a frame from the chat's own host (its CSS, Python runtime, storage and
   socket stay there); this file only draws a launcher, shows and hides the frame, and relays the
   host-page API. All chat logic is Python inside the frame (app/chat/host.py, app/chat/embed.py).
   The public names `pychat` and `pychat-v1.js` stay stable; a breaking change ships as v2 beside it.
   Options, commands and events: docs/embedding.md. Nothing here touches the host page's styles:
   the launcher and the frame live in a shadow root. */
(function () {
  "use strict";
  var VERSION = 1;
  var PROTOCOL = "pychat";
  var previous = window.pychat;
  if (previous && previous.version) return; // loaded twice: the first one wins
  var script = document.currentScript;
  if (!script || !script.src) {
    console.error("pychat: load pychat-v1.js with its own <script src=...> tag");
    return;
  }
  var queued = (previous && previous.q) ? Array.prototype.slice.call(previous.q) : [];

  var DEFAULTS = {
    chatUrl: new URL("../", script.src).href, // the folder holding the chat's index.html
    position: "right",      // or "left"
    launcher: true,         // false: open it only through pychat("open")
    zIndex: 2147483000,     // above cookie banners and most site chrome
    load: "",               // "idle": preload once the page is idle; "click": only when first opened;
                            // "" = idle, or click with runtime "pyodide" (its start blocks the page ~2.5 s)
    startTimeout: 30000,    // ms for the chat to answer before it counts as unavailable
    whenUnavailable: "label", // or "hide"
    runtime: "",            // "micropython" or "pyodide"; "" = the chat's own settings
    titleUnread: true,      // "(2) Your page" in the tab's title while replies are unread
  };
  var options = null;
  var listeners = {};
  var pending = []; // commands for the frame before it is ready
  var state = { ready: false, open: false, failed: false, unread: 0, loading: false };
  var chatOrigin, frame, launcher, badge, host, timer, pageTitle = null;

  function fire(name, detail) {
    (listeners[name] || []).slice().forEach(function (fn) {
      try { fn(detail || {}); } catch (error) { console.error("pychat: a listener for " + name + " threw", error); }
    });
  }

  function post(message) {
    message[PROTOCOL] = VERSION;
    if (frame && frame.contentWindow) frame.contentWindow.postMessage(message, chatOrigin);
  }

  function command(message) {
    if (state.ready) post(message); else pending.push(message);
  }

  var STYLE = [
    ":host { all: initial; }",
    ".launcher { position: fixed; bottom: 20px; width: 56px; height: 56px; border: 0; border-radius: 50%;",
    "  background: var(--pychat-accent, #0b5fff); color: #fff; cursor: pointer; display: flex; align-items: center;",
    "  justify-content: center; box-shadow: 0 6px 20px rgba(0,0,0,.25); padding: 0; }",
    ".launcher:focus-visible { outline: 3px solid #ffbf47; outline-offset: 2px; }",
    ".launcher svg { width: 26px; height: 26px; }",
    ".launcher[data-unavailable] { width: auto; height: auto; border-radius: 999px; padding: 8px 14px; cursor: default;",
    "  background: #5b6475; font: 600 14px system-ui, sans-serif; box-shadow: none; }",
    ".badge { position: absolute; top: -4px; right: -4px; min-width: 20px; height: 20px; border-radius: 10px; padding: 0 5px;",
    "  box-sizing: border-box; background: #b42318; color: #fff; font: 700 12px/20px system-ui, sans-serif; text-align: center; }",
    ".frame { position: fixed; bottom: 88px; width: min(400px, calc(100vw - 40px)); height: min(640px, calc(100vh - 108px));",
    "  border: 0; border-radius: 14px; box-shadow: 0 12px 40px rgba(0,0,0,.25); background: #fff;",
    // closed: laid out at its size but not shown, focusable or exposed, so a chat preloaded at idle
    // has done its layout before the click (display: none left it to the click: ~12 ms)
    "  visibility: hidden; pointer-events: none; }",
    ".frame[data-open] { visibility: visible; pointer-events: auto; }",
    "@media (max-width: 480px) { .frame { inset: 0; width: 100%; height: 100%; border-radius: 0; }",
    "  .frame[data-open] ~ .launcher { display: none; } }",
  ].join("\n");

  var ICON = '<svg aria-hidden="true" viewBox="0 0 24 24"><path fill="currentColor" d="M4 4h16a2 2 0 0 1 2 2v9a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z"/></svg>';

  function build() {
    host = document.createElement("pychat-widget");
    var root = host.attachShadow({ mode: "open" });
    var style = document.createElement("style");
    style.textContent = STYLE;
    root.appendChild(style);
    var side = options.position === "left" ? "left" : "right";
    frame = document.createElement("iframe");
    frame.className = "frame";
    frame.title = "Chat";
    frame.setAttribute("allow", "clipboard-write");
    frame.style.setProperty(side, "20px");
    frame.style.zIndex = String(options.zIndex);
    root.appendChild(frame);
    launcher = document.createElement("button");
    launcher.type = "button";
    launcher.className = "launcher";
    launcher.innerHTML = ICON; // our own constant markup, never text from anywhere else
    launcher.setAttribute("aria-label", "Chat with us");
    launcher.setAttribute("aria-expanded", "false");
    launcher.style.setProperty(side, "20px");
    launcher.style.zIndex = String(options.zIndex);
    badge = document.createElement("span");
    badge.className = "badge";
    badge.hidden = true;
    launcher.appendChild(badge);
    launcher.addEventListener("click", function () { api.toggle(); });
    if (!options.launcher) launcher.hidden = true;
    root.appendChild(launcher);
    (document.body || document.documentElement).appendChild(host);
  }

  function load() {
    if (state.loading) return;
    state.loading = true;
    var url = new URL("index.html", options.chatUrl);
    url.searchParams.set("embed", "1");
    if (options.runtime) url.searchParams.set("runtime", options.runtime);
    frame.src = url.href;
    timer = setTimeout(function () {
      unavailable("the chat at " + url.origin + " did not answer within " + options.startTimeout + " ms. Check that " +
        url.href + " loads, and that this page's origin (" + location.origin + ") is listed in \"embed\": " +
        "{\"hosts\": [...]} of the chat's config.json.");
    }, options.startTimeout);
  }

  function unavailable(reason) {
    if (state.failed) return;
    state.failed = true;
    clearTimeout(timer);
    console.warn("pychat: chat unavailable: " + reason);
    frame.removeAttribute("data-open");
    state.open = false;
    if (options.whenUnavailable === "hide" || !options.launcher) {
      launcher.hidden = true;
    } else {
      launcher.textContent = launcher.getAttribute("data-unavailable-label") || "Chat unavailable";
      launcher.setAttribute("data-unavailable", "");
      launcher.disabled = true;
    }
    fire("error", { reason: reason });
  }

  function onMessage(event) {
    if (event.origin !== chatOrigin || !frame || event.source !== frame.contentWindow) return;
    var data = event.data;
    if (!data || data[PROTOCOL] !== VERSION || typeof data.type !== "string") return;
    switch (data.type) {
      case "hello": {
        var init = { type: "init", options: {} };
        ["deploymentId", "region", "webMessagingUrl", "apiBaseUrl", "cdnBaseUrl", "language", "theme"].forEach(function (key) {
          if (typeof options[key] === "string") init.options[key] = options[key];
        });
        post(init);
        break;
      }
      case "ready": {
        clearTimeout(timer);
        if (state.failed) return;
        var words = data.strings || {};
        if (words.launcher) launcher.setAttribute("aria-label", words.launcher);
        if (words.unavailable) launcher.setAttribute("data-unavailable-label", words.unavailable);
        var first = !state.ready;
        state.ready = true;
        if (state.open) post({ type: "open" });
        if (window.Notification) post({ type: "notifications", permission: Notification.permission });
        pending.splice(0).forEach(post);
        if (first) fire("ready", { version: VERSION });
        break;
      }
      case "hide": api.close(); break;
      case "theme": {
        // The chat's accent (the deployment's primaryColor or the settings' theme) on the launcher.
        if (/^#[0-9a-f]{6}$/i.test(data.accent || "")) launcher.style.setProperty("--pychat-accent", data.accent);
        if (/^#[0-9a-f]{6}$/i.test(data.accentText || "")) launcher.style.color = data.accentText;
        break;
      }
      case "unread": {
        state.unread = Math.max(0, Math.floor(Number(data.count) || 0));
        badge.textContent = state.unread > 99 ? "99+" : String(state.unread);
        badge.hidden = state.unread === 0;
        if (typeof data.label === "string") launcher.setAttribute("aria-label", data.label);
        if (options.titleUnread) {
          if (pageTitle === null) pageTitle = document.title;
          document.title = state.unread ? "(" + state.unread + ") " + pageTitle : pageTitle;
          if (!state.unread) pageTitle = null;
        }
        fire("unread", { count: state.unread });
        break;
      }
      // A browser lets only the top page ask for notifications and show them: the chat asks here.
      case "requestNotifications": {
        if (!window.Notification) { post({ type: "notifications", permission: "denied" }); break; }
        Promise.resolve(Notification.requestPermission()).then(function (answer) {
          post({ type: "notifications", permission: String(answer) });
        }, function () { post({ type: "notifications", permission: Notification.permission }); });
        break;
      }
      case "notify": {
        if (!window.Notification || Notification.permission !== "granted") break;
        try {
          var shown = new Notification(String(data.title || ""), { body: String(data.body || ""), tag: "pychat" });
          shown.onclick = function () { window.focus(); shown.close(); api.open(); };
        } catch (error) { console.warn("pychat: notification not shown", error); }
        break;
      }
      case "message": fire("message", { text: String(data.text || ""), author: String(data.author || ""), side: String(data.side || "") }); break;
      case "ended": fire("ended", {}); break;
      case "availability": {
        // "whenClosed": "hide" in the chat's settings: no launcher while the schedule says closed.
        if (options.launcher && !state.failed) launcher.hidden = !!data.hideLauncher && !state.open;
        fire("availability", { open: !!data.open });
        break;
      }
      case "error": fire("error", { reason: String(data.reason || "") }); break;
    }
  }

  var api = {
    version: VERSION,
    init: function (given) {
      if (options) return;
      options = {};
      Object.keys(DEFAULTS).forEach(function (key) { options[key] = DEFAULTS[key]; });
      Object.keys(given || {}).forEach(function (key) { options[key] = given[key]; });
      if (options.load !== "idle" && options.load !== "click") options.load = options.runtime === "pyodide" ? "click" : "idle";
      try {
        chatOrigin = new URL(options.chatUrl).origin;
      } catch (error) {
        console.error("pychat: chatUrl is not a URL: " + options.chatUrl);
        return;
      }
      window.addEventListener("message", onMessage);
      var start = function () {
        build();
        if (state.wantOpen) api.open();
        if (options.load === "click") return;
        var idle = window.requestIdleCallback || function (fn) { setTimeout(fn, 200); };
        var kick = function () { idle(load, { timeout: 3000 }); };
        if (document.readyState === "complete") kick(); else window.addEventListener("load", kick, { once: true });
      };
      if (document.body) start(); else document.addEventListener("DOMContentLoaded", start, { once: true });
    },
    open: function () {
      if (!options) api.init({});
      if (!frame) { state.wantOpen = true; return; } // before the page's body exists
      if (state.failed || state.open) return;
      load();
      state.open = true;
      frame.setAttribute("data-open", "");
      launcher.setAttribute("aria-expanded", "true");
      if (state.ready) post({ type: "open" });
      frame.focus();
      fire("opened", {});
    },
    close: function () {
      if (!state.open) return;
      state.open = false;
      frame.removeAttribute("data-open");
      launcher.setAttribute("aria-expanded", "false");
      if (state.ready) post({ type: "close" });
      if (options.launcher && !launcher.hidden) launcher.focus();
      fire("closed", {});
    },
    toggle: function () { if (state.open) api.close(); else api.open(); },
    send: function (text) { if (typeof text === "string" && text.trim()) { load(); command({ type: "send", text: text }); } },
    setAttributes: function (attributes) { command({ type: "setAttributes", attributes: attributes || {} }); },
    on: function (name, fn) { if (typeof fn === "function") (listeners[name] = listeners[name] || []).push(fn); },
    off: function (name, fn) { listeners[name] = (listeners[name] || []).filter(function (f) { return f !== fn; }); },
  };

  var pychat = function (name) {
    var args = Array.prototype.slice.call(arguments, 1);
    if (typeof api[name] !== "function") { console.error("pychat: unknown command " + name); return; }
    return api[name].apply(null, args);
  };
  Object.keys(api).forEach(function (key) { pychat[key] = api[key]; });
  window.pychat = pychat;

  var init = queued.filter(function (args) { return args[0] === "init"; })[0];
  api.init(init ? init[1] : {});
  queued.forEach(function (args) { if (args[0] !== "init") pychat.apply(null, args); });
})();
