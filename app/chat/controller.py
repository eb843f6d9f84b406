"""Drives one chat panel: settings -> socket -> protocol core -> chat state -> render.

Pure Python over injected `ports` (see `Ports` below), so the whole flow runs in CPython tests
with fakes, and in the browser with app/browser/ports.py. It owns the guest-side policies:
the outbox (local ids, tracingIds, at most 2 sends a second, retry after 429 or a reconnect),
guest typing throttling, and what each event means for the panel.
"""
import json

from app.chat import settings as settings_mod
from app.chat.history import CatchUp, HistoryPolicy
from app.chat.transcript import ChatState, Row
from app.protocol import connection as conn_mod
from app.protocol import errors
from app.protocol import events as ev
from app.protocol import history as history_mod

SEND_INTERVAL_MS = 500  # the service allows 2 onMessage a second per session (typing included)
REQUESTS_PER_MINUTE = 60  # and 60 frames a minute per connection, whatever their action
RESERVED_REQUESTS = 6  # of those, kept free for configure, getJwt and echo
TYPING_INTERVAL_MS = 5000  # the official SDKs send guest typing at most once per 5 s
TICK_MS = 5000  # heartbeat and expiry check period
HISTORY_RETRY_MS = 6000  # a refused or failed history page is asked again after 6 s, 12 s, ...
HISTORY_RETRIES = 5
HOLD_LIMIT_MS = 15000  # held sends go anyway if history has not answered by then (at least once)
SAVE_DELAY_MS = 1000  # transcript writes are batched: one per second at most
EXPIRY_NOTICE_S = 300  # like Messenger: warn in the last five minutes of an idle session


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


STATUS = {
    conn_mod.IDLE: ("Connecting…", "busy", False, "Connecting…"),
    conn_mod.CONNECTING: ("Connecting…", "busy", True, "Messages will be sent once connected"),
    conn_mod.CONFIGURING: ("Connecting…", "busy", True, "Messages will be sent once connected"),
    conn_mod.CONFIGURED: ("Connected", "ok", True, "Type a message"),
    conn_mod.RECONNECTING: ("Reconnecting…", "warn", True, "Messages will be sent once reconnected"),
    conn_mod.READ_ONLY: ("Conversation ended", "ended", False, "This conversation has ended"),
    conn_mod.ENDED: ("Chat closed", "ended", False, "This chat is closed"),
    conn_mod.EXPIRED: ("Chat expired", "ended", False, "This chat has expired"),
    conn_mod.FAILED: ("Not connected", "error", False, "Chat unavailable"),
}


class Controller:
    def __init__(self, ports):
        self.ports = ports
        self.settings = None
        self.conn = None
        self.state = ChatState()
        self.deployment = {}  # the deployment's public config.json
        # [{"id", "text", "sent": in flight on this socket, "attempted": ever sent}] in send order
        self.outbox = []
        self.history = HistoryPolicy()
        self._holding = False  # attempted sends wait for history to say whether they arrived
        self._after_jwt = None  # what to do once getJwt answers
        self._jwt_request = None  # tracingId of the getJwt in flight
        # The gaps drops left and history has not filled yet (None: none). Saved with the
        # transcript, so a reload resumes them.
        self._catch_up = None
        self._saved_gaps = ""
        # The newest message shown when the socket went away (taken when the next one opens, as
        # frames on the new socket may come before its SessionResponse): the next gap's anchor.
        self._gap_anchor = None
        self._gap_anchor_taken = False
        self._page_retries = 0
        self._catch_up_gen = 0
        self._hold_handle = None
        self._socket_sends = []  # ms of each frame sent on the current connection
        self._saved_outbox = None
        self._saved_version = -1
        self._save_handle = None
        self._expires_s = None  # the session's expirationDate (epoch s), when the service gave one
        self._duration_s = None  # seconds of inactivity before expiry
        self._jwt_retried = False
        self._next_send_ms = 0
        self._pump_handle = None
        self._retry_handle = None
        self._typing_sent_ms = None
        self._key = "gc-chat"

    # -- start-up ---------------------------------------------------------------------------
    def boot(self, page_url):
        self.render()
        try:
            url = settings_mod.config_url(page_url)
        except settings_mod.SettingsError as exc:
            return self._fail_settings(exc)
        self.ports.fetch_json(url, lambda status, data: self._on_settings(status, data, page_url))

    def _fail_settings(self, exc):
        problem = errors.problem_for(exc.key)
        self.state.set_connection(*(STATUS[conn_mod.FAILED]))
        self.state.show_notice(problem.title, problem.message + " (" + exc.detail + ")", problem.action, "error")
        self.render()

    def _on_settings(self, status, data, page_url):
        if status != 200:
            detail = "HTTP %s" % status if status else "no answer"
            return self._fail_settings(settings_mod.SettingsError("config_missing", detail))
        try:
            self.settings = settings_mod.parse(data, page_url)
        except settings_mod.SettingsError as exc:
            return self._fail_settings(exc)
        self._key = "gc-chat:" + self.settings.deployment_id
        self._restore()
        context = settings_mod.context_url(self.settings)
        if context:
            self.ports.fetch_json(context, self._on_context)
        self.ports.fetch_json(settings_mod.deployment_config_url(self.settings), self._on_deployment)

    def _restore(self):
        token = self.ports.load(self._key + ":token")
        if not token:
            token = self.ports.new_id()
            self.ports.save(self._key + ":token", token)
        outbox = _loads(self.ports.load(self._key + ":outbox"), [])
        self.outbox = [{"id": item["id"], "text": item.get("text", ""), "sent": False,
                        "attempted": bool(item.get("attempted"))}
                       for item in outbox if isinstance(item, dict) and item.get("id")]
        # The outbox is saved at once, the transcript up to a second later (and a page killed
        # without `pagehide` never flushes): make them agree. A pending row whose send left the
        # outbox was confirmed (history brings it back as sent); a send without a row gets one.
        waiting = set(item["id"] for item in self.outbox)
        rows = _loads(self.ports.load(self._key + ":transcript"), [])
        rows = [r for r in (rows if isinstance(rows, list) else [])
                if not (isinstance(r, dict) and r.get("status") == "pending" and r.get("key") not in waiting)]
        self.state = ChatState(rows)
        for item in self.outbox:
            if not self.state.has(item["id"]):
                self.state.put(Row(item["id"], "guest", "You", "", item["text"], "pending", "", ""))
        gaps = _loads(self.ports.load(self._key + ":gaps"), None)
        self._catch_up = CatchUp.restored(gaps) if gaps else None
        self._saved_gaps = self._gaps_text()
        self.conn = conn_mod.Connection(self.settings.deployment_id, token)

    def _on_deployment(self, status, data):
        if status == 200 and isinstance(data, dict):
            self.deployment = data
            conversations = (data.get("messenger") or {}).get("apps", {}).get("conversations", {})
            self.conn.auto_start = bool((conversations.get("autoStart") or {}).get("enabled"))
        self._apply(self.conn.connect())
        self._tick()

    def _on_context(self, status, data):
        if status == 200 and isinstance(data, dict):
            seconds = data.get("estimatedWaitSeconds")
            if isinstance(seconds, (int, float)) and seconds >= 0:
                self.state.wait = _wait_text(seconds)
                self.render()

    # -- socket events from the edge --------------------------------------------------------
    def on_open(self):
        self._apply(self.conn.socket_opened(self.ports.now_ms()))

    def on_text(self, text):
        self._apply(self.conn.receive(text, self.ports.now_ms(), self.ports.now_iso()))

    def on_close(self, code, reason=""):
        self._apply(self.conn.socket_closed(code, reason, self.ports.random(), self.ports.now_ms()))

    def online(self):
        if self._retry_handle is not None:
            self.ports.cancel(self._retry_handle)
            self._retry_handle = None
        self._apply(self.conn.network_online())

    def _tick(self):
        if self.conn.state in (conn_mod.ENDED, conn_mod.EXPIRED, conn_mod.FAILED):
            return
        self._apply(self.conn.tick(self.ports.now_ms(), self.ports.random()))
        self._check_expiry()
        self.ports.schedule(TICK_MS, self._tick)

    def _session_timing(self, duration_s, expires_s):
        if isinstance(duration_s, (int, float)) and duration_s > 0:
            self._duration_s = duration_s
        if isinstance(expires_s, (int, float)) and expires_s > 0:
            self._expires_s = expires_s
            if self.state.notice is not None and self.state.notice.kind == "expiry":
                self.state.clear_notice()
            self._check_expiry()

    def _check_expiry(self):
        if self._expires_s is None or self.conn.state != conn_mod.CONFIGURED:
            return
        left = self._expires_s - self.ports.epoch_s()
        if 0 < left <= EXPIRY_NOTICE_S:
            minutes = int((left + 59) // 60)
            self.state.show_notice("Still there?", "This chat will close in %d minute%s if there is no activity."
                                   % (minutes, "" if minutes == 1 else "s"), "Send a message to keep it open.",
                                   "expiry")
            self.render()

    # -- guest actions ----------------------------------------------------------------------
    def submit(self, text):
        text = text.strip()
        if not text or self.conn is None or not self.state.composer_enabled:
            return False
        local_id = self.ports.new_id()
        self.outbox.append({"id": local_id, "text": text, "sent": False, "attempted": False})
        self.state.put(Row(local_id, "guest", "You", "", text, "pending", "", ""))
        self._persist()
        self._pump()
        self.render()
        return True

    def composing(self):
        """The guest typed in the composer: tell the agent, at most once per 5 s."""
        if self.conn is None or not self.conn.can_send:
            return
        conversations = (self.deployment.get("messenger") or {}).get("apps", {}).get("conversations", {})
        if not conversations.get("showUserTypingIndicator"):
            return
        now = self.ports.now_ms()
        if self._typing_sent_ms is not None and now - self._typing_sent_ms < TYPING_INTERVAL_MS:
            return
        if now < self._next_send_ms or self._window_wait(now):
            return  # typing shares the message rate limits; a real message matters more
        self._typing_sent_ms = now
        self._apply([self.conn.send_typing(self.ports.new_id(), self.ports.now_iso())])

    def start_new(self):
        if self.conn is None:
            return
        new_token = None
        if self.conn.state in (conn_mod.ENDED, conn_mod.EXPIRED, conn_mod.FAILED):
            new_token = self.ports.new_id()
            self.ports.save(self._key + ":token", new_token)
        self.state.clear()
        self.state.clear_notice()
        self.outbox = []
        self._forget_gaps()
        self._persist()
        self._apply(self.conn.start_new(new_token))

    def clear_conversation(self):
        """Presence Clear: the service wipes the conversation; we drop the transcript and token."""
        if self.conn is not None and self.conn.can_send:
            self._apply([self.conn.clear(self.ports.new_id(), self.ports.now_iso())])

    # -- outbox -----------------------------------------------------------------------------
    def _pump(self):
        self._pump_handle = None
        if not self.conn.can_send or self._holding:
            return
        now = self.ports.now_ms()
        for item in self.outbox:
            if item["sent"]:
                continue
            wait = max(self._next_send_ms - now, self._window_wait(now))
            if wait > 0:
                self._pump_handle = self.ports.schedule(wait, self._pump)
                return
            item["sent"] = True
            item["attempted"] = True
            self._apply([self.conn.send_text(item["text"], item["id"], self.ports.now_iso())])

    def _find(self, local_id):
        for item in self.outbox:
            if item["id"] == local_id:
                return item
        return None

    def _confirm(self, message):
        item = self._find(message.tracing_id) if message.tracing_id else None
        row = Row(message.id or message.tracing_id, "guest", "You", "", message.text, "sent", message.time, "")
        if self._duration_s:  # activity pushes the session's expiry forward
            self._session_timing(None, self.ports.epoch_s() + self._duration_s)
        if item is not None:
            self.outbox.remove(item)
            self.state.replace_key(item["id"], row)
        elif not self.state.has(row.key):
            self.state.put(row)

    # -- applying core outputs --------------------------------------------------------------
    def _apply(self, outputs):
        for out in outputs:
            handler = _OUTPUTS.get(type(out).__name__)
            if handler is not None:
                handler(self, out)
        self._sync_status()
        self._persist()
        self.render()

    def _sync_status(self):
        status = STATUS[self.conn.state] if self.conn is not None else STATUS[conn_mod.IDLE]
        self.state.set_connection(*status)

    def _window_wait(self, now):
        """Milliseconds until the per-connection budget has room for another message (0: now)."""
        self._socket_sends = [t for t in self._socket_sends if now - t < 60_000]
        if len(self._socket_sends) < REQUESTS_PER_MINUTE - RESERVED_REQUESTS:
            return 0
        return 60_000 - (now - self._socket_sends[0]) + 1

    def _send(self, out):
        self._socket_sends.append(self.ports.now_ms())
        if out.rated:  # Join, typing and Clear share the message budget with the outbox
            self._next_send_ms = max(self._next_send_ms, self.ports.now_ms() + SEND_INTERVAL_MS)
        self.ports.send(out.text)

    def _open(self, out):
        self._socket_sends = []
        if not self._gap_anchor_taken:  # the first opening since the last configure
            self._gap_anchor = self._newest_shown()
            self._gap_anchor_taken = True
        self.ports.open_socket(settings_mod.socket_url(self.settings))

    def _close(self, out):
        self.ports.close_socket()

    def _state_changed(self, out):
        if out.new == conn_mod.CONFIGURED:
            if self.state.notice is not None and self.state.notice.kind != "ended":
                self.state.clear_notice()

    def _ready(self, out):
        for item in self.outbox:
            item["sent"] = False
        # A send whose echo never came may or may not have reached the service: history decides.
        self._holding = any(item["attempted"] for item in self.outbox)
        self._session_timing(out.limits.get("durationSeconds"), out.limits.get("expirationDate"))
        if out.read_only:
            self._ended_notice(True)
        self._sync_history()
        self._pump()

    def _message(self, out):
        message = out.message
        if message.direction == "Inbound":
            return self._confirm(message)
        row = _row_for(message, self.ports.new_id)
        if row is not None:
            self.state.stop_typing()
            self.state.put(row)

    # -- history ----------------------------------------------------------------------------
    def _sync_history(self):
        """Fill what the socket missed: read history back from the newest message until a few
        messages past the anchor, the newest message shown before the gap. Live messages that
        arrived since the reconnect are newer than the gap, so they cannot end the search early."""
        # Gaps not filled yet (cut short by another drop, or a reload) stay open with their own
        # anchors, or they would be skipped.
        if self._catch_up is None:
            self._catch_up = CatchUp()
        self._catch_up.reconnected(self._gap_anchor if self._gap_anchor_taken else self._newest_shown())
        self._gap_anchor_taken = False
        if self._holding and self._hold_handle is None:  # the first deadline stands: drops cannot defer it
            self._hold_handle = self.ports.schedule(HOLD_LIMIT_MS, self._release_hold)
        self._catch_up_gen += 1
        gen = self._catch_up_gen
        self._with_jwt(lambda: self._fetch_page(0, gen))

    def _newest_shown(self):
        for row in reversed(self.state.ordered()):
            if row.side != "system" and row.status != "pending" and row.time:
                return row.key
        return None

    def _forget_gaps(self):
        self._catch_up = None
        self._gap_anchor_taken = False
        self._catch_up_gen += 1  # a catch-up still running belongs to the old conversation

    def load_earlier(self):
        if self.history.has_earlier and self.conn is not None:
            self._with_jwt(lambda: self._fetch_page(self.history.oldest_page + 1, 0))

    def _with_jwt(self, then):
        if self.history.jwt_valid(self.ports.epoch_s()):
            return then()
        if self.conn.state not in (conn_mod.CONFIGURED, conn_mod.READ_ONLY):
            return self._release_hold()
        self._after_jwt = then
        self._request_jwt()

    def _request_jwt(self):
        if self._after_jwt is None or self.conn.state not in (conn_mod.CONFIGURED, conn_mod.READ_ONLY):
            return
        self._jwt_request = self.ports.new_id()
        self._apply([self.conn.request_jwt(self._jwt_request)])

    def _jwt(self, out):
        self._jwt_request = None
        self.history.set_jwt(out.jwt, out.expires_at_s)
        then, self._after_jwt = self._after_jwt, None
        if then is not None:
            then()

    def _fetch_page(self, page_number, catch_up):
        """catch_up: the catch-up's generation (its cursor picks the page), or 0 for "Load earlier".
        A catch-up overtaken by a newer one (another reconnect) stops, so it cannot disturb the
        newer one's bookkeeping."""
        if catch_up and (catch_up != self._catch_up_gen or self._catch_up is None):
            return
        if catch_up:
            page_number = self._catch_up.next_page()
        wait = self.history.wait_ms(self.ports.now_ms())
        if wait:
            self.ports.schedule(wait, lambda: self._fetch_page(page_number, catch_up))
            return
        self.history.note_fetch(self.ports.now_ms())
        url = history_mod.history_url(self.settings.api_base_url, page_number)
        self.ports.fetch_json(url, lambda status, data: self._on_page(status, data, page_number, catch_up),
                              history_mod.auth_headers(self.history.jwt))

    def _on_page(self, status, data, page_number, catch_up):
        if catch_up and (catch_up != self._catch_up_gen or self._catch_up is None):
            return
        if status == 401:
            self.history.drop_jwt()  # expired early or revoked: one fresh token, then give up
            if not self._jwt_retried:
                self._jwt_retried = True
                return self._with_jwt(lambda: self._fetch_page(page_number, catch_up))
        self._jwt_retried = False
        if status in (0, 429, 500, 502, 503, 504) and self._page_retries < HISTORY_RETRIES:
            # Busy or unreachable: the gap is still there, so ask again rather than lose it.
            self._page_retries += 1
            self.history.refused(self.ports.now_ms(), HISTORY_RETRY_MS * self._page_retries)
            return self._fetch_page(page_number, catch_up)
        self._page_retries = 0
        if status != 200:
            return self._release_hold()
        page = history_mod.parse_page(data)
        number, count = page.number or page_number, page.count
        more = False
        if catch_up:
            more = self._catch_up.read([m.id for m in reversed(page.messages)], number, page.total, page.size)
        guest = []
        for message in page.messages:
            if message.direction == "Inbound":
                if message.kind != "Event":
                    guest.append(message)
                continue
            row = _row_for(message, self.ports.new_id)
            if row is not None and not self.state.has(row.key):
                self.state.put(row)
        self.history.page_loaded(number, count)
        self._reconcile(guest)
        if more:
            self._fetch_page(0, catch_up)
        elif catch_up:
            # Done (or read as far back as one catch-up goes: the rest is "Load earlier").
            self._catch_up = None
            # "Load earlier" starts past what the stored transcript already shows (counting
            # only rows the service holds: a failed send would make it skip a page).
            held = sum(1 for r in self.state.rows.values()
                       if r.side != "system" and r.status not in ("pending", "failed"))
            self.history.page_loaded(held // page.size, count)
            self._release_hold()
        self.state.has_earlier = self.history.has_earlier
        self._persist()
        self.render()

    def _reconcile(self, guest_messages):
        """Guest messages in history: confirm our attempted sends that did arrive, show the rest.
        Done after every page, so a send found early is never sent again when the hold ends."""
        for message in guest_messages:
            if self.state.has(message.id):
                continue
            item = None
            for candidate in self.outbox:
                if candidate["attempted"] and candidate["text"] == message.text:
                    item = candidate
                    break
            if item is not None:
                self._confirm(ev.Message(message.id, message.direction, message.kind, message.text, message.time,
                                         None, "", item["id"], (), {}))
            else:
                self.state.put(Row(message.id, "guest", "You", "", message.text, "sent", message.time, ""))

    def _release_hold(self):
        if self._hold_handle is not None:
            self.ports.cancel(self._hold_handle)
            self._hold_handle = None
        if self._holding:
            self._holding = False
            self._pump()

    def _health(self, out):
        self._session_timing(out.duration_seconds, out.expiration_s)

    def _typing(self, out):
        name = out.sender.name if out.sender and out.sender.name else None
        self.state.agent_typing(name, self.ports.now_ms() + out.duration_ms)
        self.ports.schedule(out.duration_ms + 50, self.render)

    def _ended(self, out):
        key = out.message_id or ("ended-" + self.ports.new_id())
        self.state.stop_typing()
        self.state.put(Row(key, "system", "", "", "The conversation has ended.", "", out.time, ""))
        self._ended_notice(out.read_only)

    def _ended_notice(self, read_only):
        if read_only:
            self.state.show_notice("Conversation ended", "This conversation has ended. You can read it, "
                                   "but no new messages can be sent.", "", "ended", "Start a new chat")
        else:
            self.state.show_notice("Conversation ended", "The agent ended this conversation.",
                                   "Send a message to start a new one.", "info")

    def _error(self, out):
        problem = out.problem
        if out.tracing_id and out.tracing_id == self._jwt_request:
            self._jwt_request = self._after_jwt = None  # no history this time: send what was held
            return self._release_hold()
        item = self._find(out.tracing_id) if out.tracing_id else None
        if item is not None and problem.policy not in (errors.RETRY, errors.WAIT):
            self.outbox.remove(item)
            self.state.set_status(item["id"], "failed", problem.message + " " + problem.action)
            return
        kind = "error" if problem.policy in (errors.STOP, errors.NEW_SESSION) else "warn"
        button = "Start a new chat" if problem.policy == errors.NEW_SESSION else ""
        self.state.show_notice(problem.title, problem.message, problem.action, kind, button)

    def _rate_limited(self, out):
        if out.tracing_id and out.tracing_id == self._jwt_request:
            self.ports.schedule(out.retry_after_ms, self._request_jwt)
            return
        item = self._find(out.tracing_id)
        if item is not None:
            item["sent"] = False
        self._next_send_ms = self.ports.now_ms() + out.retry_after_ms
        if self._pump_handle is None:
            self._pump_handle = self.ports.schedule(out.retry_after_ms, self._pump)

    def _reconnect(self, out):
        self._retry_handle = self.ports.schedule(out.delay_ms, self._retry_now)
        # A single drop is routine (the status line says "Reconnecting…"); once a retry has failed
        # too, say why, unless a more specific notice is already up.
        if out.attempt >= 2 and out.problem is not None and self.state.notice is None:
            problem = out.problem
            self.state.show_notice(problem.title, problem.message, problem.action, "warn")

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
        self.state.clear()
        self.outbox = []
        self._forget_gaps()
        self.ports.save(self._key + ":token", "")
        self._error(ev.ErrorReported(errors.problem_for("session_cleared"), ""))

    def _expired(self, out):
        self._error(ev.ErrorReported(errors.problem_for(4006), ""))

    # -- persistence and rendering ------------------------------------------------------------
    def _persist(self):
        """Save the outbox now (it is small and must survive a reload); save the transcript at
        most once a second (it grows, and the edge also calls flush() when the page is hidden)."""
        if self.settings is None:
            return
        outbox = json.dumps([{"id": i["id"], "text": i["text"], "attempted": i["attempted"]} for i in self.outbox])
        if outbox != self._saved_outbox:
            self._saved_outbox = outbox
            self.ports.save(self._key + ":outbox", outbox)
        changed = self.state.version != self._saved_version or self._gaps_text() != self._saved_gaps
        if changed and self._save_handle is None:
            self._save_handle = self.ports.schedule(SAVE_DELAY_MS, self.flush)

    def flush(self):
        """The transcript and its unfilled gap are saved together, so a reload never sees rows
        newer than a gap without the gap (it would take the newest row as its anchor)."""
        self._save_handle = None
        if self.settings is None:
            return
        if self.state.version != self._saved_version:
            self._saved_version = self.state.version
            self.ports.save(self._key + ":transcript", json.dumps(self.state.saved()))
        gaps = self._gaps_text()
        if gaps != self._saved_gaps:
            self._saved_gaps = gaps
            self.ports.save(self._key + ":gaps", gaps)

    def _gaps_text(self):
        return json.dumps(self._catch_up.saved()) if self._catch_up is not None else ""

    def render(self):
        self.ports.render(self.state.view(self.ports.now_ms()))


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
    "JwtIssued": Controller._jwt,
    "HealthChecked": Controller._health,
    "ReconnectScheduled": Controller._reconnect,
    "HandshakeFailed": Controller._handshake_failed,
    "SessionCleared": Controller._cleared,
    "SessionExpired": Controller._expired,
}


def _row_for(message, new_id):
    """The transcript row for an agent or bot message (live or from history), or None."""
    if message.kind == "Event" or (not message.text and not message.content):
        return None
    side = "bot" if message.entity == "Bot" else "agent"
    sender = message.sender
    author = sender.name if sender and sender.name else ("Assistant" if side == "bot" else "Agent")
    note = ""
    if message.content:
        note = "Also sent: " + ", ".join([c.kind for c in message.content]) + " (not shown)"
    return Row(message.id or new_id(), side, author, sender.image if sender else "", message.text, "",
               message.time, note)


def _loads(text, default):
    if not text:
        return default
    try:
        return json.loads(text)
    except Exception:
        return default


def _wait_text(seconds):
    if seconds < 60:
        return "Estimated wait: under a minute"
    minutes = int((seconds + 30) // 60)
    return "Estimated wait: about %d minute%s" % (minutes, "" if minutes == 1 else "s")
