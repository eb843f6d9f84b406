"""The guest session's state machine: text frames in, events and frames out. No I/O.

Like h11/wsproto, the edge owns the socket, the clock, randomness and ids, and passes them in:
    conn = Connection(deployment_id, token)
    for out in conn.connect(): ...            # OpenSocket
    for out in conn.socket_opened(now): ...   # Send(configureSession)
    for out in conn.receive(text, now): ...   # events, maybe Send(...)
Each call returns a list of outputs: `Send(text)`, `OpenSocket()`, `CloseSocket()`, or an event
from app.protocol.events. Network input never raises; misuse by the caller raises
LocalProtocolError (fault: this client), so bugs say whose they are.
"""
from collections import namedtuple

from app.protocol import errors, frames, jsontext
from app.protocol import events as ev
from app.protocol.messages import events_of, parse_message

# rated: an onMessage frame, which counts toward the service's 2-per-second limit
Send = namedtuple("Send", ["text", "rated"])
OpenSocket = namedtuple("OpenSocket", [])
CloseSocket = namedtuple("CloseSocket", [])

IDLE = "idle"
CONNECTING = "connecting"  # socket opening
CONFIGURING = "configuring"  # socket open, configureSession sent
CONFIGURED = "configured"  # live: the guest can send
RECONNECTING = "reconnecting"  # socket lost; waiting for the backoff timer or the network
READ_ONLY = "read_only"  # conversation ended by the agent/flow; transcript only, startNew possible
ENDED = "ended"  # cleared, left by the guest, closed from elsewhere or logged out: this token is done here
EXPIRED = "expired"  # the session's time-to-live ran out: a new token is needed
FAILED = "failed"  # a fatal problem (wrong origin, deployment) that retrying cannot fix

STATES = (IDLE, CONNECTING, CONFIGURING, CONFIGURED, RECONNECTING, READ_ONLY, ENDED, EXPIRED, FAILED)

# The one place that says which trigger moves which state. A trigger not listed for a state is
# ignored (late frames after an end are normal on a network); `ANY_STATE` rows apply everywhere.
TRANSITIONS = {
    (IDLE, "connect"): CONNECTING,
    (RECONNECTING, "connect"): CONNECTING,
    (FAILED, "connect"): CONNECTING,
    (CONNECTING, "opened"): CONFIGURING,
    (CONNECTING, "lost"): RECONNECTING,
    (CONFIGURING, "lost"): RECONNECTING,
    (CONFIGURED, "lost"): RECONNECTING,
    (READ_ONLY, "lost"): RECONNECTING,
    (CONFIGURING, "session_ok"): CONFIGURED,
    (CONFIGURING, "session_read_only"): READ_ONLY,
    (CONFIGURED, "session_read_only"): READ_ONLY,
    (CONFIGURED, "ended_read_only"): READ_ONLY,
    (READ_ONLY, "start_new"): CONFIGURING,
    (CONFIGURED, "start_new"): CONFIGURING,
    (ENDED, "start_new"): CONNECTING,
    (EXPIRED, "start_new"): CONNECTING,
    (FAILED, "start_new"): CONNECTING,
    (CONFIGURED, "left"): ENDED,
    (READ_ONLY, "left"): ENDED,
    (CONFIGURING, "left"): ENDED,
    (RECONNECTING, "left"): ENDED,
    (CONNECTING, "left"): ENDED,
    (CONNECTING, "diagnosed_fatal"): FAILED,
    (RECONNECTING, "diagnosed_fatal"): FAILED,
}
ANY_STATE = {
    "fatal": FAILED,
    "expired": EXPIRED,
    "cleared": ENDED,
    "closed_elsewhere": ENDED,
    "logged_out": ENDED,
}
# Where a socket is expected to be open (used to refuse sends and to schedule heartbeats).
SOCKET_STATES = (CONFIGURING, CONFIGURED, READ_ONLY)

HEALTH_CHECK_ID = "SGVhbHRoQ2hlY2tNZXNzYWdlSWQ="  # base64("HealthCheckMessageId"), as the SDKs use


class ProtocolError(Exception):
    fault = "service"


class LocalProtocolError(ProtocolError):
    """This client asked the core for something its state does not allow."""
    fault = "client"


class Backoff:
    """Exponential backoff with full jitter, capped; reset after a successful configure."""

    def __init__(self, base_ms=1000, cap_ms=30000, floor_ms=100):
        self.base_ms = base_ms
        self.cap_ms = cap_ms
        self.floor_ms = floor_ms
        self.attempt = 0

    def next_delay(self, rand):
        ceiling = min(self.cap_ms, self.base_ms * (2 ** min(self.attempt, 20)))
        self.attempt += 1
        return max(self.floor_ms, int(rand * ceiling))

    def reset(self):
        self.attempt = 0


class Connection:
    def __init__(self, deployment_id, token, auto_start=False, heartbeat_ms=30000, echo_timeout_ms=10000,
                 auth_jwt=None, connect_timeout_ms=15000):
        if not deployment_id or not token:
            raise LocalProtocolError("a deployment id and a session token are required")
        self.deployment_id = deployment_id
        self.token = token
        self.auto_start = auto_start
        self.auth_jwt = auth_jwt  # set: configureAuthenticatedSession with this Genesys JWT
        self.state = IDLE
        self.backoff = Backoff()
        self.heartbeat_ms = heartbeat_ms
        self.echo_timeout_ms = echo_timeout_ms
        self.connect_timeout_ms = connect_timeout_ms  # a socket that neither opens nor closes by then is lost
        self._connecting_since_ms = None  # when a tick first saw the socket still opening
        self.limits = {}
        self.ever_configured = False
        self._opened = False  # the current socket has opened
        self._start_new = False  # the next configure asks for a fresh conversation
        self.join_attributes = None  # custom attributes the autoStart Join carries (a pre-chat form's)
        self.join_tracing_id = ""  # the last Join's tracingId (its 4013 says the attributes were too large)
        self.join_sent_attributes = None
        self._closing_for_new = False  # closeSession sent; configure(startNew) follows its reply
        self._last_rx_ms = 0
        self._echo_sent_ms = None
        self._now_iso = ""
        self._configure_seq = 0
        self._configure_id = ""

    # -- state -----------------------------------------------------------------------------
    def _move(self, trigger, reason=""):
        new = TRANSITIONS.get((self.state, trigger)) or ANY_STATE.get(trigger)
        if new is None or new == self.state:
            return []
        old, self.state = self.state, new
        return [ev.StateChanged(old, new, reason or trigger)]

    @property
    def can_send(self):
        return self.state == CONFIGURED

    def _require_live(self, what):
        if self.state != CONFIGURED:
            raise LocalProtocolError("cannot send %s while %s" % (what, self.state))

    # -- socket lifecycle (called by the edge) -----------------------------------------------
    def connect(self):
        out = self._move("connect")
        if not out:
            return []
        self._opened = False
        self._connecting_since_ms = None
        return out + [OpenSocket()]

    def socket_opened(self, now_ms):
        self._opened = True
        self._connecting_since_ms = None
        self._last_rx_ms = now_ms
        self._echo_sent_ms = None
        out = self._move("opened")
        if self.state == CONFIGURING:
            out.append(self._configure(self._start_new))
        return out

    def _configure(self, start_new):
        # A tracingId of our own tells the configure's failure apart from a late error for an
        # earlier request, which must not fail the new session.
        self._configure_seq += 1
        self._configure_id = "configure-%d" % self._configure_seq
        if self.auth_jwt:
            return Send(frames.configure_authenticated_session(self.token, self.deployment_id, self.auth_jwt,
                                                               self._configure_id, start_new), False)
        return Send(frames.configure_session(self.token, self.deployment_id, self._configure_id, start_new), False)

    def authenticate(self, jwt):
        """Use a fresh Genesys JWT (after sign-in or a refresh) from the next configure on."""
        self.auth_jwt = jwt

    def socket_closed(self, code, reason, rand, now_ms=0):
        """The socket closed (or never opened). rand: a number in [0, 1) for the backoff jitter."""
        opened, self._opened = self._opened, False
        self._closing_for_new = False
        if self.state in (ENDED, EXPIRED, FAILED, IDLE):
            return []
        out = self._move("lost", "socket closed (%s)" % code)
        if self.state != RECONNECTING:
            return out
        if not opened and not self.ever_configured:
            out.append(ev.HandshakeFailed(self.backoff.attempt))
        out.append(ev.ReconnectScheduled(self.backoff.next_delay(rand), self.backoff.attempt,
                                         errors.problem_for_close(code)))
        return out

    def reconnect_due(self):
        """The backoff timer fired (or the browser came back online)."""
        if self.state != RECONNECTING:
            return []
        return self.connect()

    def network_online(self):
        return self.reconnect_due()

    def diagnosed(self, problem):
        """The edge's verdict on a handshake failure (errors.classify_handshake_failure)."""
        out = [ev.ErrorReported(problem, "")]
        if problem.policy == errors.STOP:
            out = self._move("diagnosed_fatal", problem.title) + out
        return out

    def tick(self, now_ms, rand):
        """Heartbeat: an `echo` when the socket has been quiet, at most one per heartbeat_ms; a
        socket that does not answer within echo_timeout_ms is treated as dead (browsers cannot
        send protocol pings, and a half-open TCP connection never fires `close`)."""
        if self.state == CONNECTING:
            # A browser may never report a socket it was not allowed to open (a page's CSP) or one
            # whose handshake hangs: after connect_timeout_ms of neither, it counts as lost.
            if self._connecting_since_ms is None:
                self._connecting_since_ms = now_ms
            elif now_ms - self._connecting_since_ms >= self.connect_timeout_ms:
                self._connecting_since_ms = None
                return [CloseSocket()] + self.socket_closed(1006, "connect timeout", rand, now_ms)
            return []
        if self.state not in SOCKET_STATES or not self._opened:
            return []
        if self._echo_sent_ms is not None:
            if now_ms - self._echo_sent_ms >= self.echo_timeout_ms:
                self._echo_sent_ms = None
                # CloseSocket tells the edge to drop the socket without waiting for its close event,
                # which a dead connection may never deliver; the loss is accounted for here.
                return [CloseSocket()] + self.socket_closed(1006, "heartbeat timeout", rand, now_ms)
            return []
        if now_ms - self._last_rx_ms >= self.heartbeat_ms:
            self._echo_sent_ms = now_ms
            return [Send(frames.echo(self.token, HEALTH_CHECK_ID), False)]
        return []

    # -- guest actions -----------------------------------------------------------------------
    def send_text(self, text, tracing_id, time, custom_attributes=None):
        self._require_live("a message")
        return Send(frames.text_message(self.token, text, tracing_id, time, custom_attributes), True)

    def send_button(self, kind, text, payload, tracing_id, time, originating_message_id=None):
        self._require_live("a reply")
        return Send(frames.button_response(self.token, kind, text, payload, tracing_id, time,
                                           originating_message_id), True)

    def send_typing(self, tracing_id, time):
        self._require_live("typing")
        return Send(frames.typing(self.token, tracing_id, time), True)

    def request_jwt(self, tracing_id):
        if self.state not in (CONFIGURED, READ_ONLY):
            raise LocalProtocolError("cannot ask for a history token while %s" % self.state)
        return Send(frames.get_jwt(self.token, tracing_id), False)

    def request_upload(self, attachment_id, file_name, file_type, file_size, file_md5, tracing_id):
        self._require_live("a file")
        return Send(frames.request_upload(self.token, attachment_id, file_name, file_type, file_size, file_md5,
                                          tracing_id), False)

    def request_download(self, attachment_id, tracing_id):
        if self.state not in (CONFIGURED, READ_ONLY):
            raise LocalProtocolError("cannot refresh a file link while %s" % self.state)
        return Send(frames.request_download(self.token, attachment_id, tracing_id), False)

    def delete_attachment(self, attachment_id, tracing_id):
        self._require_live("a file deletion")
        return Send(frames.delete_attachment(self.token, attachment_id, tracing_id), False)

    def send_attachments(self, text, attachments, tracing_id, time):
        """Send uploaded files (attachment id, mediaType pairs) with an optional caption."""
        self._require_live("a message")
        return Send(frames.text_message(self.token, text, tracing_id, time, None, attachments), True)

    def clear(self, tracing_id, time):
        self._require_live("clear")
        return Send(frames.presence_clear(self.token, tracing_id, time), True)

    def _join(self, attributes):
        self._configure_seq += 1
        self.join_tracing_id = "join-%d" % self._configure_seq
        self.join_sent_attributes = attributes
        return Send(frames.presence_join(self.token, self.join_tracing_id, self._now_iso, attributes), True)

    def join(self, tracing_id, time, attributes=None):
        """A Presence Join again (after the first was refused), with custom attributes."""
        self._require_live("a join")
        self._now_iso = time
        return self._join(attributes)

    def leave(self):
        """The guest ends the chat: closeSession (closeAllConnections, so the guest's other tabs
        let go too), then the socket closes and this token is done. Web Messaging has no guest-side
        disconnect of the conversation itself; the agent sees the guest leave only as silence."""
        out = self._move("left")
        if not out:
            raise LocalProtocolError("cannot leave while %s" % self.state)
        sends = [Send(frames.close_session(self.token), False)] if self._opened else []
        return out + sends + [CloseSocket()]

    def start_new(self, new_token=None):
        """Begin a fresh conversation: after read-only with the same token (closeSession, then
        configureSession startNew), or after clear/expiry/failure with a new token."""
        self._start_new = True
        if self.state in (READ_ONLY, CONFIGURED) and self._opened:
            out = self._move("start_new")
            self._closing_for_new = True
            return out + [Send(frames.close_session(self.token), False)]
        if new_token:
            self.token = new_token
            self._start_new = False
        self.ever_configured = False
        out = self._move("start_new")
        if not out:
            raise LocalProtocolError("cannot start a new conversation while %s" % self.state)
        return out + [CloseSocket(), OpenSocket()]

    # -- frames from the service --------------------------------------------------------------
    def receive(self, text, now_ms, now_iso=""):
        """One text frame from the service. now_iso stamps any frame the core sends in reply."""
        self._last_rx_ms = now_ms
        self._now_iso = now_iso
        try:
            frame = jsontext.loads(text)
        except Exception:
            return [ev.Unsupported("frame", "not JSON: " + str(text)[:80])]
        if not isinstance(frame, dict):
            return [ev.Unsupported("frame", "not an object")]
        cls = frame.get("class")
        code = frame.get("code")
        body = frame.get("body")
        tracing_id = frame.get("tracingId") or ""
        if not isinstance(code, int):
            code = 200
        if cls == "TooManyRequestsErrorMessage" or code == 429 or code == 4029:
            retry = body.get("retryAfter") if isinstance(body, dict) else None
            seconds = retry if isinstance(retry, (int, float)) and retry > 0 else 1
            return [ev.RateLimited(int(seconds * 1000), tracing_id)]
        if cls == "string" or (code >= 300 and cls not in _HANDLERS):
            return self._on_error(code, body, tracing_id)
        handler = _HANDLERS.get(cls)
        if handler is None:
            return [ev.Unsupported("class", str(cls))]
        return handler(self, body if isinstance(body, dict) else {}, tracing_id, frame)

    def _on_error(self, code, body, tracing_id):
        detail = body if isinstance(body, str) else ""
        problem = errors.problem_for(code, detail)
        about_configure = self.state == CONFIGURING and (not tracing_id or tracing_id == self._configure_id)
        out = []
        if code in (4006,):
            out = self._move("expired", detail) + [ev.SessionExpired(), CloseSocket()]
        elif code in (4007, 4017):
            out = self._move("expired" if code == 4007 else "fatal", detail) + [CloseSocket()]
        elif about_configure and problem.policy == errors.REAUTHENTICATE:
            out = self._move("fatal", detail) + [CloseSocket(), ev.AuthRequired()]
        elif about_configure and problem.policy in (errors.STOP, errors.CONTINUE, errors.NEW_SESSION):
            # The service refused the configure itself: retrying the same request cannot help.
            out = self._move("fatal", detail) + [CloseSocket()]
        return out + [ev.ErrorReported(problem, tracing_id)]

    def _on_session(self, body, tracing_id, frame):
        if body.get("connected") is False:
            if self._closing_for_new:
                self._closing_for_new = False
                return [self._configure(True)]
            return []
        self.limits = body
        read_only = body.get("readOnly") is True
        new_session = body.get("newSession") is True
        out = self._move("session_read_only" if read_only else "session_ok")
        if self.state not in (CONFIGURED, READ_ONLY):
            return out
        self.ever_configured = True
        self._start_new = False
        self.backoff.reset()
        out.append(ev.SessionReady(new_session, read_only, body))
        if new_session and self.auto_start and not read_only:
            attributes, self.join_attributes = self.join_attributes, None
            out.append(self._join(attributes))
        return out

    def _on_structured(self, body, tracing_id, frame):
        if frame.get("type") == "response" and tracing_id == HEALTH_CHECK_ID:
            self._echo_sent_ms = None
            meta = body.get("metadata") if isinstance(body.get("metadata"), dict) else {}
            return [ev.HealthChecked(_number(meta.get("durationSeconds")), _number(meta.get("expirationDate")))]
        if body.get("type") != "Event":
            return [ev.MessageReceived(parse_message(body, tracing_id))]
        out = []
        outbound = body.get("direction") == "Outbound"
        message = parse_message(body, tracing_id)
        for kind, data in events_of(body):
            sub = data.get("type")
            if kind == "Typing" and outbound:
                duration = data.get("duration")
                out.append(ev.AgentTyping(int(duration) if isinstance(duration, (int, float)) and duration > 0
                                          else 5000, message.sender))
            elif kind == "Presence" and sub == "Disconnect" and outbound:
                read_only = message.metadata.get("readOnly") == "true"
                if read_only:
                    out += self._move("ended_read_only")
                out.append(ev.ConversationEnded(read_only, message.id, message.time))
            elif kind == "Presence" and sub == "Join" and not outbound:
                out.append(ev.AutoStarted())
            elif kind == "Presence" and sub == "SignIn":
                out.append(ev.SignedIn(message.sender))
            elif kind in ("Typing", "Presence") and not outbound:
                pass  # echoes of our own typing/clear: nothing to show
            else:
                out.append(ev.Unsupported("event", "%s %s" % (kind, sub or "")))
        return out

    def _on_jwt(self, body, tracing_id, frame):
        exp = _number(body.get("exp"))
        return [ev.JwtIssued(str(body.get("jwt") or ""), exp)]

    def _on_expired(self, body, tracing_id, frame):
        return self._move("expired") + [ev.SessionExpired(), CloseSocket()]

    def _on_cleared(self, body, tracing_id, frame):
        return self._move("cleared") + [ev.SessionCleared()]

    def _on_closed(self, body, tracing_id, frame):
        if self.state == ENDED:
            return [CloseSocket()]  # the close that follows a Clear
        reason = body.get("reason") or body.get("reasonCode") or ""
        return (self._move("closed_elsewhere", str(reason)) + [ev.ConnectionClosed(str(reason)), CloseSocket(),
                ev.ErrorReported(errors.problem_for("connection_closed"), "")])

    def _on_logout(self, body, tracing_id, frame):
        return self._move("logged_out") + [ev.LoggedOut(), CloseSocket()]

    def _on_presigned(self, body, tracing_id, frame):
        headers = body.get("headers") if isinstance(body.get("headers"), dict) else {}
        return [ev.UploadReady(str(body.get("attachmentId") or ""), str(body.get("url") or ""), headers, tracing_id)]

    def _on_uploaded(self, body, tracing_id, frame):
        return [ev.UploadSucceeded(str(body.get("attachmentId") or ""), str(body.get("downloadUrl") or ""))]

    def _on_upload_failed(self, body, tracing_id, frame):
        code = body.get("errorCode")
        problem = errors.problem_for(code if isinstance(code, int) else 4010, str(body.get("errorMessage") or ""))
        return [ev.UploadFailed(str(body.get("attachmentId") or ""), problem)]

    def _on_deleted(self, body, tracing_id, frame):
        return [ev.AttachmentDeleted(str(body.get("attachmentId") or ""))]

    def _on_configuration(self, body, tracing_id, frame):
        return [ev.ConfigurationReceived(body)]

    def _on_other(self, body, tracing_id, frame):
        return [ev.Unsupported("class", str(frame.get("class")))]


def _number(value):
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


_HANDLERS = {
    "SessionResponse": Connection._on_session,
    "StructuredMessage": Connection._on_structured,
    "JwtResponse": Connection._on_jwt,
    "SessionExpiredEvent": Connection._on_expired,
    "SessionClearedEvent": Connection._on_cleared,
    "ConnectionClosedEvent": Connection._on_closed,
    "LogoutEvent": Connection._on_logout,
    "PresignedUrlResponse": Connection._on_presigned,
    "UploadSuccessEvent": Connection._on_uploaded,
    "UploadFailureEvent": Connection._on_upload_failed,
    "GenerateUrlError": Connection._on_upload_failed,
    "AttachmentDeletedResponse": Connection._on_deleted,
    "GetConfigurationResponse": Connection._on_configuration,
    "ResumeTokenResponse": Connection._on_other,
}
