"""What the protocol core reports. Immutable records (namedtuples: MicroPython has no dataclasses).

The core never touches the network or the clock: the edge feeds it text frames and times, and acts
on these events. `Message` is the one shape of a chat message, whether it came live or from history.
"""
from collections import namedtuple

# A person or bot shown as a message's author (from `channel.from`).
Sender = namedtuple("Sender", ["name", "image"])

# One item of a StructuredMessage's `content[]`: kind is the contentType, data its matching object.
Content = namedtuple("Content", ["kind", "data"])

# id: server message id; direction: "Inbound" (guest -> Genesys) or "Outbound";
# kind: "Text" | "Structured" | "Event"; time: ISO-8601 string or ""; entity: "Bot" | "Human" | "";
# tracing_id: the request's tracingId on the guest's own echo, else "".
Message = namedtuple(
    "Message",
    ["id", "direction", "kind", "text", "time", "sender", "entity", "tracing_id", "content", "metadata"],
)

StateChanged = namedtuple("StateChanged", ["old", "new", "reason"])
# limits: the SessionResponse body (allowedMedia, maxCustomDataBytes, durationSeconds, ...)
SessionReady = namedtuple("SessionReady", ["new_session", "read_only", "limits"])
MessageReceived = namedtuple("MessageReceived", ["message"])
AgentTyping = namedtuple("AgentTyping", ["duration_ms", "sender"])
AutoStarted = namedtuple("AutoStarted", [])
ConversationEnded = namedtuple("ConversationEnded", ["read_only", "message_id", "time"])
# problem: an errors.Problem; tracing_id: the failed request's, when the server named it
ErrorReported = namedtuple("ErrorReported", ["problem", "tracing_id"])
RateLimited = namedtuple("RateLimited", ["retry_after_ms", "tracing_id"])
JwtIssued = namedtuple("JwtIssued", ["jwt", "expires_at_s"])
HealthChecked = namedtuple("HealthChecked", ["duration_seconds", "expiration_s"])
SessionExpired = namedtuple("SessionExpired", [])
SessionCleared = namedtuple("SessionCleared", [])
ConnectionClosed = namedtuple("ConnectionClosed", ["reason"])
LoggedOut = namedtuple("LoggedOut", [])
# The socket should be opened again after delay_ms (the edge owns the timer).
# problem: what the close means for the guest (errors.problem_for_close), None for a normal close
ReconnectScheduled = namedtuple("ReconnectScheduled", ["delay_ms", "attempt", "problem"])
# The first connection attempt failed before the socket opened: the browser hides the HTTP status,
# so the edge must diagnose (see errors.classify_handshake_failure) and report back.
HandshakeFailed = namedtuple("HandshakeFailed", ["attempt"])
# Attachments: an upload URL to PUT the bytes to (copy every header), then the service's verdict.
UploadReady = namedtuple("UploadReady", ["attachment_id", "url", "headers", "tracing_id"])
UploadSucceeded = namedtuple("UploadSucceeded", ["attachment_id", "download_url"])
UploadFailed = namedtuple("UploadFailed", ["attachment_id", "problem"])
AttachmentDeleted = namedtuple("AttachmentDeleted", ["attachment_id"])
ConfigurationReceived = namedtuple("ConfigurationReceived", ["config"])
SignedIn = namedtuple("SignedIn", ["sender"])
# The authenticated session's JWT was refused: refresh it (or sign in again) and reconnect.
AuthRequired = namedtuple("AuthRequired", [])
# Anything the core does not understand: shown as a harmless note, never raised.
Unsupported = namedtuple("Unsupported", ["what", "detail"])
