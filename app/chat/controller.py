"""Drives one chat panel: settings -> socket -> protocol core -> chat state -> render.

Pure Python over injected `ports` (see `Ports` below), so the whole flow runs in CPython tests
with fakes, and in the browser with app/browser/ports.py. This file routes: what each core event
means for the panel, and what each guest action sends. The parts it routes to own one thing each:
app/chat/outbox.py (messages on their way and the send budget), app/chat/sync.py (history catch-up,
JWT, held sends), app/chat/storage.py (what survives a reload), app/chat/uploads.py (files the
guest sends), app/chat/transcript.py (rows and the view), app/chat/host.py (the host page's API:
events out, commands in), app/chat/attention.py (unread count, divider, sound, notifications,
announcements), app/chat/ending.py (End chat, Clear, the expiry countdown, transcript files) and
app/chat/prechat.py (the form before the chat).
"""
from app.chat import availability
from app.chat import embed
from app.chat import parts as parts_mod
from app.chat import settings as settings_mod
from app.chat.attention import NOTIFY_PREF, Attention
from app.chat.ending import Ending
from app.chat.host import HostLink
from app.chat.look import Look
from app.chat.outbox import Outbox
from app.chat.storage import Storage
from app.chat.strings import problem_words, t
from app.chat.sync import HistorySync
from app.chat.transcript import ChatState, guest_row, row_for, system_row
from app.chat.uploads import Uploads
from app.protocol import connection as conn_mod
from app.protocol import errors
from app.protocol import events as ev

TYPING_INTERVAL_MS = 5000  # the official SDKs send guest typing at most once per 5 s
TICK_MS = 5000  # heartbeat and expiry check period
JOIN_REFUSED = "join"  # _refused_key when the autoStart Join's custom attributes were refused
MAX_MESSAGE_BYTES = 4096  # the service refuses longer text with 4011


class Ports:
    """What the controller needs from its host. The browser edge and the tests implement it."""

    def open_socket(self, url): raise NotImplementedError
    def send(self, text): raise NotImplementedError
    def close_socket(self): raise NotImplementedError
    def schedule(self, ms, fn): raise NotImplementedError  # returns a handle for cancel()
    def cancel(self, handle): raise NotImplementedError
    def now_ms(self): raise NotImplementedError
    def now_iso(self): raise NotImplementedError
    def new_id(self): raise NotImplementedError  # a random UUID (the browser's crypto)
    def random(self): raise NotImplementedError  # a float in [0, 1)
    def load(self, key): raise NotImplementedError  # str or None
    def save(self, key, value): raise NotImplementedError
    def fetch_json(self, url, on_done, headers=None): raise NotImplementedError  # on_done(status, data); 0: failed
    def epoch_s(self): raise NotImplementedError  # wall-clock seconds (JWT and session expiry are in epoch s)
    def render(self, view): raise NotImplementedError
    def log(self, level, text): raise NotImplementedError  # the site owner's console ("warn", "error")
    # files: PUT bytes with progress (on_progress(sent, total), on_done(status)); abort; a fresh link
    def upload(self, upload_id, url, headers, on_progress, on_done): raise NotImplementedError
    def abort_upload(self, upload_id): raise NotImplementedError
    def fresh_link(self, attachment_id, url, purpose, filename): raise NotImplementedError  # "image" | "download"
    # the host page: a message to the embedding page at origin, or (origin None) a DOM event here
    def post_host(self, origin, message): raise NotImplementedError
    # looks: the panel's language and direction, its design tokens and scheme, the customer's code
    def set_language(self, language, rtl): raise NotImplementedError
    def set_theme(self, tokens, scheme): raise NotImplementedError  # scheme: "auto" | "light" | "dark"
    def load_modules(self, urls, on_done): raise NotImplementedError  # on_done([module objects])
    def use_renderers(self, overrides): raise NotImplementedError  # merged over the default look
    def add_stylesheets(self, urls): raise NotImplementedError  # the team's CSS, on the chat's page
    # attention: the unread count on the launcher and in the title, a sound, notifications, files
    def set_unread(self, count): raise NotImplementedError
    def play_sound(self): raise NotImplementedError
    def notification_permission(self): raise NotImplementedError  # "default"|"granted"|"denied"|"unsupported"
    def request_notifications(self, on_done): raise NotImplementedError  # on_done(permission)
    def notify(self, title, body): raise NotImplementedError
    def download(self, filename, mime, content): raise NotImplementedError  # the guest saves a file
    def panel_opened(self): raise NotImplementedError  # move focus into the panel


STATUS = {
    conn_mod.IDLE: ("status.idle", "idle", True, "hint.idle"),
    conn_mod.CONNECTING: ("status.connecting", "busy", True, "hint.queued"),
    conn_mod.CONFIGURING: ("status.connecting", "busy", True, "hint.queued"),
    conn_mod.CONFIGURED: ("status.connected", "ok", True, "hint.type"),
    conn_mod.RECONNECTING: ("status.reconnecting", "warn", True, "hint.reconnecting"),
    conn_mod.READ_ONLY: ("status.ended", "ended", False, "hint.ended"),
    conn_mod.ENDED: ("status.closed", "ended", False, "hint.closed"),
    conn_mod.EXPIRED: ("status.expired", "ended", False, "hint.expired"),
    conn_mod.FAILED: ("status.failed", "error", False, "hint.unavailable"),
}


def utf8_length(text):
    return len(text.encode("utf-8"))


class Controller:
    def __init__(self, ports, embedded=False, parent_origin=None):
        self.ports = ports
        self.host = HostLink(ports, embedded, parent_origin)
        self.look = Look(ports)
        self.attention = Attention(ports, self.host)
        self.ending = Ending(self)
        self.prechat = None  # app/chat/prechat.Prechat while the settings ask for a form
        self.availability = availability.parse(None)  # what the proxy said about hours, agents, the wait
        self._after_form = None  # "new": the form's Start begins a new conversation
        self._refused_key = ""
        self._asking = False  # notifications asked for, the answer not in yet  # the message whose attributes the service refused (4013), sent again after the form
        self.attributes = {}  # custom attributes from the host page, sent with the next message
        self._page_url = ""
        self._raw_settings = None  # the settings file's data, while an embedded chat awaits its host
        self._config_param_tried = False
        self._host_sends = []  # texts from the host page's send(), before the chat could take them
        self.settings = None
        self.conn = None
        self.state = ChatState()
        self.deployment = {}  # the deployment's public config.json
        self.outbox = Outbox()
        self.sync = HistorySync(self)
        self.uploads = Uploads()
        self.storage = None
        self._deployment_known = False
        self._wanted = False  # the guest opened the panel (or a session exists): connect
        self._pump_handle = None
        self._retry_handle = None
        self._typing_sent_ms = None
        self._typing_id = None
        self._ticking = False
        self._downloads = {}  # attachment id -> (purpose, filename), while a fresh link is asked for
        self._md5 = {}  # upload id -> the file's MD5

    # -- start-up ---------------------------------------------------------------------------
    def boot(self, page_url, languages=()):
        """Start: read the settings. `languages`: the browser's preferred languages, best first."""
        self._page_url = page_url
        self.look.browser_languages = list(languages)
        self.state.set_connection(t("status.connecting"), "busy", False, t("hint.connecting"))
        self.render()
        url = settings_mod.config_url(page_url, with_param=False)
        self.ports.fetch_json(url, lambda status, data: self._on_settings(status, data, page_url))

    def _fail_settings(self, exc):
        problem = errors.problem_for(exc.key)
        self.ports.log("error", "chat: %s: %s (%s) %s" % (problem.title, problem.message, exc.detail, problem.action))
        self._set_status(conn_mod.FAILED)
        if problem.fault == errors.SITE:
            return self._unavailable(False)
        title, message, action = problem_words(problem)
        self.state.show_notice(title, message + " (" + exc.detail + ")", action, "error")
        self.host.failed(problem.title)
        self.render()

    def _on_settings(self, status, data, page_url):
        if status != 200:
            detail = "HTTP %s" % status if status else "no answer"
            return self._fail_settings(settings_mod.SettingsError("config_missing", detail))
        wanted = settings_mod.query_param(page_url, "config")
        if wanted and not self._config_param_tried:
            # ?config= is a development convenience: honoured only when this site's own settings
            # say so, since a crafted link could otherwise point the chat at another socket.
            self._config_param_tried = True
            if isinstance(data, dict) and data.get("allowConfigParam") is True:
                try:
                    url = settings_mod.config_url(page_url)
                except settings_mod.SettingsError as exc:
                    return self._fail_settings(exc)
                return self.ports.fetch_json(url, lambda status, data: self._on_settings(status, data, page_url))
            self.ports.log("warn", "chat: ?config= ignored: set \"allowConfigParam\": true in config.json to allow "
                                   "it (development only)")
        self.host.listen(data, settings_mod.origin_of(page_url))
        if self.host.embedded:
            self._raw_settings = data  # wait for the host page's init (host_message)
            return
        self._use_settings(data, page_url)

    def host_message(self, origin, data):
        """A message from the page around the chat (embedded: already known to come from our parent)."""
        found = embed.command(data)
        if found is None or not self.host.accepts(origin):
            return
        kind, data = found
        if kind == "init":
            if self.host.origin is None and self._raw_settings is not None:
                self.host.origin = origin
                raw, self._raw_settings = self._raw_settings, None
                self._use_settings(embed.merged(raw, data.get("options")), self._page_url)
            elif self.settings is not None:
                self._emit_ready()  # the host page's loader started again
            return
        if self.host.origin is None or self.settings is None:
            return  # commands count only after a successful init
        if kind == "open":
            self.open_panel()
        elif kind == "close":
            self.close_panel()
        elif kind == "send":
            self._host_sends.append(data["text"])
            self._wanted = True
            self._connect_if_wanted()  # sends once the chat can (its deployment may still be loading)
            self._host_send_due()
        elif kind == "setAttributes":
            self.set_attributes(data.get("attributes"))
        elif kind == "notifications":
            self._notifications_answered(data.get("permission"))

    def _host_send_due(self):
        if self.conn is not None:
            while self._host_sends:
                self.submit(self._host_sends.pop(0))

    def set_attributes(self, value):
        """Custom attributes for the conversation, sent with the guest's next message."""
        try:
            self.attributes.update(embed.attributes(value))
        except ValueError as exc:
            self.ports.log("warn", "chat: setAttributes: " + str(exc))

    def _emit_ready(self):
        self.host.emit("ready", version=embed.VERSION, strings={
            "launcher": t("launcher.open"), "close": t("launcher.close"), "unavailable": t("launcher.unavailable")})

    def _use_settings(self, data, page_url):
        try:
            self.settings = settings_mod.parse(data, page_url)
        except settings_mod.SettingsError as exc:
            return self._fail_settings(exc)
        self.look.configure(self.settings)
        self.attention.configure(self.settings.attention, self.ports.notification_permission(),
                                 self.ports.load(NOTIFY_PREF + "-" + self.settings.deployment_id) == "on")
        if self.settings.prechat:
            from app.chat.prechat import Prechat

            self.prechat = Prechat(self.settings.prechat, self.look.language())
        if self.settings.modules:  # the customer's code first, so nothing is drawn twice
            return self.ports.load_modules(self.settings.modules, self._modules_loaded)
        self._start()

    def _modules_loaded(self, modules):
        self.look.modules_loaded(modules, self)
        self._start()

    def _start(self):
        self.storage = Storage(self.ports, self.settings.deployment_id)
        self.storage.on_due = self.flush
        self.state, gaps = self.storage.restore(self.outbox)
        self.sync.restore_gaps(gaps)
        token = self.storage.token()
        # A page with a session resumes it at load; a new visitor connects only when they open
        # the chat, so no conversation (and no bot flow) starts for every page view.
        self._wanted = self._wanted or bool(token)
        if self.prechat is not None and token:
            self.prechat.done = True  # a conversation is under way: the form was filled in then
        self._sync_status()
        self.render()
        context = settings_mod.context_url(self.settings)
        if context:
            self.ports.fetch_json(context, self._on_context)
        self.ports.fetch_json(settings_mod.deployment_config_url(self.settings), self._on_deployment)
        self._emit_ready()

    def _on_deployment(self, status, data):
        if status == 200 and isinstance(data, dict):
            self.deployment = data
            self.uploads.set_deployment(data)
            self.look.deployment_known(data)
            self.attention.deployment_known(self.conversations())
            accent, text = self.look.launcher_colors()
            if accent:
                self.host.emit("theme", accent=accent, accentText=text)
            self._sync_status()  # in the deployment's language, if that changed it
        self._deployment_known = True
        self._connect_if_wanted()

    def conversations(self):
        messenger = self.deployment.get("messenger") if isinstance(self.deployment, dict) else None
        apps = messenger.get("apps") if isinstance(messenger, dict) else None
        conversations = apps.get("conversations") if isinstance(apps, dict) else None
        return conversations if isinstance(conversations, dict) else {}

    def markdown(self):
        markdown = self.conversations().get("markdown")
        return isinstance(markdown, dict) and markdown.get("enabled") is True

    def _connect_if_wanted(self):
        if not (self._wanted and self._deployment_known):
            return
        if self.prechat is not None and not self.prechat.done:
            return  # the form first: nothing (not even an autoStart greeting) before the guest's answers
        if self.conn is None:
            token = self.storage.token()
            if not token:
                token = self.ports.new_id()
                self.storage.set_token(token)
            self.conn = conn_mod.Connection(self.settings.deployment_id, token)
            self.conn.auto_start = bool((self.conversations().get("autoStart") or {}).get("enabled"))
        if self.conn.state != conn_mod.IDLE:
            return
        self._apply(self.conn.connect())
        self._host_send_due()
        if not self._ticking:
            self._ticking = True
            self._tick()

    def open_panel(self):
        """The guest opened the chat: connect now if not yet connected."""
        self._wanted = True
        self.attention.opened()
        self._connect_if_wanted()
        self.ports.panel_opened()  # focus moves into the panel
        self.render()

    def close_panel(self):
        self.attention.closed()
        if self.ending.confirming:
            self.ending.cancel()
        self.render()  # the launcher is shown again (or hidden while closed, see whenClosed)

    def visibility(self, visible):
        """The page was hidden or shown again (another tab, a minimised window)."""
        self.attention.visibility(visible)
        self.render()

    # -- notifications the guest turns on ---------------------------------------------------------
    def notifications(self, on):
        """The menu's "Turn on notifications" (asks the browser) or "Turn off notifications"."""
        if not on:
            self.attention.turn_off()
            self._save_notify()
            return self.render()
        if self.attention.permission == "granted":
            self.attention.permission_changed("granted")
            self._save_notify()
            return self.render()
        self._asking = True
        self.ports.request_notifications(self._notifications_answered)

    def _notifications_answered(self, permission):
        """The browser's answer to our request, or (embedded) the host page telling its permission."""
        if permission not in ("default", "granted", "denied"):
            return
        asked, self._asking = self._asking, False
        if asked:
            self.attention.permission_changed(permission)
            self._save_notify()
        else:
            self.attention.permission_known(permission)
        self.render()

    def _save_notify(self):
        if self.settings is not None:
            self.ports.save(NOTIFY_PREF + "-" + self.settings.deployment_id, "on" if self.attention.wanted else "off")

    # -- the pre-chat form ------------------------------------------------------------------------
    def _other_attributes(self):
        """Attributes not from the form (the host page's setAttributes), counted in its budget."""
        names = [f["name"] for f in self.prechat.fields()]
        return {k: v for k, v in self.attributes.items() if k not in names}

    def prechat_typed(self, values):
        if self.prechat is not None and not self.prechat.done:
            self.prechat.typed(values, self._other_attributes())
            self.render()

    def prechat_submit(self, values, invalid=()):
        """The form's Start: its answers become custom attributes (and a first message, if a field
        says so), then the chat connects. False when the form shows errors instead."""
        form = self.prechat
        if form is None or form.done:
            return False
        if not form.validate(values, invalid, self._other_attributes()):
            self.render()
            return False
        self.attributes = form.attributes(extra=self._other_attributes())
        form.done = True
        first = form.message_field()
        text = values.get(first, "").strip() if first else ""
        if self._after_form == "new":
            self._after_form = None
            self._start_new_now()
        self._wanted = True
        self._connect_if_wanted()
        if self.conn is not None and self.attributes and self.conn.auto_start and not text \
                and not self.conn.ever_configured:
            self.conn.join_attributes, self.attributes = self.attributes, {}
        refused, self._refused_key = self._refused_key, ""
        if refused and self.state.has(refused):
            self.retry(refused)  # the refused message goes again, with the shortened answers
        elif refused == JOIN_REFUSED and self.conn is not None and self.conn.can_send and not text:
            attributes, self.attributes = self.attributes, {}
            self._apply([self.conn.join(self.ports.new_id(), self.ports.now_iso(), attributes)])
        elif text and not self.submit(text):
            self._host_sends.append(text)  # not connected yet (the deployment is still loading): sent once it is
        self.render()
        return True

    def _on_context(self, status, data):
        """The proxy's /api/context: open hours, agents available, the wait (each may be missing)."""
        if status == 200 and isinstance(data, dict):
            info = availability.parse(data)
            was_hidden = self._hide_launcher(self.availability)
            self.availability = info
            self.state.wait = availability.wait_text(info["wait"])
            hidden = self._hide_launcher(info)
            if info["open"] is not None:
                self.host.emit("availability", open=info["open"], hideLauncher=hidden)
            elif was_hidden:
                self.host.emit("availability", open=True, hideLauncher=False)
            self.render()
        self.ports.schedule(availability.REFRESH_MS, self._refresh_context)

    def _refresh_context(self):
        context = settings_mod.context_url(self.settings)
        if context and self.attention.visible:
            self.ports.fetch_json(context, self._on_context)
        elif context:
            self.ports.schedule(availability.REFRESH_MS, self._refresh_context)

    # -- socket events from the edge --------------------------------------------------------
    def on_open(self):
        if self.conn is not None:  # socket events come only after a connect; a stray one is ignored
            self._apply(self.conn.socket_opened(self.ports.now_ms()))

    def on_text(self, text):
        if self.conn is not None:
            self._apply(self.conn.receive(text, self.ports.now_ms(), self.ports.now_iso()))

    def on_close(self, code, reason=""):
        if self.conn is not None:
            self._apply(self.conn.socket_closed(code, reason, self.ports.random(), self.ports.now_ms()))

    def online(self):
        if self._retry_handle is not None:
            self.ports.cancel(self._retry_handle)
            self._retry_handle = None
        if self.conn is not None:
            self._apply(self.conn.network_online())

    def _tick(self):
        if self.conn.state in (conn_mod.ENDED, conn_mod.EXPIRED, conn_mod.FAILED):
            self._ticking = False
            return
        self._apply(self.conn.tick(self.ports.now_ms(), self.ports.random()))
        self.ending.check()
        self.ports.schedule(TICK_MS, self._tick)


    # -- guest actions ----------------------------------------------------------------------
    def _can_write(self):
        return self.conn is not None and self.state.composer_enabled

    def submit(self, text):
        """Queue the composer's text (and any uploaded files); False when nothing was queued."""
        text = text.strip()
        files = self.uploads.ready_for_send()
        if (not text and not files) or not self._can_write() or utf8_length(text) > MAX_MESSAGE_BYTES:
            return False
        if self.uploads.busy():
            return False  # the send waits until every file has finished uploading
        self._wanted = True
        local_id = self.ports.new_id()
        item = {"id": local_id, "text": text}
        shown = list(parts_mod.text_parts(text))
        if files:
            item["attachments"] = files
            for upload in self.uploads.items():
                if upload.state == "ready":
                    shown.append(parts_mod.Part("attachment", {
                        "id": upload.id, "url": "", "filename": upload.name, "size": upload.size,
                        "media_type": upload.media_type, "mime": upload.mime, "text": ""}))
            self.uploads.sent()
        if self.attributes and not files:
            item["attributes"], self.attributes = self.attributes, {}
        self.outbox.add(item)
        self.state.put(guest_row(local_id, text, parts=tuple(shown)))
        self.attention.guest_wrote()
        self._queued()
        return True

    def answer(self, kind, text, payload, message_id=""):
        """The guest clicked a quick reply ("QuickReply"), a card's postback ("Button"), a date
        ("DatePicker") or list picker choice ("ListPicker"): send the ButtonResponse and show the
        choice as the guest's message (the live chips retire: the newest row is now the guest's)."""
        if not self._can_write() or not payload:
            return False
        local_id = self.ports.new_id()
        label = text or payload
        button = {"type": kind, "text": label, "payload": payload, "message_id": message_id}
        self.outbox.add({"id": local_id, "text": label, "button": button})
        choice = parts_mod.Part("choice", {"type": kind, "text": label, "payload": payload})
        self.state.put(guest_row(local_id, label, parts=(choice,)))
        self._queued()
        return True

    def _queued(self):
        self._connect_if_wanted()
        self._persist()
        self.pump()
        self.render()

    def retry(self, key):
        """A failed message is sent again (it keeps its place at the end of the transcript)."""
        row = self.state.rows.get(key)
        if row is None or row.status != "failed" or not self._can_write():
            return False
        self.state.remove(key)
        local_id = self.ports.new_id()
        item = {"id": local_id, "text": row.text}
        if self.attributes:  # e.g. a pre-chat form's answers, shortened after a refusal
            item["attributes"], self.attributes = self.attributes, {}
        for part in row.parts:
            if part.kind == "choice":
                props = part.props
                item["button"] = {"type": props.get("type"), "text": props.get("text"),
                                  "payload": props.get("payload"), "message_id": ""}
        self.outbox.add(item)
        self.state.put(guest_row(local_id, row.text, parts=row.parts))
        self._queued()
        return True

    def take_back(self, key):
        """A failed message goes back to the composer: its row is removed, its text returned."""
        row = self.state.rows.get(key)
        if row is None or row.status != "failed":
            return ""
        self.state.remove(key)
        self._persist()
        self.render()
        return row.text

    def composing(self):
        """The guest typed in the composer: tell the agent, at most once per 5 s."""
        if self.conn is None or not self.conn.can_send:
            return
        if not self.conversations().get("showUserTypingIndicator"):
            return
        now = self.ports.now_ms()
        if self._typing_sent_ms is not None and now - self._typing_sent_ms < TYPING_INTERVAL_MS:
            return
        if self.outbox.busy(now):
            return  # typing shares the message rate limits; a real message matters more
        self._typing_sent_ms = now
        self._typing_id = self.ports.new_id()
        self._apply([self.conn.send_typing(self._typing_id, self.ports.now_iso())])

    def notice_button(self):
        """The notice's button: "Try again" after the chat could not connect, "Stay" before the
        session expires, else a new chat."""
        notice = self.state.notice
        if notice is not None and notice.kind == "unavailable":
            return self.retry_connect()
        if notice is not None and notice.kind == "expiry":
            return self.ending.stay()
        return self.start_new()

    def start_new(self):
        if self.conn is None:
            return
        if self.prechat is not None:
            self.prechat.done = False  # the form again (with the last answers) before a new conversation
            self._after_form = "new"
            self.state.clear()
            self.state.clear_notice()
            self.attention.forget()
            self._persist()
            return self.render()
        self._start_new_now()

    def _start_new_now(self):
        new_token = None
        if self.conn.state in (conn_mod.CONNECTING, conn_mod.CONFIGURING, conn_mod.RECONNECTING, conn_mod.IDLE):
            # The socket went away while the guest was choosing (the form, say): start afresh with
            # a new guest token on a new connection rather than ask the core for what it cannot do.
            if self._retry_handle is not None:
                self.ports.cancel(self._retry_handle)
                self._retry_handle = None
            self.ports.close_socket()
            self.conn = None
            self.storage.set_token(self.ports.new_id())
            self._reset_for_new()
            self._wanted = True
            return self._connect_if_wanted()
        if self.conn.state in (conn_mod.ENDED, conn_mod.EXPIRED, conn_mod.FAILED):
            new_token = self.ports.new_id()
            self.storage.set_token(new_token)
        self._reset_for_new()
        self._apply(self.conn.start_new(new_token))
        if not self._ticking:  # the heartbeat, expiry checks and connect timeout stopped with the old one
            self._ticking = True
            self._tick()

    def _reset_for_new(self):
        self.state.clear()
        self.state.clear_notice()
        self.outbox.clear()
        self.sync.forget_gaps()
        self.attention.forget()
        self.ending.stop_countdown()
        self.host.ended = False  # the next conversation's end is told to the host page too
        self._persist()

    def retry_connect(self):
        """The guest's "Try again" after the chat could not connect."""
        if self.conn is None:
            return
        self.state.clear_notice()
        self.conn = None  # a fresh connection with the same token
        self._wanted = True
        self._connect_if_wanted()
        self.render()

    def clear_conversation(self):
        """Presence Clear: the service wipes the conversation; we drop the transcript and token."""
        if self.conn is not None and self.conn.can_send:
            self._apply([self.conn.clear(self.ports.new_id(), self.ports.now_iso())])

    def load_earlier(self):
        self.sync.load_earlier()

    def can_refresh(self):
        return self.conn is not None and self.conn.can_send

    def open_attachment(self, attachment_id, filename, purpose="download"):
        """A file was clicked (or an image failed to load): ask for a fresh link, as download
        links expire after minutes. The edge opens it (or swaps the image) when it comes."""
        if not attachment_id or not self.can_refresh():
            return False
        self._downloads[attachment_id] = (purpose, filename)
        self._apply([self.conn.request_download(attachment_id, self.ports.new_id())])
        return True

    # -- files the guest sends ----------------------------------------------------------------
    def check_file(self, name, mime, size):
        """"" when a file may be sent, else why not (before it is read or uploaded)."""
        return self.uploads.check(name, mime, size)

    def attach(self, name, mime, size, md5=None):
        """A file was picked, dropped or pasted (md5: its MD5, which onAttachment carries).
        Returns (upload id, "" or the refusal in words)."""
        upload_id = self.ports.new_id()
        self._md5[upload_id] = md5
        upload, outputs = self.uploads.add(upload_id, name, mime, size)
        self._upload_outputs(outputs)
        self.render()
        return upload_id, upload.error if upload.state == "failed" else ""

    def cancel_upload(self, upload_id):
        self._upload_outputs(self.uploads.cancel(upload_id))
        self.render()

    def remove_upload(self, upload_id):
        self._upload_outputs(self.uploads.remove(upload_id))
        self.render()

    def retry_upload(self, upload_id):
        self._upload_outputs(self.uploads.retry(upload_id, self.ports.new_id()))
        self.render()

    def _upload_outputs(self, outputs):
        for out in outputs:
            kind = out[0]
            if kind == "request" and self.conn is not None and self.conn.can_send:
                _, attachment_id, name, mime, size = out
                upload = self.uploads.get(attachment_id)
                md5 = self._md5.get(upload.id) if upload is not None else None
                self._apply([self.conn.request_upload(attachment_id, name, mime, size, md5, self.ports.new_id())])
            elif kind == "request":
                self.uploads.on_put_done(out[1], 0)  # not connected: the file shows as failed, retryable
            elif kind == "delete" and self.conn is not None and self.conn.can_send:
                self._apply([self.conn.delete_attachment(out[1], self.ports.new_id())])
            elif kind == "put":
                _, upload_id, url, headers = out
                self.ports.upload(upload_id, url, headers,
                                  lambda sent, total, i=upload_id: self._upload_progress(i, sent, total),
                                  lambda status, i=upload_id: self._upload_done(i, status))
            elif kind == "abort":
                self.ports.abort_upload(out[1])
            elif kind == "download":
                _, attachment_id, url = out
                purpose, filename = self._downloads.pop(attachment_id, ("download", ""))
                self.ports.fresh_link(attachment_id, url, purpose, filename)

    def _upload_progress(self, upload_id, sent, total):
        self._upload_outputs(self.uploads.on_progress(upload_id, sent, total))
        self.render()

    def _upload_done(self, upload_id, status):
        self._upload_outputs(self.uploads.on_put_done(upload_id, status))
        self.render()

    # -- outbox -----------------------------------------------------------------------------
    def pump(self):
        self._pump_handle = None
        if self.conn is None or not self.conn.can_send or self.sync.holding:
            return
        now = self.ports.now_ms()
        for item in self.outbox.items:
            if item["sent"]:
                continue
            wait = self.outbox.wait_ms(now)
            if wait > 0:
                self._pump_handle = self.ports.schedule(wait, self.pump)
                return
            item["sent"] = True
            item["attempted"] = True
            self._apply([self._frame_for(item)])

    def _frame_for(self, item):
        now = self.ports.now_iso()
        button = item.get("button")
        if button:
            return self.conn.send_button(button.get("type") or "QuickReply", button.get("text") or "",
                                         button.get("payload") or "", item["id"], now,
                                         button.get("message_id") or None)
        if item.get("attachments"):
            return self.conn.send_attachments(item["text"], item["attachments"], item["id"], now)
        return self.conn.send_text(item["text"], item["id"], now, item.get("attributes"))

    def confirm(self, message):
        """The service has the guest's message (its echo, or found in history)."""
        item = self.outbox.find(message.tracing_id) if message.tracing_id else None
        shown = parts_mod.guest_parts(message)
        if item is not None and not shown:
            shown = parts_mod.text_parts(item["text"])
        key = message.id or message.tracing_id
        old = self.state.rows.get(item["id"]) if item is not None else None
        if old is not None and _only_local_files(shown, old.parts):
            shown = old.parts  # the echo names files by id only: keep the names we showed
        row = guest_row(key, parts_mod.plain_text(shown) or message.text, "sent", message.time, parts=shown)
        self.ending.activity()  # a message pushes the session's expiry forward
        if item is not None:
            self.outbox.remove(item)
            self.state.replace_key(item["id"], row)
        elif not self.state.has(row.key):
            self.state.put(row)

    # -- applying core outputs --------------------------------------------------------------
    def apply(self, outputs):
        self._apply(outputs)

    def _apply(self, outputs):
        for out in outputs:
            handler = _OUTPUTS.get(type(out).__name__)
            if handler is not None:
                handler(self, out)
        self._sync_status()
        self._persist()
        self.render()

    def _set_status(self, state):
        status, kind, enabled, hint = STATUS[state]
        self.state.set_connection(t(status), kind, enabled, t(hint))

    def _sync_status(self):
        self._set_status(self.conn.state if self.conn is not None else conn_mod.IDLE)

    def _send(self, out):
        self.outbox.note_send(self.ports.now_ms(), out.rated)
        self.ports.send(out.text)

    def _open(self, out):
        self.outbox.new_connection()
        self.sync.socket_opening()
        self.ports.open_socket(settings_mod.socket_url(self.settings))

    def _close(self, out):
        self.ports.close_socket()

    def _state_changed(self, out):
        if out.new == conn_mod.CONFIGURED:
            if self.state.notice is not None and self.state.notice.kind != "ended":
                self.state.clear_notice()

    def _ready(self, out):
        self.outbox.reconnected()
        self.uploads.set_limits(out.limits)
        self.ending.timing(out.limits.get("durationSeconds"), out.limits.get("expirationDate"))
        if self.prechat is not None:
            self.prechat.set_limit(out.limits.get("maxCustomDataBytes"))
        if out.read_only:
            self._ended_notice(True)
        self.sync.configured(out.new_session)
        self.pump()

    def _message(self, out):
        message = out.message
        if message.direction == "Inbound":
            return self.confirm(message)
        row = row_for(message, self.ports.new_id, self.markdown())
        if row is not None:
            self.state.stop_typing()
            new = not self.state.has(row.key)
            first = row.key
            if row.side == "agent" and new and row.author != self._last_agent():
                # The service sends no frame when a person joins: their first message says so.
                first = "joined-" + row.key
                self.state.put(system_row(first, t("agent.joined", name=row.author), row.time))
            self.state.put(row)
            if new:
                self.attention.incoming(row, first)
                self.ending.activity()

    def _last_agent(self):
        for row in reversed(self.state.ordered()):
            if row.side == "agent":
                return row.author
        return ""

    def _typing(self, out):
        name = out.sender.name if out.sender and out.sender.name else None
        self.state.agent_typing(name, self.ports.now_ms() + out.duration_ms)
        self.ports.schedule(out.duration_ms + 50, self.render)

    def _ended(self, out):
        key = out.message_id or ("ended-" + self.ports.new_id())
        self.state.stop_typing()
        self.state.put(system_row(key, t("ended.system"), out.time))
        self._ended_notice(out.read_only)
        self.host.conversation_ended()

    def _ended_notice(self, read_only):
        if read_only:
            self.state.show_notice(t("notice.ended.title"), t("notice.ended.read_only"), "", "ended",
                                   t("notice.new_chat"))
        else:
            self.state.show_notice(t("notice.ended.title"), t("notice.ended.message"), t("notice.ended.action"),
                                   "info")

    def _unavailable(self, retry=True):
        """The guest sees a short, kind message; the site owner's diagnosis went to the console."""
        self.state.show_notice(t("notice.unavailable.title"), t("notice.unavailable.message"),
                               t("notice.unavailable.action"), "unavailable", t("notice.retry") if retry else "")
        self.host.failed(t("notice.unavailable.title"))
        self.render()

    def _error(self, out):
        problem = out.problem
        if out.tracing_id and out.tracing_id == self.sync.jwt_request:
            return self.sync.jwt_refused()
        if out.tracing_id and out.tracing_id == self._typing_id:
            return  # a refused typing indicator is nothing the guest needs to hear about
        if problem.code == 4013 and self.prechat is not None and self.conn is not None and out.tracing_id \
                and out.tracing_id == self.conn.join_tracing_id:
            # The Join that carried the form's answers was refused: the form comes back to shorten them.
            self.ports.log("warn", "chat: the service refused the pre-chat answers as too large (4013): %s"
                           % problem.message)
            self.attributes = self.conn.join_sent_attributes or {}
            self.prechat.refused(self.conn.limits.get("maxCustomDataBytes"))
            self._refused_key = JOIN_REFUSED
            return
        item = self.outbox.find(out.tracing_id) if out.tracing_id else None
        if item is not None and problem.code == 4013 and item.get("attributes") and self.prechat is not None:
            # The service found the form's answers too large: back to the form to shorten them; the
            # message waits (failed, with Retry) and goes again with the shorter answers.
            self.ports.log("warn", "chat: the service refused the custom attributes as too large (4013): %s"
                           % problem.message)
            self.outbox.remove(item)
            kept = dict(item["attributes"])
            kept.update(self.attributes)
            self.attributes = kept
            self.prechat.refused(self.conn.limits.get("maxCustomDataBytes") if self.conn is not None else None)
            self._refused_key = item["id"]
            self.state.set_status(item["id"], "failed", t("prechat.refused_row"))
            return
        if item is not None and problem.policy not in (errors.RETRY, errors.WAIT):
            self.outbox.remove(item)
            _, message, action = problem_words(problem)
            self.state.set_status(item["id"], "failed", message + " " + action)
            return
        if problem.fault == errors.SITE:
            # The guest cannot fix the site's configuration: a kind word for them, the diagnosis
            # for the site owner in the console (and in `python -m proxy doctor`).
            self.ports.log("warn", "chat: %s: %s %s" % (problem.title, problem.message, problem.action))
            if problem.policy == errors.CONTINUE:
                title, message, _ = problem_words(problem)
                return self.state.show_notice(title, message, "", "warn", "")
            return self._unavailable()
        kind = "error" if problem.policy in (errors.STOP, errors.NEW_SESSION) else "warn"
        button = t("notice.new_chat") if problem.policy == errors.NEW_SESSION else ""
        title, message, action = problem_words(problem)
        self.state.show_notice(title, message, action, kind, button)

    def _rate_limited(self, out):
        if out.tracing_id and out.tracing_id == self.sync.jwt_request:
            self.ports.schedule(out.retry_after_ms, self.sync.request_jwt)
            return
        item = self.outbox.find(out.tracing_id)
        if item is not None:
            item["sent"] = False
        self.outbox.rate_limited(self.ports.now_ms(), out.retry_after_ms)
        if self._pump_handle is None:
            self._pump_handle = self.ports.schedule(out.retry_after_ms, self.pump)

    def _reconnect(self, out):
        self._retry_handle = self.ports.schedule(out.delay_ms, self._retry_now)
        # A single drop is routine (the status line says "Reconnecting…"); once a retry has failed
        # too, say why, unless a more specific notice is already up.
        if out.attempt >= 2 and out.problem is not None and self.state.notice is None:
            title, message, action = problem_words(out.problem)
            self.state.show_notice(title, message, action, "warn")

    def _retry_now(self):
        self._retry_handle = None
        self._apply(self.conn.reconnect_due())

    def _handshake_failed(self, out):
        # Browsers hide the handshake's HTTP status: ask the deployment's public config instead.
        self.ports.fetch_json(settings_mod.deployment_config_url(self.settings), self._on_diagnosis)

    def _on_diagnosis(self, status, data):
        problem = errors.classify_handshake_failure(status, data)
        if problem.policy == errors.STOP and self._retry_handle is not None:
            self.ports.cancel(self._retry_handle)
            self._retry_handle = None
        self._apply(self.conn.diagnosed(problem))

    def _cleared(self, out):
        self.attention.forget()
        self.state.clear()
        self.outbox.clear()
        self.sync.forget_gaps()
        self.storage.set_token("")
        self._error(ev.ErrorReported(errors.problem_for("session_cleared"), ""))

    def _expired(self, out):
        self._error(ev.ErrorReported(errors.problem_for(4006), ""))

    def _upload_ready(self, out):
        self._upload_outputs(self.uploads.on_ready(out.attachment_id, out.url, out.headers))

    def _upload_succeeded(self, out):
        self._upload_outputs(self.uploads.on_succeeded(out.attachment_id, out.download_url))

    def _upload_failed(self, out):
        self._upload_outputs(self.uploads.on_failed(out.attachment_id, out.problem))

    def _attachment_deleted(self, out):
        self.uploads.on_deleted(out.attachment_id)

    # -- persistence and rendering ------------------------------------------------------------
    def persist(self):
        self._persist()

    def _persist(self):
        if self.storage is not None:
            self.storage.persist(self.state, self.outbox, self.sync.gaps_saved())

    def flush(self):
        if self.storage is not None:
            self.storage.flush(self.state, self.sync.gaps_saved())

    def render(self):
        attachments = self.uploads.enabled() and self.conn is not None and self.conn.state == conn_mod.CONFIGURED
        form = None
        if self.prechat is not None and not self.prechat.done:
            self.prechat.language = self.look.language()  # the deployment's languages may have changed it
            form = self.prechat.view(self._other_attributes())
        self.ports.render(self.state.view(
            self.ports.now_ms(), self.uploads.items(), self.uploads.accept_attribute(), attachments,
            menu=self.ending.menu() if self.settings is not None else (), confirm=self.ending.confirming,
            prechat=form, divider=self.attention.divider, announce=self.attention.announced,
            countdown=self.ending.countdown_text(), unread=self.attention.unread,
            availability=self._availability_view()))

    def _hide_launcher(self, info):
        """Closed hours hide the launcher (when the settings say so), never from a guest whose
        conversation is under way: their replies must still reach them."""
        when_closed = self.settings.when_closed if self.settings is not None else "show"
        # _wanted: the guest opened the chat, or a stored session resumes (no storage read on every
        # render); a conversation that ended no longer counts.
        ended = self.conn is not None and self.conn.state in (conn_mod.ENDED, conn_mod.EXPIRED, conn_mod.FAILED)
        in_chat = self._wanted and not ended
        return availability.hide_launcher(when_closed, info) and not in_chat

    def _availability_view(self):
        info = self.availability
        return (info["open"], info["reason"], info["next_at"], info["next_open"],
                info["agents"] if not self.state.guest_has_written else None, self._hide_launcher(info))


_OUTPUTS = {
    "Send": Controller._send,
    "OpenSocket": Controller._open,
    "CloseSocket": Controller._close,
    "StateChanged": Controller._state_changed,
    "SessionReady": Controller._ready,
    "MessageReceived": Controller._message,
    "AgentTyping": Controller._typing,
    "ConversationEnded": Controller._ended,
    "ErrorReported": Controller._error,
    "RateLimited": Controller._rate_limited,
    "JwtIssued": lambda self, out: self.sync.jwt_issued(out),
    "HealthChecked": lambda self, out: self.ending.timing(out.duration_seconds, out.expiration_s),
    "ReconnectScheduled": Controller._reconnect,
    "HandshakeFailed": Controller._handshake_failed,
    "SessionCleared": Controller._cleared,
    "SessionExpired": Controller._expired,
    "UploadReady": Controller._upload_ready,
    "UploadSucceeded": Controller._upload_succeeded,
    "UploadFailed": Controller._upload_failed,
    "AttachmentDeleted": Controller._attachment_deleted,
}


def _only_local_files(shown, old_parts):
    """The echo of a message with files names them only by id: the row keeps the names shown."""
    files = [p for p in shown if p.kind == "attachment"]
    return bool(files) and all(not p.props.get("filename") for p in files) and any(
        p.kind == "attachment" for p in old_parts)



