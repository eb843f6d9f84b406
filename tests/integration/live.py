"""The chat controller and protocol core over a REAL socket to the emulator, in CPython.

`LivePorts` implements the controller's ports with asyncio: websockets for the socket, httpx for
fetches, the event loop's clock for timers. Everything above the ports is the code the browser runs.
"""
import asyncio
import datetime
import json
import random
import time
import uuid

import httpx
import websockets

from app.chat.controller import Controller

PAGE = "http://127.0.0.1:8765/index.html"
ORIGIN = "http://127.0.0.1:8765"


class LivePorts:
    def __init__(self, settings, store=None):
        self.loop = asyncio.get_running_loop()
        self.settings = settings
        self.store = store if store is not None else {}
        self.controller = None
        self.ws = None
        self.generation = 0
        self.views = []
        self.sent = []
        self.received = []  # every text frame, in delivery order
        self.http = httpx.AsyncClient(timeout=10)

    def attach(self, controller):
        self.controller = controller

    # socket
    def open_socket(self, url):
        self._drop()
        self.generation += 1
        self.loop.create_task(self._run(url, self.generation))

    async def _run(self, url, generation):
        try:
            ws = await websockets.connect(url, origin=ORIGIN, open_timeout=5)
        except Exception:
            if generation == self.generation:
                self.controller.on_close(1006)
            return
        if generation != self.generation:
            await ws.close()
            return
        self.ws = ws
        self.controller.on_open()
        try:
            async for text in ws:
                if generation != self.generation:
                    break
                self.received.append(text)
                self.controller.on_text(text)
        except websockets.ConnectionClosed:
            pass
        if generation == self.generation:
            self.ws = None
            code = ws.close_code if ws.close_code is not None else 1006
            self.controller.on_close(code)

    def _drop(self):
        if self.ws is not None:
            ws, self.ws = self.ws, None
            self.generation += 1
            self.loop.create_task(ws.close())

    def send(self, text):
        self.sent.append(json.loads(text))
        if self.ws is not None:
            self.loop.create_task(self._send(self.ws, text))

    async def _send(self, ws, text):
        try:
            await ws.send(text)
        except websockets.ConnectionClosed:
            pass  # the loss arrives through the reader

    def close_socket(self):
        self._drop()

    # time, ids
    def schedule(self, ms, fn):
        return self.loop.call_later(max(0, ms) / 1000.0, fn)

    def cancel(self, handle):
        handle.cancel()

    def now_ms(self):
        return int(self.loop.time() * 1000)

    def now_iso(self):
        return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"

    def epoch_s(self):
        return time.time()

    def new_id(self):
        return str(uuid.uuid4())

    def random(self):
        return random.random()

    # storage
    def load(self, key):
        return self.store.get(key)

    def save(self, key, value):
        self.store[key] = value

    # network
    def fetch_json(self, url, on_done, headers=None):
        self.loop.create_task(self._fetch(url, on_done, headers))

    async def _fetch(self, url, on_done, headers):
        if url.startswith(ORIGIN) and url.endswith("config.json"):
            return on_done(200, self.settings)
        status, data = 0, None
        try:
            response = await self.http.get(url, headers=headers or {})
            status = response.status_code
            data = response.json() if status == 200 else None
        except httpx.HTTPError:
            pass
        on_done(status, data)

    # the host page, looks and the customer's code: nothing of that exists in a test without a page
    def post_host(self, origin, message):
        pass

    def set_language(self, language, rtl):
        pass

    def set_theme(self, tokens, scheme):
        pass

    def load_modules(self, urls, on_done):
        on_done([])

    def use_renderers(self, overrides):
        pass

    def add_stylesheets(self, urls):
        pass

    # attention, files and focus belong to a page too
    def set_unread(self, count):
        pass

    def play_sound(self):
        pass

    def notification_permission(self):
        return "unsupported"

    def request_notifications(self, on_done):
        on_done("unsupported")

    def notify(self, title, body):
        pass

    def download(self, filename, mime, content):
        pass

    def panel_opened(self):
        pass

    def render(self, view):
        self.views.append(view)

    @property
    def view(self):
        return self.views[-1]

    async def close(self):
        self._drop()
        await self.http.aclose()


async def start_chat(stack, store=None, settings_extra=None):
    settings = {"deploymentId": stack.deployment_id, "webMessagingUrl": stack.socket_url,
                "apiBaseUrl": stack.emulator_url, "proxyUrl": None}
    settings.update(settings_extra or {})
    ports = LivePorts(settings, store)
    controller = Controller(ports)
    ports.attach(controller)
    controller.boot(PAGE)
    controller.open_panel()
    return controller, ports


async def until(predicate, timeout=10.0, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("timed out waiting for " + what)


def control(stack, path, body=None):
    response = httpx.post(stack.emulator_url + "/_emulator/" + path, json=body or {}, timeout=10)
    response.raise_for_status()
    return response.json() if response.content else None


def session(stack, token):
    return httpx.get(stack.emulator_url + "/_emulator/sessions/" + token, timeout=10).json()


def guest_texts(stack, token):
    """The guest's texts as the service recorded them in the conversation."""
    transcript = session(stack, token)["transcript"]
    return [m.get("text") for m in transcript if m.get("direction") == "Inbound" and m.get("type") == "Text"]
