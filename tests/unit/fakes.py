"""Fake ports for the controller: a scripted clock, ids, storage and a socket log.
Portable: runs on CPython, MicroPython and Pyodide (no pytest, no mocks)."""
import json


class FakePorts:
    def __init__(self, responses=None, start_ms=1_000_000):
        self.now = start_ms
        self.sent = []
        self.opened = []
        self.closed = 0
        self.timers = []  # [due_ms, seq, fn, handle]
        self.store = {}
        self.views = []
        self.fetches = []
        self.responses = responses or {}
        self._ids = 0
        self._seq = 0
        self.rand = 0.5
        self.logged = []
        self.uploads = []
        self.aborted = []
        self.links = []
        self.posted = []  # (origin or None, message) told to the host page
        self.language = None
        self.theme = None
        self.modules = {}  # url -> module object load_modules answers with
        self.renderers = None
        self.unread_shown = []
        self.sounds = 0
        self.permission = "default"
        self.permission_answer = "granted"  # what the browser answers a request
        self.notified = []
        self.downloads = []
        self.focused = 0

    # socket
    def open_socket(self, url):
        self.opened.append(url)

    def send(self, text):
        self.sent.append(json.loads(text))

    def close_socket(self):
        self.closed += 1

    # time
    def schedule(self, ms, fn):
        self._seq += 1
        self.timers.append([self.now + ms, self._seq, fn])
        return self._seq

    def cancel(self, handle):
        self.timers = [t for t in self.timers if t[1] != handle]

    def advance(self, ms):
        """Move the clock, firing due timers in order (timers may schedule more)."""
        end = self.now + ms
        while True:
            due = [t for t in self.timers if t[0] <= end]
            if not due:
                break
            due.sort(key=lambda t: (t[0], t[1]))
            timer = due[0]
            self.timers.remove(timer)
            self.now = max(self.now, timer[0])
            timer[2]()
        self.now = end

    def now_ms(self):
        return self.now

    def now_iso(self):
        return "2026-01-01T00:00:%02d.000Z" % ((self.now // 1000) % 60)

    def new_id(self):
        self._ids += 1
        return "00000000-0000-4000-8000-%012d" % self._ids

    def random(self):
        return self.rand

    # storage
    def load(self, key):
        return self.store.get(key)

    def save(self, key, value):
        self.store[key] = value

    # network
    def epoch_s(self):
        return 1_800_000_000 + self.now / 1000.0

    def fetch_json(self, url, on_done, headers=None):
        self.fetches.append(url)
        self.headers = headers
        for suffix in self.responses:
            if url.endswith(suffix) or (suffix.startswith("?") and suffix in url):
                answer = self.responses[suffix]
                status, data = answer(url, headers) if callable(answer) else answer
                on_done(status, data)
                return
        on_done(0, None)

    def render(self, view):
        self.views.append(view)

    def log(self, level, text):
        self.logged.append((level, text))

    def upload(self, upload_id, url, headers, on_progress, on_done):
        self.uploads.append([upload_id, url, headers, on_progress, on_done])

    def abort_upload(self, upload_id):
        self.aborted.append(upload_id)

    def fresh_link(self, attachment_id, url, purpose, filename):
        self.links.append((attachment_id, url, purpose, filename))

    def post_host(self, origin, message):
        self.posted.append((origin, message))

    def set_language(self, language, rtl):
        self.language = (language, rtl)

    def set_theme(self, tokens, scheme):
        self.theme = (tokens, scheme)

    def load_modules(self, urls, on_done):
        self.module_urls = list(urls)
        on_done([self.modules[url] for url in urls if url in self.modules])

    def use_renderers(self, overrides):
        self.renderers = overrides

    def add_stylesheets(self, urls):
        self.stylesheets = list(urls)

    # attention, files, focus
    def set_unread(self, count):
        self.unread_shown.append(count)

    def play_sound(self):
        self.sounds += 1

    def notification_permission(self):
        return self.permission

    def request_notifications(self, on_done):
        self.permission = self.permission_answer
        on_done(self.permission)

    def notify(self, title, body):
        self.notified.append((title, body))

    def download(self, filename, mime, content):
        self.downloads.append((filename, mime, content))

    def panel_opened(self):
        self.focused += 1

    def host_events(self, kind=None):
        return [m for _, m in self.posted if kind is None or m["type"] == kind]

    @property
    def view(self):
        return self.views[-1]


def server(cls, body, code=200, kind="message", tracing_id=None):
    frame = {"type": kind, "class": cls, "code": code, "body": body}
    if tracing_id:
        frame["tracingId"] = tracing_id
    return json.dumps(frame)


def text_from(direction, text, msg_id, time="2026-01-01T00:00:10.000Z", entity="Bot", sender=None,
              tracing_id=None):
    channel = {"time": time, "messageId": msg_id}
    if sender:
        channel["from"] = sender
    body = {"id": msg_id, "type": "Text", "text": text, "direction": direction, "channel": channel,
            "originatingEntity": entity}
    return server("StructuredMessage", body, tracing_id=tracing_id)
