"""How a conversation ends, and what the guest can do about it: the panel's menu actions.

- **End chat** (where the deployment lets conversations end, `conversationDisconnect.enabled`,
  and the settings do not turn it off): after a confirmation the guest leaves (closeSession with
  closeAllConnections), the token is forgotten and the transcript stays to read and download,
  with "Start a new chat".
- **Clear** (where the deployment allows it, `conversationClear.enabled`): after a confirmation,
  Presence Clear; the service wipes the conversation (app/chat/controller.py handles its answer).
- **Start a new chat** after read-only, an end, a clear or expiry.
- **The expiry warning**: a countdown in the last five minutes and "Stay" (app/chat/expiry.py).
- **Transcript download** as text or JSON (app/chat/export.py).

Pure like the controller it belongs to: it reaches the world through the controller's ports.
"""
from app.chat.expiry import Expiry, countdown
from app.chat.strings import t
from app.chat.transcript import system_row
from app.protocol import connection as conn_mod

CONFIRMABLE = ("end", "clear")


class Ending:
    def __init__(self, controller):
        self.c = controller
        self.expiry = Expiry()
        self.confirming = ""  # "end" | "clear" while the guest is asked to confirm
        self._countdown_handle = None

    # -- what the menu offers -------------------------------------------------------------------
    def menu(self):
        c = self.c
        options = c.settings.ending if c.settings is not None else {}
        live = c.conn is not None and c.conn.state == conn_mod.CONFIGURED
        items = []
        if options.get("download") is not False and any(r.side != "system" for r in c.state.ordered()):
            items.append("download_text")
            items.append("download_json")
        notify = c.attention.notifications_state()
        if notify:
            items.append("notify_" + notify)
        conversations = c.conversations()
        if live and options.get("clear") is not False and (conversations.get("conversationClear") or {}).get("enabled"):
            items.append("clear")
        if c.conn is not None and c.conn.state in (conn_mod.CONFIGURED, conn_mod.READ_ONLY) \
                and options.get("endChat") is not False \
                and (conversations.get("conversationDisconnect") or {}).get("enabled", True) is not False:
            items.append("end")
        return tuple(items)

    # -- confirmations --------------------------------------------------------------------------
    def ask(self, what):
        if what in CONFIRMABLE and what in self.menu():
            self.confirming = what
            self.c.render()

    def cancel(self):
        self.confirming = ""
        self.c.render()

    def confirmed(self):
        what, self.confirming = self.confirming, ""
        if what == "end":
            self.end_chat()
        elif what == "clear":
            self.c.clear_conversation()
        self.c.render()

    # -- ending ---------------------------------------------------------------------------------
    def end_chat(self):
        c = self.c
        if c.conn is None or c.conn.state not in (conn_mod.CONFIGURED, conn_mod.READ_ONLY, conn_mod.CONFIGURING,
                                                  conn_mod.RECONNECTING, conn_mod.CONNECTING):
            return False
        c.outbox.clear()  # nothing more can go
        c.state.stop_typing()
        c.state.put(system_row("left-" + c.ports.new_id(), t("ended.by_guest"), c.ports.now_iso()))
        c.storage.set_token("")  # a reload starts afresh; the transcript stays until then
        c.state.show_notice(t("notice.left.title"), t("notice.left.message"), "", "ended", t("notice.new_chat"))
        self.stop_countdown()
        c.apply(c.conn.leave())
        c.host.conversation_ended()
        return True

    # -- the session's expiry ---------------------------------------------------------------------
    def timing(self, duration_s, expires_s):
        if self.expiry.timing(duration_s, expires_s):
            self._moved()

    def activity(self):
        now = self.c.ports.epoch_s()
        if self.expiry.activity(now):
            self._moved(now)

    def _moved(self, now=None):
        notice = self.c.state.notice
        if notice is not None and notice.kind == "expiry":
            self.c.state.clear_notice()
            self.stop_countdown()
        self.check(now)

    def check(self, now=None):
        """Show the warning once the session is in its last five minutes (called on each tick;
        `now`: the wall clock in seconds when the caller has just read it)."""
        c = self.c
        if c.conn is None or c.conn.state != conn_mod.CONFIGURED:
            return
        if now is None:
            now = c.ports.epoch_s()
        if not self.expiry.warning_due(now):
            return
        notice = c.state.notice
        if notice is None or notice.kind != "expiry":
            c.state.show_notice(t("notice.expiry.title"), t("notice.expiry.countdown"), t("notice.expiry.action"),
                                "expiry", t("notice.expiry.stay"))
        if self._countdown_handle is None:
            self._countdown_handle = c.ports.schedule(1000, self._second)
        c.render()

    def countdown_text(self):
        notice = self.c.state.notice
        if notice is None or notice.kind != "expiry":
            return ""
        left = self.expiry.left(self.c.ports.epoch_s())
        return countdown(left) if left is not None else ""

    def _second(self):
        self._countdown_handle = None
        notice = self.c.state.notice
        if notice is None or notice.kind != "expiry" or self.c.conn is None \
                or self.c.conn.state != conn_mod.CONFIGURED:
            return
        left = self.expiry.left(self.c.ports.epoch_s())
        if left is not None and left > 0:
            self._countdown_handle = self.c.ports.schedule(1000, self._second)
        self.c.render()

    def stop_countdown(self):
        if self._countdown_handle is not None:
            self.c.ports.cancel(self._countdown_handle)
            self._countdown_handle = None

    def stay(self):
        """The guest chose Stay: a short message of theirs, the only activity the service counts."""
        return self.c.submit(t("expiry.stay_message"))

    # -- the transcript as a file -----------------------------------------------------------------
    def transcript_file(self, kind, fmt):
        """(file name, MIME type, content) of the transcript as "text" or "json"."""
        from app.chat import export  # compiled when a guest first downloads: a faster start

        c = self.c
        rows = c.state.ordered()
        stamp = c.ports.now_iso()
        title = t("export.title")
        if kind == "json":
            deployment = c.settings.deployment_id if c.settings is not None else ""
            return export.filename(stamp, "json"), "application/json", export.as_json(rows, title, stamp, deployment)
        return export.filename(stamp, "txt"), "text/plain;charset=utf-8", export.as_text(rows, title, stamp, fmt, t)
