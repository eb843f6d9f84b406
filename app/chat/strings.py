"""Every word the panel itself shows a guest, by key, with English defaults.

Render functions and the controller look words up here (`t("key", name=value)`); placeholders are
`{name}`. Replacing entries of `STRINGS` (or passing another table to `Strings`) changes the words
without touching code. Words that come from the service (messages, names, button labels) are never
looked up. The error catalogue's words (app/protocol/errors.py) are here too, as error.<code>.* keys.
"""
from app.protocol import errors

STRINGS = {
    # connection status (header) and composer hints
    "status.connecting": "Connecting…",
    "status.connected": "Connected",
    "status.reconnecting": "Reconnecting…",
    "status.ended": "Conversation ended",
    "status.closed": "Chat closed",
    "status.expired": "Chat expired",
    "status.failed": "Not connected",
    "status.idle": "Ready when you are",
    "hint.connecting": "Connecting…",
    "hint.queued": "Messages will be sent once connected",
    "hint.reconnecting": "Messages will be sent once reconnected",
    "hint.type": "Type a message",
    "hint.ended": "This conversation has ended",
    "hint.closed": "This chat is closed",
    "hint.expired": "This chat has expired",
    "hint.unavailable": "Chat unavailable",
    "hint.idle": "Type a message",
    # transcript
    "author.you": "You",
    "author.bot": "Assistant",
    "author.agent": "Agent",
    "badge.bot": "Bot",
    "badge.agent": "Agent",
    "typing.named": "{name} is typing…",
    "typing.someone": "Someone is typing…",
    "state.pending": "Sending…",
    "state.sent": "Sent",
    "state.failed": "Not sent",
    "failed.retry": "Retry",
    "failed.edit": "Edit",
    "day.today": "Today",
    "day.yesterday": "Yesterday",
    "earlier": "Load earlier messages",
    "new_messages": "New messages",
    "ended.system": "The conversation has ended.",
    "agent.joined": "{name} joined the chat",
    "unsupported": "This message has content that can't be shown here.",
    "log.label": "Conversation",
    # rich content
    "quick_replies.label": "Suggested replies",
    "card.open": "Open",
    "link.new_tab": "(opens in a new tab)",
    "carousel.label": "{count} cards",
    "carousel.position": "{index} of {count}",
    "carousel.previous": "Previous card",
    "carousel.next": "Next card",
    "date.label": "Available times",
    "date.duration_min": "{minutes} min",
    "date.duration_h": "{hours} h",
    "date.duration_hm": "{hours} h {minutes} min",
    "date.none": "No times are available.",
    "date.choice": "{time}",
    "list.choose": "Choose",
    "list.none": "Pick at least one option.",
    "answered": "Answered",
    "attachment.open_image": "Open image {name}",
    "attachment.download": "Download {name}",
    "attachment.refreshing": "Getting a fresh link…",
    "attachment.unavailable": "This file is no longer available.",
    "attachment.close": "Close",
    "attachment.image": "Image",
    "size.bytes": "{n} B",
    "size.kb": "{n} KB",
    "size.mb": "{n} MB",
    # the composer's file tray
    "upload.attach": "Attach a file",
    "upload.state.requesting": "Preparing…",
    "upload.state.uploading": "Uploading {percent}%",
    "upload.state.processing": "Checking…",
    "upload.state.ready": "Ready to send",
    "upload.state.failed": "Upload failed",
    "upload.cancel": "Cancel uploading {name}",
    "upload.cancel_short": "Cancel",
    "upload.retry": "Retry uploading {name}",
    "upload.remove": "Remove {name}",
    "upload.progress": "Uploading {name}",
    "upload.drop": "Drop files to attach them",
    "upload.tray": "Files to send",
    "upload.disabled": "Files can't be sent in this chat.",
    "upload.no_name": "This file has no name.",
    "upload.name_too_long": "This file's name is longer than {max} characters. Rename it and try again.",
    "upload.blocked": "\u201c{name}\u201d can't be sent: {ext} files are not allowed here.",
    "upload.type": "\u201c{name}\u201d can't be sent: this chat accepts {kinds}.",
    "upload.kinds_more": "{kinds} and {n} more",
    "upload.empty": "\u201c{name}\u201d is empty.",
    "upload.too_large": "\u201c{name}\u201d is too large: files can be up to {limit}.",
    "upload.offline": "\u201c{name}\u201d couldn't be uploaded. Check your connection and try again.",
    "upload.put_refused": "\u201c{name}\u201d couldn't be uploaded. Try again.",
    "upload.no_link": "\u201c{name}\u201d couldn't be uploaded. Try again.",
    "upload.try_again": "Try again in a moment.",
    "kind.image": "images",
    "kind.video": "videos",
    "kind.audio": "audio files",
    "kind.text": "text files",
    "kind.application": "documents",
    # composer
    "composer.label": "Message",
    "composer.send": "Send",
    "composer.left": "{n} left",
    "composer.over": "{n} too many",
    "composer.too_long": "This message is too long to send. Shorten it a little.",
    # notices the panel raises itself
    "notice.ended.title": "Conversation ended",
    "notice.ended.read_only": "This conversation has ended. You can read it, but no new messages can be sent.",
    "notice.ended.message": "The agent ended this conversation.",
    "notice.ended.action": "Send a message to start a new one.",
    "notice.new_chat": "Start a new chat",
    "notice.expiry.title": "Still there?",
    "notice.expiry.countdown": "This chat will close in {time} if there is no activity.",
    "notice.expiry.action": "Send a message, or choose Stay, to keep it open.",
    "notice.expiry.stay": "Stay",
    "expiry.stay_message": "I'm still here.",
    "notice.left.title": "You ended the chat",
    "notice.left.message": "You can still read and download this conversation.",
    "ended.by_guest": "You ended the chat.",
    "notice.unavailable.title": "Chat is unavailable right now",
    "notice.unavailable.message": "Sorry, we can't connect you at the moment.",
    "notice.unavailable.action": "Please try again in a little while.",
    "notice.retry": "Try again",
    # the panel's own frame (index.html holds these in English until Python has started)
    "panel.title": "Chat with us",
    "panel.close": "Close chat",
    "panel.jump": "New messages ↓",
    # the launcher on a host page (static/pychat-v1.js shows these once the chat is ready)
    "launcher.open": "Chat with us",
    "launcher.close": "Close chat",
    "launcher.unavailable": "Chat unavailable",
    "notice.crash.title": "Something went wrong",
    "notice.crash.message": "The chat hit an unexpected problem.",
    "notice.crash.action": "Reload the page to try again.",
    "wait.under_minute": "Estimated wait: under a minute",
    "wait.minutes": "Estimated wait: about {minutes} minutes",
    "wait.minute": "Estimated wait: about 1 minute",
    "hours.open": "We're open",
    "hours.open_until": "We're open until {when}",
    "hours.closed": "We're closed right now",
    "hours.closed_until": "We're closed. We open {when}",
    "hours.holiday_until": "We're closed for a holiday. We open {when}",
    "agents.none": "No agents are free right now",
    "agents.one": "1 agent available",
    "agents.many": "{count} agents available",
    "when.today": "today at {time}",
    "when.tomorrow": "tomorrow at {time}",
    "when.weekday": "{day} at {time}",
    "when.date": "{date} at {time}",
    # the panel's menu and its confirmations
    "menu.label": "More options",
    "menu.download_text": "Download transcript (text)",
    "menu.download_json": "Download transcript (JSON)",
    "menu.notify_on": "Turn on notifications",
    "menu.notify_off": "Turn off notifications",
    "menu.notify_blocked": "Notifications are blocked in this browser",
    "menu.clear": "Clear conversation",
    "menu.end": "End chat",
    "confirm.cancel": "Cancel",
    "confirm.end.title": "End this chat?",
    "confirm.end.message": "You won't be able to send more messages in it. You can download the transcript first.",
    "confirm.end.yes": "End chat",
    "confirm.clear.title": "Clear this conversation?",
    "confirm.clear.message": "This deletes the messages here and on our side. It can't be undone.",
    "confirm.clear.yes": "Clear",
    # transcript files
    "export.title": "Chat transcript",
    "export.exported": "Saved {when}",
    # attention: the page title, notifications and what screen readers hear
    "attention.title": "({count}) {title}",
    "attention.announce": "{author}: {text}",
    "attention.no_text": "sent something",
    "attention.notify_title": "New message from {author}",
    "attention.notify_body": "You have a new message in the chat.",
    "launcher.unread_one": "1 unread message",
    "launcher.unread": "{count} unread messages",
    # the pre-chat form
    "prechat.title": "Before we start",
    "prechat.intro": "Tell us a little about yourself so we can help you faster.",
    "prechat.required_note": "Fields marked * are required.",
    "prechat.start": "Start chat",
    "prechat.select": "Choose…",
    "prechat.required": "\u201c{label}\u201d is required.",
    "prechat.required_check": "Tick this box to continue.",
    "prechat.email": "Enter an email address like name@example.com.",
    "prechat.number": "Enter a number.",
    "prechat.too_long": "Use at most {max} characters.",
    "prechat.too_short": "Use at least {min} characters.",
    "prechat.choose": "Choose one of the options.",
    "prechat.pattern": "This doesn't look right. Check it and try again.",
    "prechat.budget": "Your answers are nearly too long to send ({used} of {limit} bytes).",
    "prechat.too_big": "Your answers are too long to send ({used} of {limit} bytes). Shorten them a little.",
    "prechat.refused": "The chat couldn't take answers this long ({used} of {limit} bytes). Shorten them and start again.",
    "prechat.refused_row": "Not sent: your answers were too long. Shorten them in the form above.",
}


def _catalogue():
    # The error catalogue's words (app/protocol/errors.py, English) as string keys, so a language
    # or an override can replace them like any other: error.<code>.title, .message and .action.
    for problem in errors.every_problem():
        for part in ("title", "message", "action"):
            STRINGS.setdefault("error.%s.%s" % (problem.code, part), getattr(problem, part))


_catalogue()


def problem_words(problem, table=None):
    """(title, message, action) of a Problem in the guest's language. A code without words of its own
    (one the service invented) keeps the service's message, with the generic title and action."""
    lookup = table or t
    code = problem.code
    if "error.%s.title" % code not in STRINGS:
        generic = errors.GENERIC[errors.CLIENT if problem.fault == errors.CLIENT else errors.SERVICE]
        return (lookup("error.%s.title" % generic.code), problem.message, lookup("error.%s.action" % generic.code))
    return tuple(lookup("error.%s.%s" % (code, part)) for part in ("title", "message", "action"))


def fill(text, values):
    for name in values:
        text = text.replace("{" + name + "}", str(values[name]))
    return text


SHIPPED = ("en", "fr", "ar")  # tables in app/chat/lang/<code>.py (English is STRINGS above)
RTL = ("ar", "he", "fa", "ur", "ps", "yi")


def base_language(code):
    """'fr-CA' / 'fr_ca' / ' FR ' -> 'fr'; '' for anything that is not a language tag."""
    if not isinstance(code, str):
        return ""
    code = code.strip().lower().replace("_", "-").split("-")[0]
    return code if 2 <= len(code) <= 3 and code.isalpha() else ""


def choose_language(wanted, offered, default, browser):
    """The chat's language: the settings' own (any tag: its words may come from the settings), else
    the deployment's (the browser's first preference among them, else its default), else the
    browser's first preference we ship, else English."""
    if base_language(wanted):
        return base_language(wanted)
    offered = [base_language(x) for x in offered or () if base_language(x)]
    preferred = [base_language(x) for x in browser or () if base_language(x)]
    if offered:
        for code in preferred:
            if code in offered:
                return code
        return base_language(default) if base_language(default) in offered else offered[0]
    for code in preferred:
        if code in SHIPPED:
            return code
    return "en"


def overrides_for(strings, language):
    """A settings `strings` object: {key: text} for every language, and {language: {key: text}}."""
    out = {}
    if not isinstance(strings, dict):
        return out
    for key in strings:
        value = strings[key]
        if isinstance(value, str):
            out[key] = value
    own = strings.get(language)
    if isinstance(own, dict):
        for key in own:
            if isinstance(own[key], str):
                out[key] = own[key]
    return out


class Strings:
    """A string table with fallback to the English defaults for missing keys."""

    def __init__(self, table=None):
        self.table = table or {}
        self.language = "en"
        self.rtl = False

    def use(self, language, overrides=None):
        """Switch to a language: its shipped table (if any), then the overrides, then English."""
        table = {}
        if language in SHIPPED and language != "en":
            module = __import__("app.chat.lang." + language, None, None, ["STRINGS"])
            table.update(module.STRINGS)
        for key in overrides or {}:
            table[key] = overrides[key]
        self.table = table
        self.language = language
        self.rtl = language in RTL

    def __call__(self, key, **values):
        text = self.table.get(key)
        if text is None:
            text = STRINGS.get(key, key)
        return fill(text, values) if values else text


t = Strings()
