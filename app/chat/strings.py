"""Every word the panel itself shows a guest, by key, with English defaults.

Render functions and the controller look words up here (`t("key", name=value)`); placeholders are
`{name}`. Replacing entries of `STRINGS` (or passing another table to `Strings`) changes the words
without touching code. Words that come from the service (messages, names, button labels) are never
looked up. The error catalogue (app/protocol/errors.py) still carries its own wording.
"""

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
    "notice.expiry.message": "This chat will close in {minutes} minutes if there is no activity.",
    "notice.expiry.message_one": "This chat will close in 1 minute if there is no activity.",
    "notice.expiry.action": "Send a message to keep it open.",
    "notice.unavailable.title": "Chat is unavailable right now",
    "notice.unavailable.message": "Sorry, we can't connect you at the moment.",
    "notice.unavailable.action": "Please try again in a little while.",
    "notice.retry": "Try again",
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
}


def fill(text, values):
    for name in values:
        text = text.replace("{" + name + "}", str(values[name]))
    return text


class Strings:
    """A string table with fallback to the English defaults for missing keys."""

    def __init__(self, table=None):
        self.table = table or {}

    def __call__(self, key, **values):
        text = self.table.get(key)
        if text is None:
            text = STRINGS.get(key, key)
        return fill(text, values) if values else text


t = Strings()
