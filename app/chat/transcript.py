"""What the chat panel shows, as pure data: rows of the transcript plus the panel's status.

`ChatState` is changed only through its methods; `view(now_ms)` returns an immutable `View` the
edge renders. Rows are keyed (server message id, or the local id of a message still pending) so
the renderer can update a bubble in place instead of redrawing the list.
"""
from collections import namedtuple

from app.chat import parts as parts_mod
from app.chat.strings import t

# side: "guest" | "bot" | "agent" | "system"; status: "pending" | "sent" | "failed" | "";
# text: the row's words in plain text (copy back, matching history); parts: what is drawn
# (app/chat/parts.py); note: why a guest message failed.
Row = namedtuple("Row", ["key", "side", "author", "avatar", "text", "status", "time", "note", "parts"])
Notice = namedtuple("Notice", ["title", "message", "action", "kind", "button"])
# live: the key of the row whose quick replies and pickers can still be answered (the newest
# row, when the bot or an agent wrote it), or "".
View = namedtuple(
    "View",
    ["status", "status_kind", "rows", "typing", "composer_enabled", "composer_hint", "notice", "wait", "earlier",
     "version", "live", "uploads", "accept", "attachments", "menu", "confirm", "prechat", "divider", "announce",
     "countdown", "unread", "availability"],
)
# uploads: the guest's files in the composer (app/chat/uploads.Upload); accept: the file picker's
# `accept`; attachments: whether the guest may attach files now. menu: what the panel's menu offers
# ("download_text", "download_json", "notify_off" | "notify_on" | "notify_blocked", "clear", "end");
# confirm: "end" | "clear" while the guest is asked; prechat: the form (app/chat/prechat.FormView)
# or None; divider: the key of the first unread row; announce: (number, words) of the newest
# incoming message for screen readers; countdown: "4:05" while the expiry warning shows; unread:
# messages the guest has not seen. availability: (open, reason, next change ISO, opens then, agents
# available, hide the launcher) from the proxy (app/chat/availability.py); None where unknown.


def guest_row(key, text, status="pending", time="", note="", parts=None):
    return Row(key, "guest", t("author.you"), "", text, status, time, note,
               parts if parts is not None else parts_mod.text_parts(text))

MAX_ROWS = 500  # kept in storage; older rows come back from history


def _row_from_dict(d):
    text = d.get("text", "")
    parts = parts_mod.restored(d.get("parts")) if "parts" in d else ()
    if not parts and text:  # rows saved before parts existed
        parts = (parts_mod.Part("system" if d.get("side") == "system" else "text", {"text": text}),)
    return Row(d.get("key", ""), d.get("side", "system"), d.get("author", ""), d.get("avatar", ""),
               text, d.get("status", ""), d.get("time", ""), d.get("note", ""), parts)


def row_to_dict(row):
    return {"key": row.key, "side": row.side, "author": row.author, "avatar": row.avatar,
            "text": row.text, "status": row.status, "time": row.time, "note": row.note,
            "parts": parts_mod.saved(row.parts)}


class ChatState:
    def __init__(self, rows=()):
        self.rows = {}
        # Keys in display order, kept sorted as rows arrive (insertion from the end: messages come
        # almost in order). Re-sorting per frame is too slow on MicroPython (~170 ms for 200 rows).
        self._sorted = []
        self._seq = {}  # key -> arrival number: the tie-break under equal times
        self._next_seq = 0
        self.version = 0  # bumped on every row change: renderers and storage skip unchanged work
        self._ordered = None  # (version, rows) cache
        for item in rows:
            row = item if isinstance(item, Row) else _row_from_dict(item)
            if row.key and row.key not in self.rows:
                self.put(row)
        self.status = "Connecting…"
        self.status_kind = "busy"
        self.composer_enabled = False
        self.composer_hint = "Connecting…"
        self.notice = None
        self.wait = ""
        self.has_earlier = False  # older history pages exist
        self.typing_name = None
        self.typing_until = 0
        self.guest_has_written = any(r.side == "guest" for r in self.rows.values())

    # -- ordering ---------------------------------------------------------------------------
    def _sort_key(self, row):
        # Confirmed rows by service time; pending rows after them, in the order they were written.
        return (1 if row.status == "pending" or not row.time else 0, row.time, self._seq[row.key])

    def _insert(self, key):
        wanted = self._sort_key(self.rows[key])
        i = len(self._sorted)
        while i > 0 and self._sort_key(self.rows[self._sorted[i - 1]]) > wanted:
            i -= 1
        self._sorted.insert(i, key)
        return i

    def _changed(self):
        self.version += 1

    # -- transcript -------------------------------------------------------------------------
    def put(self, row):
        old = self.rows.get(row.key)
        if old == row:
            return
        cached = self._ordered
        grown = False  # the usual new message, after every other: the ordered rows grow by one
        if old is None:
            self._seq[row.key] = self._next_seq
            self._next_seq += 1
            self.rows[row.key] = row
            grown = self._insert(row.key) == len(self._sorted) - 1 and cached is not None \
                and cached[0] == self.version
        else:
            moved = (old.status == "pending") != (row.status == "pending") or old.time != row.time
            self.rows[row.key] = row
            if moved:
                self._sorted.remove(row.key)
                self._insert(row.key)
        if row.side == "guest":
            self.guest_has_written = True
        self._changed()
        if grown:  # a copy of references, not a lookup per row: a long conversation stays cheap
            self._ordered = (self.version, cached[1] + (row,))

    def replace_key(self, old_key, row):
        """A pending row confirmed by the service: it takes the server's id and time."""
        if old_key in self.rows:
            del self.rows[old_key]
            self._sorted.remove(old_key)
            seq = self._seq.pop(old_key)
            if row.key not in self.rows:
                self._seq[row.key] = seq  # keeps its place among rows of the same time
                self.rows[row.key] = row
                self._insert(row.key)
                self._changed()
                return
            self._changed()
        self.put(row)

    def has(self, key):
        return key in self.rows

    def set_status(self, row_key, status, note=""):
        row = self.rows.get(row_key)
        if row is not None:
            self.put(Row(row.key, row.side, row.author, row.avatar, row.text, status, row.time, note, row.parts))

    def ordered(self):
        if self._ordered is None or self._ordered[0] != self.version:
            self._ordered = (self.version, tuple([self.rows[k] for k in self._sorted]))
        return self._ordered[1]

    def clear(self):
        self.rows = {}
        self._sorted = []
        self._seq = {}
        self._changed()
        self.guest_has_written = False

    def kept(self):
        """The rows a reload gets back (the newest MAX_ROWS)."""
        return self.ordered()[-MAX_ROWS:]

    def saved(self):
        return [row_to_dict(r) for r in self.kept()]

    # -- panel ------------------------------------------------------------------------------
    def set_connection(self, status, kind, composer_enabled, hint=""):
        self.status = status
        self.status_kind = kind
        self.composer_enabled = composer_enabled
        self.composer_hint = hint

    def show_notice(self, title, message, action="", kind="info", button=""):
        self.notice = Notice(title, message, action, kind, button)

    def clear_notice(self):
        self.notice = None

    def agent_typing(self, name, until_ms):
        self.typing_name = name
        self.typing_until = until_ms

    def stop_typing(self):
        self.typing_until = 0

    def _newest_author(self):
        for row in reversed(self.ordered()):
            if row.side in ("bot", "agent"):
                return row.author
        return ""

    def remove(self, key):
        if key in self.rows:
            del self.rows[key]
            self._sorted.remove(key)
            self._seq.pop(key, None)
            self._changed()

    def view(self, now_ms, uploads=(), accept="", attachments=False, menu=(), confirm="", prechat=None, divider="",
             announce=None, countdown="", unread=0, availability=(None, "", "", None, None, False)):
        typing = None
        if self.typing_until and now_ms < self.typing_until:
            # The bot's typing events name nobody: the one who wrote last is the one typing.
            name = self.typing_name or self._newest_author()
            typing = t("typing.named", name=name) if name else t("typing.someone")
        rows = self.ordered()
        live = ""
        if rows and rows[-1].side in ("bot", "agent"):
            live = rows[-1].key
        return View(self.status, self.status_kind, rows, typing, self.composer_enabled,
                    self.composer_hint, self.notice, "" if self.guest_has_written else self.wait, self.has_earlier,
                    self.version, live, tuple(uploads), accept, attachments, tuple(menu), confirm, prechat,
                    divider if divider in self.rows else "", announce, countdown, unread, availability)


def row_for(message, new_id, markdown=False):
    """The transcript row for an agent or bot message (live or from history), or None."""
    if message.kind == "Event" or (not message.text and not message.content):
        return None
    side = "bot" if message.entity == "Bot" else "agent"
    sender = message.sender
    author = sender.name if sender and sender.name else t("author.bot" if side == "bot" else "author.agent")
    parts = parts_mod.parts_of(message, markdown)
    if not parts:
        return None
    return Row(message.id or new_id(), side, author, sender.image if sender else "",
               parts_mod.plain_text(parts), "", message.time, "", parts)


def system_row(key, text, time=""):
    return Row(key, "system", "", "", text, "", time, "", (parts_mod.Part("system", {"text": text}),))
