"""The controller's ports in a real browser: WebSocket, localStorage, timers, fetch, crypto.

The only module besides dom.py that touches `js`/`pyscript`. Every callback from the browser is
wrapped so a Python error becomes a console message and a plain notice, never a traceback in the page.
"""
import asyncio
import json

import js
from pyscript.ffi import create_proxy

from app.browser import bridge
from app.chat.clock import epoch_seconds


def guarded(fn, on_error=None):
    def call(*args):
        try:
            return fn(*args)
        except Exception as exc:  # a bug must not kill the page: report it and carry on
            js.console.error("chat: " + type(exc).__name__ + ": " + str(exc))
            if on_error is not None:
                on_error(exc)
    return call


def build_js(name):
    """A function of static/build.js (window.<name>), or None on a page that has not loaded it."""
    try:
        return getattr(js, name) or None
    except AttributeError:
        return None


class BrowserPorts:
    def __init__(self, on_error=None, embedded=False):
        self.renderer = None  # app/browser/dom.PanelRenderer, once built (use_renderer)
        self._for_panel = []  # what was asked of the panel before its renderer existed, in order
        self._early = {}  # url -> {"answer", "waiting"}: a request made before anyone asked for it (prefetch)
        self.embedded = embedded
        self.on_error = on_error  # shows a plain notice when a callback hits a bug
        self.controller = None
        self._socket = None
        self._generation = 0  # events from a socket we already dropped are ignored
        self.files = {}  # upload id -> the browser File the guest chose
        self._uploads = {}  # upload id -> its XMLHttpRequest while it runs
        self._title = None  # the page's own title, before an unread count went in front
        self._audio = None
        self._epoch_clock = None  # static/build.js's epochSeconds, once found
        self._timers = {}  # our timer number -> (fn, the browser's timer id)
        self._timer_count = 0
        self._timer_proxy = None

    def attach(self, controller):
        self.controller = controller

    def use_renderer(self, renderer):
        """The panel's renderer, once its code is imported: the chat boots and connects before that
        (app/main.py), so what it asked of the panel meanwhile is handed over now, in order."""
        self.renderer = renderer
        waiting, self._for_panel = self._for_panel, []
        for name, args in waiting:
            getattr(renderer, name)(*args)

    def in_task(self, fn, *args):
        """fn(*args) for a browser event: what it changes is drawn as it returns (dom.PanelRenderer.task)."""
        renderer = self.renderer
        return renderer.task(fn, *args) if renderer is not None else fn(*args)

    def _panel(self, name, *args):
        if self.renderer is None:
            self._for_panel.append((name, args))
        else:
            getattr(self.renderer, name)(*args)

    # -- socket -----------------------------------------------------------------------------
    def open_socket(self, url):
        self._drop()
        self._generation += 1
        generation = self._generation

        def current():
            return generation == self._generation

        def on_open(event):
            if current():
                self.in_task(self.controller.on_open)

        def on_message(event):
            if current():
                data = event.data  # read once: each read crosses from JavaScript (and copies the text)
                if isinstance(data, str):
                    self.in_task(self.controller.on_text, data)

        def on_close(event):
            if current():
                self._socket = None
                self.in_task(self.controller.on_close, int(event.code or 1006), str(event.reason or ""))

        try:
            socket = js.WebSocket.new(url)
        except Exception as exc:  # a malformed URL throws synchronously
            js.console.error("chat: cannot open socket: " + str(exc))
            self.schedule(0, lambda: on_close(_Closed()) if current() else None)
            return
        # The browser's own WebSocket: PyScript's wrapper (pyscript.WebSocket) made a Python object
        # of every event and read every attribute through a Python __getattr__, on every message.
        socket.onopen = create_proxy(guarded(on_open, self.on_error))
        socket.onmessage = create_proxy(guarded(on_message, self.on_error))
        socket.onclose = create_proxy(guarded(on_close, self.on_error))
        self._socket = socket

    def watch_policy(self):
        """A page's Content-Security-Policy that blocks the chat's socket or API fails silently in
        the browser (no close event for a blocked socket): say so to the site owner, and count a
        blocked socket as closed so the guest is told and the chat retries."""
        def violated(event):
            blocked = str(event.blockedURI or "")
            directive = str(event.effectiveDirective or event.violatedDirective or "")
            js.console.error("chat: this page's Content-Security-Policy (%s) blocked %s: add its origin to %s "
                             "(see docs/security.md)" % (directive, blocked, directive))
            socket = self._socket
            if socket is not None and blocked and str(socket.url).startswith(blocked.split("?")[0].rstrip("/")):
                self._socket = None
                self._generation += 1
                self.controller.on_close(1006, "blocked by the page's Content-Security-Policy")

        js.document.addEventListener("securitypolicyviolation", create_proxy(guarded(violated, self.on_error)))

    def _drop(self):
        if self._socket is not None:
            socket, self._socket = self._socket, None
            self._generation += 1
            try:
                socket.close()
            except Exception:
                pass

    def send(self, text):
        if self._socket is not None and self._socket.readyState == 1:
            self._socket.send(text)

    def close_socket(self):
        self._drop()

    # -- time, ids, randomness --------------------------------------------------------------
    def schedule(self, ms, fn):
        """`fn` after `ms`. Every timer goes through one proxy, given the timer's number: making a
        proxy cost more than the timer itself (~0.2 ms on MicroPython), and on Pyodide each had to
        be destroyed after it fired (and a cancelled one never was)."""
        if self._timer_proxy is None:
            self._timer_proxy = create_proxy(self._timer_fired)
        self._timer_count += 1
        handle = self._timer_count
        self._timers[handle] = (fn, js.setTimeout(self._timer_proxy, max(0, int(ms)), handle))
        return handle

    def _timer_fired(self, handle):
        timer = self._timers.pop(int(handle), None)
        if timer is not None:
            guarded(timer[0], self.on_error)()

    def cancel(self, handle):
        timer = self._timers.pop(handle, None)
        if timer is not None:
            js.clearTimeout(timer[1])

    def now_ms(self):
        # Monotonic milliseconds since page load. (Not Date.now(): MicroPython's FFI turns numbers
        # above 2**31 into wrapped small ints, and wall-clock time can jump.)
        return int(js.performance.now())

    def now_iso(self):
        return str(js.Date.new().toISOString())

    def new_id(self):
        crypto = js.crypto
        if hasattr(crypto, "randomUUID"):
            try:
                return str(crypto.randomUUID())
            except Exception:
                pass  # randomUUID exists only in secure contexts (https, localhost)
        return _uuid4_from(crypto)

    def random(self):
        return float(js.Math.random())

    # -- storage ----------------------------------------------------------------------------
    def load(self, key):
        try:
            value = js.localStorage.getItem(key)
        except Exception:
            return None
        return str(value) if isinstance(value, str) else None

    def save(self, key, value):
        try:
            js.localStorage.setItem(key, value)
        except Exception:
            pass  # storage full or blocked: the chat still works, it just won't resume

    # -- network ----------------------------------------------------------------------------
    def epoch_s(self):
        # Date.now() (~1.7e12) comes through MicroPython's FFI wrapped to a small int: static/build.js
        # hands it over as a float, or (without that file) the wall clock is read as text.
        clock = self._epoch_clock or build_js("gcwEpochSeconds")  # (looked for until that file has loaded)
        if clock is not None:
            self._epoch_clock = clock
            return float(clock())
        return epoch_seconds(self.now_iso()) or 0.0

    def log(self, level, text):
        getattr(js.console, "error" if level == "error" else "warn")(text)

    # -- files ------------------------------------------------------------------------------
    def upload(self, upload_id, url, headers, on_progress, on_done):
        """PUT the chosen file's bytes with XMLHttpRequest (fetch reports no upload progress)."""
        file = self.files.get(upload_id)
        if file is None:
            return self.schedule(0, lambda: on_done(0))
        xhr = js.XMLHttpRequest.new()
        self._uploads[upload_id] = xhr
        proxies = []

        def progress(event):
            if event.lengthComputable:
                on_progress(int(event.loaded), int(event.total))

        def finished(event):
            if self._uploads.get(upload_id) is xhr:
                del self._uploads[upload_id]
                on_done(int(xhr.status or 0))
            for proxy in proxies:
                if hasattr(proxy, "destroy"):
                    proxy.destroy()

        for target, kind, fn in ((xhr.upload, "progress", progress), (xhr, "loadend", finished)):
            proxy = create_proxy(guarded(fn, self.on_error))
            proxies.append(proxy)
            target.addEventListener(kind, proxy)
        xhr.open("PUT", url)
        for name in headers or {}:
            xhr.setRequestHeader(str(name), str(headers[name]))
        xhr.send(file)

    def abort_upload(self, upload_id):
        xhr = self._uploads.pop(upload_id, None)
        if xhr is not None:
            xhr.abort()

    def fresh_link(self, attachment_id, url, purpose, filename):
        self._panel("fresh_link", attachment_id, url, purpose, filename)

    def fetch_json(self, url, on_done, headers=None):
        answer = guarded(on_done, self.on_error)
        early = None if headers else self._early.pop(url, None)
        if early is None:
            self._request(url, headers, answer)
        elif early["answer"] is None:
            early["waiting"].append(answer)
        else:
            # answered already: still not before we return, and in a task of its own
            self.schedule(0, lambda: answer(*early["answer"]))

    def prefetch(self, url, then=None):
        """Ask for `url` (JSON, no headers) now, before the controller does: its next fetch_json of
        the same URL is answered from this request instead of a new one. `then(status, data)` runs
        when the answer is in (before the controller's own callback)."""
        early = {"answer": None, "waiting": [guarded(then, self.on_error)] if then is not None else []}
        self._early[url] = early

        def done(status, data):
            early["answer"] = (status, data)
            waiting, early["waiting"] = early["waiting"], []
            for answer in waiting:
                answer(status, data)

        self._request(url, None, done)

    def _request(self, url, headers, done):
        """fetch() -> done(status, data or None; status 0 when it failed), through the promises'
        own callbacks rather than an asyncio task: on MicroPython every await resumes from a timer
        task, behind whatever else the page has queued, and a fetch takes several."""
        held = []

        def finish(status, data):
            for proxy in held:
                if hasattr(proxy, "destroy"):
                    proxy.destroy()  # Pyodide keeps proxies alive until destroyed
            done(status, data)

        def failed(error, status=0):
            js.console.warn("chat: fetch failed for " + url + ": " + str(error))
            finish(status, None)

        def read(text, status):
            if status != 200:
                return finish(status, None)  # the body was read anyway, so the request completes
            try:
                data = json.loads(str(text))
            except Exception as exc:
                return failed(exc, status)
            finish(status, data)

        def answered(response):
            status = int(response.status)
            response.text().then(self._held(held, lambda text: read(text, status)),
                                 self._held(held, lambda error: failed(error, status)))

        options = {"cache": "no-cache"}
        if headers:
            options["headers"] = dict(headers)
        try:
            js.fetch(url, _js_object(options)).then(self._held(held, answered), self._held(held, failed))
        except Exception as exc:  # a malformed URL may throw at once
            self.schedule(0, lambda: failed(exc))

    def _held(self, held, fn):
        proxy = create_proxy(guarded(fn, self.on_error))
        held.append(proxy)
        return proxy

    def render(self, view):
        """The panel draws a lone change (the session becoming ready to type, a message) when this
        task ends, and a burst of changes once per animation frame (app/browser/dom.py render)."""
        self._panel("render", view)

    def post_host(self, origin, message):
        bridge.post(origin, message)

    # -- attention ----------------------------------------------------------------------------
    def set_unread(self, count):
        """The page's title shows the count (inline: this page is the host page; in a frame the
        loader on the host page does it, and draws the launcher's badge)."""
        if self.embedded:
            return
        from app.chat.strings import t

        if self._title is None:
            self._title = str(js.document.title)
        js.document.title = t("attention.title", count=count, title=self._title) if count else self._title

    def play_sound(self):
        """A short, quiet two-note chime made with Web Audio (no sound file to fetch)."""
        try:
            if self._audio is None:
                make = getattr(js.window, "AudioContext", None) or getattr(js.window, "webkitAudioContext", None)
                if make is None:
                    return
                self._audio = make.new()
            audio = self._audio
            start = float(audio.currentTime)
            for offset, pitch in ((0.0, 880), (0.12, 1320)):
                tone = audio.createOscillator()
                gain = audio.createGain()
                tone.frequency.value = pitch
                gain.gain.setValueAtTime(0.0001, start + offset)
                gain.gain.exponentialRampToValueAtTime(0.08, start + offset + 0.02)
                gain.gain.exponentialRampToValueAtTime(0.0001, start + offset + 0.25)
                tone.connect(gain)
                gain.connect(audio.destination)
                tone.start(start + offset)
                tone.stop(start + offset + 0.3)
        except Exception as exc:  # autoplay rules may refuse before the guest has interacted
            js.console.warn("chat: no sound: " + str(exc))

    def notification_permission(self):
        if self.embedded:
            return "default"  # a frame may not ask; the host page's loader asks and answers
        notification = getattr(js.window, "Notification", None)
        return str(notification.permission) if notification is not None else "unsupported"

    def request_notifications(self, on_done):
        if self.embedded:
            return self.controller.host.emit("requestNotifications")  # answered by a "notifications" command
        notification = getattr(js.window, "Notification", None)
        if notification is None:
            return on_done("unsupported")

        async def ask():
            try:
                answer = await notification.requestPermission()
            except Exception:
                answer = notification.permission
            guarded(on_done, self.on_error)(str(answer))

        asyncio.create_task(ask())

    def notify(self, title, body):
        if self.embedded:
            return self.controller.host.emit("notify", title=title, body=body)
        try:
            shown = js.Notification.new(title, _js_object({"body": body, "tag": "gcw-chat", "lang": str(
                js.document.documentElement.lang or "")}))
            shown.onclick = create_proxy(guarded(lambda event: self._notification_clicked(shown), self.on_error))
        except Exception as exc:
            js.console.warn("chat: notification not shown: " + str(exc))

    def _notification_clicked(self, shown):
        js.window.focus()
        shown.close()
        panel = js.document.getElementById("chat-panel")
        if panel and not panel.matches(":popover-open"):
            panel.showPopover()

    def download(self, filename, mime, content):
        self._panel("download", filename, mime, content)

    def panel_opened(self):
        self._panel("focus_panel")

    def set_language(self, language, rtl):
        self._panel("set_language", language, rtl, self.embedded)

    def set_theme(self, tokens, scheme):
        self._panel("set_theme", tokens, scheme)

    def load_modules(self, urls, on_done):
        from app.browser import modules

        modules.load(urls, on_done, lambda fn: guarded(fn, self.on_error))

    def add_stylesheets(self, urls):
        for url in urls:
            link = js.document.createElement("link")
            link.rel = "stylesheet"
            link.href = url
            js.document.head.appendChild(link)

    def use_renderers(self, overrides):
        from app.chat.render import Renderers

        self._panel("use_renderers", Renderers(overrides, log=self.log))


class _Closed:
    code = 1006
    reason = "could not open"


def _js_object(values):
    from pyscript.ffi import to_js

    return to_js(values)


def _uuid4_from(crypto):
    data = js.Uint8Array.new(16)
    crypto.getRandomValues(data)
    b = [int(data[i]) for i in range(16)]
    b[6] = (b[6] & 0x0F) | 0x40
    b[8] = (b[8] & 0x3F) | 0x80
    h = "".join("%02x" % x for x in b)
    return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
