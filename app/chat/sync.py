"""Filling what the socket missed: history catch-up after every (re)configure, "Load earlier",
the guest JWT they need, and the hold on sends whose echo never came.

After a reconnect, a send whose echo never arrived may or may not have reached the service; it is
held until history says so (or HOLD_LIMIT_MS passes: it then goes, so it goes at least once).
The gaps drops left (app/chat/history.CatchUp) are read page by page within the service's 10
fetches a minute. Owned by the controller, which it calls back for the socket, the outbox and the
transcript.
"""
from app.chat.history import CatchUp, HistoryPolicy
from app.chat.transcript import guest_row, row_for
from app.chat import parts as parts_mod
from app.protocol import connection as conn_mod
from app.protocol import events as ev
from app.protocol import history as history_mod

HISTORY_RETRY_MS = 6000  # a refused or failed history page is asked again after 6 s, 12 s, ...
HISTORY_RETRIES = 5
HOLD_LIMIT_MS = 15000  # held sends go anyway if history has not answered by then (at least once)


class HistorySync:
    def __init__(self, controller):
        self.c = controller
        self.policy = HistoryPolicy()
        self.holding = False  # attempted sends wait for history to say whether they arrived
        self.catch_up = None  # the gaps not filled yet (None: none); saved with the transcript
        # The newest message shown when the socket went away (taken when the next one opens, as
        # frames on the new socket may come before its SessionResponse): the next gap's anchor.
        self._gap_anchor = None
        self._gap_anchor_taken = False
        self._after_jwt = None  # what to do once getJwt answers
        self.jwt_request = None  # tracingId of the getJwt in flight
        self._page_retries = 0
        self._gen = 0
        self._hold_handle = None
        self._jwt_retried = False

    # -- the controller's hooks ---------------------------------------------------------------
    def socket_opening(self):
        if not self._gap_anchor_taken:  # the first opening since the last configure
            self._gap_anchor = self.newest_shown()
            self._gap_anchor_taken = True

    def configured(self, new_session=False):
        """Fill what the socket missed: read history back from the newest message until a few
        messages past the anchor, the newest message shown before the gap. Live messages that
        arrived since the reconnect are newer than the gap, so they cannot end the search early.
        A session the service has just made has no history: nothing to read (no getJwt and no
        history request, which count against 10 a minute), and no earlier send can be in it."""
        if new_session:
            self.catch_up = None
            self._gap_anchor_taken = False
            self._gen += 1  # a catch-up still running belonged to another session
            self.release_hold()
            return
        self.holding = self.c.outbox.any_attempted()
        # Gaps not filled yet (cut short by another drop, or a reload) keep their own anchors.
        if self.catch_up is None:
            self.catch_up = CatchUp()
        self.catch_up.reconnected(self._gap_anchor if self._gap_anchor_taken else self.newest_shown())
        self._gap_anchor_taken = False
        if self.holding and self._hold_handle is None:  # the first deadline stands: drops cannot defer it
            self._hold_handle = self.c.ports.schedule(HOLD_LIMIT_MS, self.release_hold)
        self._gen += 1
        gen = self._gen
        self._with_jwt(lambda: self._fetch_page(0, gen))

    def newest_shown(self):
        for row in reversed(self.c.state.ordered()):
            if row.side != "system" and row.status != "pending" and row.time:
                return row.key
        return None

    def forget_gaps(self):
        """A new conversation (start new, clear, end): nothing of the old one is fetched again."""
        self.catch_up = None
        self._gap_anchor_taken = False
        self._gen += 1  # a catch-up still running belongs to the old conversation
        self.policy.drop_jwt()  # it may belong to the old session token: its history is not ours now

    def restore_gaps(self, saved):
        self.catch_up = CatchUp.restored(saved) if saved else None

    def gaps_saved(self):
        return self.catch_up.saved() if self.catch_up is not None else None

    def load_earlier(self):
        if self.policy.has_earlier and self.c.conn is not None:
            self._with_jwt(lambda: self._fetch_page(self.policy.oldest_page + 1, 0))

    # -- JWT --------------------------------------------------------------------------------
    def _live(self):
        return self.c.conn.state in (conn_mod.CONFIGURED, conn_mod.READ_ONLY)

    def _with_jwt(self, then):
        if self.policy.jwt_valid(self.c.ports.epoch_s()):
            return then()
        if not self._live():
            return self.release_hold()
        self._after_jwt = then
        self.request_jwt()

    def request_jwt(self):
        if self._after_jwt is None or not self._live():
            return
        self.jwt_request = self.c.ports.new_id()
        self.c.apply([self.c.conn.request_jwt(self.jwt_request)])

    def jwt_issued(self, out):
        self.jwt_request = None
        self.policy.set_jwt(out.jwt, out.expires_at_s)
        then, self._after_jwt = self._after_jwt, None
        if then is not None:
            then()

    def jwt_refused(self):
        """getJwt failed: no history this time, send what was held."""
        self.jwt_request = self._after_jwt = None
        self.release_hold()

    # -- pages ------------------------------------------------------------------------------
    def _fetch_page(self, page_number, catch_up):
        """catch_up: the catch-up's generation (its cursor picks the page), or 0 for "Load earlier".
        A catch-up overtaken by a newer one (another reconnect) stops, so it cannot disturb the
        newer one's bookkeeping."""
        if catch_up and (catch_up != self._gen or self.catch_up is None):
            return
        if catch_up:
            page_number = self.catch_up.next_page()
        ports = self.c.ports
        wait = self.policy.wait_ms(ports.now_ms())
        if wait:
            ports.schedule(wait, lambda: self._fetch_page(page_number, catch_up))
            return
        self.policy.note_fetch(ports.now_ms())
        url = history_mod.history_url(self.c.settings.api_base_url, page_number)
        ports.fetch_json(url, lambda status, data: self._on_page(status, data, page_number, catch_up),
                         history_mod.auth_headers(self.policy.jwt))

    def _on_page(self, status, data, page_number, catch_up):
        if catch_up and (catch_up != self._gen or self.catch_up is None):
            return
        if status == 401:
            self.policy.drop_jwt()  # expired early or revoked: one fresh token, then give up
            if not self._jwt_retried:
                self._jwt_retried = True
                return self._with_jwt(lambda: self._fetch_page(page_number, catch_up))
        self._jwt_retried = False
        if status in (0, 429, 500, 502, 503, 504) and self._page_retries < HISTORY_RETRIES:
            # Busy or unreachable: the gap is still there, so ask again rather than lose it.
            self._page_retries += 1
            self.policy.refused(self.c.ports.now_ms(), HISTORY_RETRY_MS * self._page_retries)
            return self._fetch_page(page_number, catch_up)
        self._page_retries = 0
        if status != 200:
            return self.release_hold()
        page = history_mod.parse_page(data)
        number, count = page.number or page_number, page.count
        more = False
        if catch_up:
            more = self.catch_up.read([m.id for m in reversed(page.messages)], number, page.total, page.size)
        state = self.c.state
        guest = []
        for message in page.messages:
            if message.direction == "Inbound":
                if message.kind != "Event":
                    guest.append(message)
                continue
            row = row_for(message, self.c.ports.new_id, self.c.markdown())
            if row is not None and not state.has(row.key):
                state.put(row)
        self.policy.page_loaded(number, count)
        self._reconcile(guest)
        if more:
            self._fetch_page(0, catch_up)
        elif catch_up:
            # Done (or read as far back as one catch-up goes: the rest is "Load earlier").
            self.catch_up = None
            # "Load earlier" starts past what the stored transcript already shows (counting
            # only rows the service holds: a failed send would make it skip a page).
            held = sum(1 for r in state.rows.values()
                       if r.side != "system" and r.status not in ("pending", "failed"))
            self.policy.page_loaded(held // page.size, count)
            self.release_hold()
        state.has_earlier = self.policy.has_earlier
        self.c.persist()
        self.c.render()

    def _reconcile(self, guest_messages):
        """Guest messages in history: confirm our attempted sends that did arrive, show the rest.
        Done after every page, so a send found early is never sent again when the hold ends."""
        for message in guest_messages:
            if self.c.state.has(message.id):
                continue
            shown = parts_mod.guest_parts(message)
            item = self.c.outbox.attempted_with_text(parts_mod.plain_text(shown) or message.text)
            if item is not None:
                self.c.confirm(ev.Message(message.id, message.direction, message.kind, message.text, message.time,
                                          None, "", item["id"], message.content, {}))
            else:
                self.c.state.put(guest_row(message.id, parts_mod.plain_text(shown), "sent", message.time,
                                           parts=shown))

    def release_hold(self):
        if self._hold_handle is not None:
            self.c.ports.cancel(self._hold_handle)
            self._hold_handle = None
        if self.holding:
            self.holding = False
            self.c.pump()
