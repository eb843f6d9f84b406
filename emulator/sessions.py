"""Guest sessions: one per client-generated token, holding its conversation.

A session outlives sockets (resume = same token from a new socket) and keeps the transcript
the history REST call and the control API read. A "conversation" is what `startNew` replaces.
"""
import asyncio
import math
import time
from collections import deque

from . import frames

SESSION_FRAMES = 500  # a development tool holds what a test reads, not everything ever sent
KEPT_TEXT = 64 * 1024


def kept(text):
    """A raw (non-JSON) frame as the log keeps it: itself, or its size when it is large."""
    return text if len(text) <= KEPT_TEXT else "<%d characters, not kept>" % len(text)


class Session:
    def __init__(self, token, deployment):
        self.token = token
        self.deployment_id = deployment.id
        self.created = time.time()
        self.connections = []  # oldest first: the socket limit evicts from the front
        # client frames as received (parsed JSON, or the raw text) and server frames sent for this
        # token: the newest SESSION_FRAMES of each, and a raw text over KEPT_TEXT is kept as its size
        self.inbound = deque(maxlen=SESSION_FRAMES)
        self.outbound = deque(maxlen=SESSION_FRAMES)
        self.custom_attributes = {}
        self.recent_messages = []  # monotonic times of accepted onMessage, for the rate limit
        self.history_times = []  # monotonic times of history fetches (limits.py)
        self.frames_since_drop = 0  # for the drop-every fault
        self.auth = None  # signed-in user {"sub", "gid", "firstName", "lastName"} (idp.py)
        self.guest_typing_at = None
        self.bot_lock = asyncio.Lock()  # bot turns of one session never interleave
        self.touch(deployment)
        self.new_conversation()

    def new_conversation(self):
        self.conversation_id = frames.new_id()
        self.transcript = []
        self.read_only = False
        self.agent = None
        self.waiting_for_agent = False
        self.greeted = False
        self.joined = False

    def touch(self, deployment):
        """Activity pushes the inactivity expiry forward (reference §3.7)."""
        self.duration_seconds = deployment.session_duration_seconds
        # Expiry is kept exact, so a 1 s TTL lasts a full second; the reported epoch second is
        # rounded up, so a client never sees a date that has passed while the session lives.
        self.expires_at = time.time() + self.duration_seconds
        self.expiration_date = math.ceil(self.expires_at)

    @property
    def expired(self):
        return time.time() >= self.expires_at

    def summary(self):
        return {
            "token": self.token,
            "deploymentId": self.deployment_id,
            "conversationId": self.conversation_id,
            "sockets": len(self.connections),
            "readOnly": self.read_only,
            "agent": dict(self.agent) if self.agent else None,
            "waitingForAgent": self.waiting_for_agent,
            "guestTyping": self.guest_typing_at is not None and time.monotonic() - self.guest_typing_at < 5,
            "messages": len(self.transcript),
            "created": frames.iso_now(self.created),
            "expirationDate": self.expiration_date,
            "authenticated": self.auth is not None,
        }

    def detail(self):
        return self.summary() | {
            "customAttributes": dict(self.custom_attributes),
            "inbound": list(self.inbound),
            "outbound": list(self.outbound),
            "transcript": list(self.transcript),
        }
