"""When the guest's session runs out, and the warning before it does.

The service gives `durationSeconds` (inactivity allowed) and `expirationDate` (epoch seconds) on
SessionResponse and on echo replies; a message sent or received pushes the expiry forward by the
duration (reference §3.7; the transport SDK dismisses its notice on exactly those). In the last
five minutes the panel shows a countdown with "Stay". Web Messaging counts only messages as
activity (an echo or a typing event does not extend the session), so Stay sends a short message
the guest can see ("I'm still here"), which is what keeps the chat open for them.
"""
NOTICE_S = 300  # like Messenger: warn in the last five minutes


class Expiry:
    def __init__(self):
        self.duration_s = None  # seconds of inactivity before expiry
        self.expires_s = None  # the session's expirationDate (epoch s), when the service gave one

    def timing(self, duration_s, expires_s):
        """New figures from the service; True when the expiry moved."""
        if isinstance(duration_s, (int, float)) and not isinstance(duration_s, bool) and duration_s > 0:
            self.duration_s = duration_s
        if isinstance(expires_s, (int, float)) and not isinstance(expires_s, bool) and expires_s > 0:
            moved = expires_s != self.expires_s
            self.expires_s = expires_s
            return moved
        return False

    def activity(self, now_s):
        """A message went or came: the expiry moves to now + duration (until the service says)."""
        if self.duration_s:
            return self.timing(None, now_s + self.duration_s)
        return False

    def left(self, now_s):
        """Seconds left, or None when unknown."""
        if self.expires_s is None:
            return None
        return self.expires_s - now_s

    def warning_due(self, now_s):
        left = self.left(now_s)
        return left is not None and 0 < left <= NOTICE_S


def countdown(seconds):
    """4:05 for 245 seconds (never negative)."""
    seconds = max(0, int(seconds + 0.999))
    return "%d:%02d" % (seconds // 60, seconds % 60)
