"""Getting the guest's attention when a reply arrives and they are not looking.

"Looking" means the panel is open and the page is visible. A message from the bot or an agent
that arrives otherwise counts as unread: the count goes on the launcher and in the page's title
(`ports.set_unread`), the host page gets an `unread` event, a short sound plays when the settings
ask for one, and a browser notification shows once the guest has turned them on (and the browser
allows it). The first unread message gets a "New messages" divider, which stays until the guest
writes. Every new incoming message is also announced once to screen readers (`announce`), so
history drawn on a reload is never read out.

Settings (config.json `attention`): `sound` (false), `notifications` (true: the guest may turn
them on), `notificationText` (true: the message's words in the notification; the deployment's
`notifications.notificationContentType: "ExcludeMessagesContent"` turns them off).
"""
from app.chat.strings import t

NOTIFY_PREF = "gcw-notify"  # the guest's choice, kept across reloads (per deployment, with storage's prefix)
PREVIEW_CHARS = 120


class Attention:
    def __init__(self, ports, host):
        self.ports = ports
        self.host = host  # app/chat/host.HostLink: events for the page around the chat
        self.is_open = False
        self.visible = True
        self.unread = 0
        self.divider = ""  # key of the first unread row: the "New messages" divider goes above it
        self.announced = None  # (number, words) of the newest incoming message, for the live region
        self.sound = False
        self.notifications_allowed = True  # the site lets guests turn them on
        self.notification_text = True
        self.permission = "unsupported"  # the browser's: "default" | "granted" | "denied" | "unsupported"
        self.wanted = False  # the guest turned notifications on here
        self._stored_wish = False
        self._count = 0

    def configure(self, settings, permission, wanted):
        options = settings if isinstance(settings, dict) else {}
        self.sound = options.get("sound") is True
        self.notifications_allowed = options.get("notifications") is not False
        self.notification_text = options.get("notificationText") is not False
        self.permission = permission or "unsupported"
        self._stored_wish = bool(wanted)  # the guest's choice on an earlier visit
        self.wanted = self._stored_wish and self.permission == "granted"

    def deployment_known(self, conversations):
        notes = conversations.get("notifications") if isinstance(conversations, dict) else None
        if isinstance(notes, dict) and notes.get("notificationContentType") == "ExcludeMessagesContent":
            self.notification_text = False

    # -- is the guest looking -----------------------------------------------------------------
    def looking(self):
        return self.is_open and self.visible

    def opened(self):
        self.is_open = True
        self._read()

    def closed(self):
        self.is_open = False

    def visibility(self, visible):
        self.visible = bool(visible)
        self._read()

    def _read(self):
        if self.looking() and self.unread:
            self.unread = 0
            self._tell()

    def _tell(self):
        count = self.unread
        words = t("launcher.open")
        if count:
            words += ", " + (t("launcher.unread_one") if count == 1 else t("launcher.unread", count=count))
        self.host.emit("unread", count=count, label=words)  # label: the host launcher's accessible name
        self.ports.set_unread(count)

    # -- what arrives --------------------------------------------------------------------------
    def incoming(self, row, first_key=None):
        """A new message from the bot or an agent arrived live (not from history). `first_key`: the
        row drawn first for it (a "joined the chat" line goes above an agent's first message)."""
        self._count += 1
        words = row.text or t("attention.no_text")
        self.announced = (self._count, t("attention.announce", author=row.author, text=words))
        self.host.emit("message", text=row.text, author=row.author, side=row.side)
        if self.looking():
            return
        if not self.unread:
            self.divider = first_key or row.key  # a new batch of unread messages starts here
        self.unread += 1
        self._tell()
        if self.sound:
            self.ports.play_sound()
        if self.wanted and self.permission == "granted":
            body = _preview(row.text) if self.notification_text else t("attention.notify_body")
            self.ports.notify(t("attention.notify_title", author=row.author), body)

    def guest_wrote(self):
        self.divider = ""

    def forget(self):
        """The transcript was cleared or a new chat began."""
        self.divider = ""
        if self.unread:
            self.unread = 0
            self._tell()

    # -- the guest's choice about notifications -------------------------------------------------
    def notifications_state(self):
        """"" (not offered), "off", "on", "blocked" (the browser refuses them)."""
        if not self.notifications_allowed or self.permission == "unsupported":
            return ""
        if self.permission == "denied":
            return "blocked"
        return "on" if self.wanted else "off"

    def permission_changed(self, permission):
        """The browser answered the guest's request."""
        self.permission = permission or "unsupported"
        self.wanted = self._stored_wish = self.permission == "granted"
        return self.wanted

    def permission_known(self, permission):
        """The permission as it stands (the host page tells it): the guest's choice is kept."""
        was_wanted = self.wanted or self._stored_wish
        self.permission = permission or "unsupported"
        self.wanted = was_wanted and self.permission == "granted"

    def turn_off(self):
        self.wanted = self._stored_wish = False


def _preview(text):
    text = " ".join((text or "").split())
    if len(text) > PREVIEW_CHARS:
        text = text[:PREVIEW_CHARS - 1].rstrip() + "…"
    return text or t("attention.notify_body")
