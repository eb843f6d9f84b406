"""The guest's messages on their way to the service, and the send budget they share.

An item is a dict: `id` (local id, also the request's tracingId), `text`, `sent` (in flight on this
socket), `attempted` (ever sent: after a reconnect history decides whether it arrived), and
optionally `button` (a ButtonResponse: {type, text, payload, message_id}) or `attachments`
([(attachment id, mediaType)]). Items go in the order they were written.

The service allows 2 `onMessage` a second per session (typing, Join and Clear count too) and 60
frames a minute per connection whatever their action; `wait_ms` says how long the next one waits.
"""
import json

SEND_INTERVAL_MS = 500
REQUESTS_PER_MINUTE = 60
RESERVED_REQUESTS = 6  # of those, kept free for configure, getJwt and echo


class Outbox:
    def __init__(self):
        self.items = []
        self.next_send_ms = 0
        self._socket_sends = []  # ms of each frame sent on the current connection

    # -- items ------------------------------------------------------------------------------
    def add(self, item):
        item.setdefault("sent", False)
        item.setdefault("attempted", False)
        self.items.append(item)
        return item

    def find(self, local_id):
        for item in self.items:
            if item["id"] == local_id:
                return item
        return None

    def remove(self, item):
        if item in self.items:
            self.items.remove(item)

    def clear(self):
        self.items = []

    def ids(self):
        return set(item["id"] for item in self.items)

    def any_attempted(self):
        return any(item["attempted"] for item in self.items)

    def reconnected(self):
        """A new socket: nothing is in flight on it."""
        for item in self.items:
            item["sent"] = False

    def attempted_with_text(self, text):
        for item in self.items:
            if item["attempted"] and item["text"] == text:
                return item
        return None

    # -- budget -----------------------------------------------------------------------------
    def new_connection(self):
        self._socket_sends = []

    def note_send(self, now, rated):
        self._socket_sends.append(now)
        if rated:
            self.next_send_ms = max(self.next_send_ms, now + SEND_INTERVAL_MS)

    def window_wait(self, now):
        """Milliseconds until the per-connection budget has room for another message (0: now)."""
        self._socket_sends = [t for t in self._socket_sends if now - t < 60_000]
        if len(self._socket_sends) < REQUESTS_PER_MINUTE - RESERVED_REQUESTS:
            return 0
        return 60_000 - (now - self._socket_sends[0]) + 1

    def wait_ms(self, now):
        return max(self.next_send_ms - now, self.window_wait(now))

    def busy(self, now):
        return now < self.next_send_ms or self.window_wait(now) > 0

    def rate_limited(self, now, retry_after_ms):
        self.next_send_ms = now + retry_after_ms

    # -- storage ----------------------------------------------------------------------------
    def saved_text(self):
        out = []
        for item in self.items:
            entry = {"id": item["id"], "text": item["text"], "attempted": item["attempted"]}
            if item.get("button"):
                entry["button"] = item["button"]
            if item.get("attachments"):
                entry["attachments"] = [list(pair) for pair in item["attachments"]]
            out.append(entry)
        return json.dumps(out)

    def restore(self, saved):
        self.items = []
        for item in saved if isinstance(saved, list) else ():
            if not (isinstance(item, dict) and item.get("id")):
                continue
            entry = {"id": item["id"], "text": item.get("text", ""), "sent": False,
                     "attempted": bool(item.get("attempted"))}
            if isinstance(item.get("button"), dict):
                entry["button"] = item["button"]
            if isinstance(item.get("attachments"), list):
                entry["attachments"] = [tuple(pair) for pair in item["attachments"]
                                        if isinstance(pair, list) and len(pair) == 2]
            self.items.append(entry)
