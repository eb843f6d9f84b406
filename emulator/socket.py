"""The web-messaging socket, `/v1?deploymentId=…`: handshake rules and the guest actions.

Error replies are `class:"string"` frames with a code and plain text; the socket always stays
open after one, because the real service keeps the connection after a bad request (the
transport SDK only reconnects or stops on close, never on an error frame). The codes chosen
where the reference has none are listed in emulator/README.md.
"""
import json
import logging
import time

from starlette.websockets import WebSocket

from . import attachments, frames, limits
from .connection import Connection
from .sessions import kept

log = logging.getLogger("emulator.socket")

MAX_TOKEN_LENGTH = 2048
# Actions in the schema's RequestType enum that the emulator does not implement.
UNIMPLEMENTED = {"disconnectCustomer", "resumeToken"}
CONFIGURE_ACTIONS = ("configureSession", "configureAuthenticatedSession")
_NOT_JSON = object()


async def endpoint(websocket: WebSocket):
    region = websocket.app.state.region
    deployment = region.deployments.get(websocket.query_params.get("deploymentId", ""))
    origin = websocket.headers.get("origin")
    if deployment is None or deployment.status != "Active" or not deployment.origin_allowed(origin):
        # Closing before accept() makes uvicorn refuse the upgrade with HTTP 403, which is what
        # the transport SDK maps to WebsocketAccessDenied.
        await websocket.close(code=1008)
        return
    await websocket.accept()
    connection = Connection(websocket, deployment, region)
    region.connections.add(connection)
    region.start_expiry_sweeper()
    try:
        while True:
            event = await websocket.receive()
            if event["type"] == "websocket.disconnect":
                break
            text = event.get("text")
            if text is None:
                await _error(region, connection, None, 400, "Request failed. Binary frames are not supported.")
                continue
            try:
                await handle(region, connection, text)
            except Exception:
                log.exception("emulator failed on a frame")
                await _error(region, connection, None, 5000, "Unexpected server error.")
    except Exception:  # a reset or a dead peer; nothing to answer
        pass
    finally:
        connection.gone()
        region.connections.discard(connection)
        session = region.session_for(connection.token) if connection.token else None
        if session and connection in session.connections:
            session.connections.remove(connection)


def _session_of(region, connection):
    return region.session_for(connection.token) if connection.token else None


async def _error(region, connection, request, code, text):
    tracing_id = request.get("tracingId") if isinstance(request, dict) else None
    await region.reply(connection, frames.error(code, text, tracing_id), _session_of(region, connection))


async def handle(region, connection, text):
    session = _session_of(region, connection)
    try:
        request = json.loads(text)
    except (ValueError, RecursionError):
        request = _NOT_JSON
    if session:
        # configure actions record themselves, on the session they pick
        if request is _NOT_JSON:
            session.inbound.append(kept(text))
        elif not (isinstance(request, dict) and request.get("action") in CONFIGURE_ACTIONS):
            session.inbound.append(request)
    action = request.get("action") if isinstance(request, dict) else None
    fault = region.faults.take_socket(_request_token(request, connection), action if isinstance(action, str) else None)
    if fault is not None:
        return await _injected(region, connection, request, fault)
    # Every frame counts against the connection's budget, a malformed one too.
    retry_after = limits.socket_request(connection)
    if retry_after is not None:
        return await _too_many(region, connection, request if isinstance(request, dict) else {}, session,
                               retry_after, "Request rate too high for this connection")
    if request is _NOT_JSON:
        return await _error(region, connection, None, 400, "Request failed. The frame is not valid JSON.")
    if not isinstance(request, dict):
        return await _error(region, connection, None, 400, "Request failed. The frame must be a JSON object.")
    if not isinstance(action, str) or not action:
        return await _error(region, connection, request, 4020, "Missing parameter: action.")
    if action in UNIMPLEMENTED:
        return await _error(region, connection, request, 4000, "Feature unavailable: %s." % action)
    handler = ACTIONS.get(action)
    if handler is None:
        return await _error(region, connection, request, 400, "Request failed. Unknown action: %s." % action[:100])
    token = request.get("token")
    if not isinstance(token, str) or not token:
        return await _error(region, connection, request, 4020, "Missing parameter: token.")
    if action in CONFIGURE_ACTIONS:
        return await handler(region, connection, request)
    if session is None or token != connection.token:
        return await _error(region, connection, request, 400,
                            "Request failed. Session is not configured; send configureSession first.")
    if session.expired:
        await _error(region, connection, request, 4006, "Session has expired.")
        region.drop_session(session)
        connection.token = None
        return
    return await handler(region, connection, request, session)


def _request_token(request, connection):
    token = request.get("token") if isinstance(request, dict) else None
    return token if isinstance(token, str) and token else connection.token


async def _injected(region, connection, request, fault):
    """Answer with the error a test asked for (POST /_emulator/faults/inject), nothing else."""
    request = request if isinstance(request, dict) else {}
    session = _session_of(region, connection)
    if fault["code"] == 429:
        return await _too_many(region, connection, request, session, fault["retryAfter"], fault["body"])
    await region.reply(connection, frames.error(fault["code"], fault["body"], _tracing(request)), session)


def _tracing(request):
    value = request.get("tracingId")
    return value if isinstance(value, str) else None


def _session_body(deployment, session, connected=True, new_session=False):
    return {
        "connected": connected,
        "newSession": new_session,
        "readOnly": session.read_only,
        "allowedMedia": deployment.allowed_media(),
        "blockedExtensions": list(deployment.blocked_extensions),
        "maxCustomDataBytes": deployment.max_custom_data_bytes,
        "durationSeconds": session.duration_seconds,
        "expirationDate": session.expiration_date,
        # True only when an authenticated configure signed other sessions out; the emulator does
        # not model that (see README, Choices), so it is always false, as in the SDK fixture.
        "clearedExistingSession": False,
    }


async def configure_session(region, connection, request):
    return await _configure(region, connection, request, None)


async def configure_authenticated_session(region, connection, request):
    deployment = connection.deployment
    if not deployment.auth_enabled:
        return await _error(region, connection, request, 403,
                            "Session authentication failed: authentication is not enabled for this deployment.")
    data = request.get("data")
    code = data.get("code") if isinstance(data, dict) else None
    if not isinstance(code, str) or not code:
        return await _error(region, connection, request, 4020, "Missing parameter: data.code.")
    claims = region.idp.verify(code, deployment.id)
    if claims is None:
        return await _error(region, connection, request, 401,
                            "Unauthorized: the JWT is invalid, expired or revoked; refresh it and configure again.")
    auth = {"sub": claims["sub"], "gid": claims["gid"], "firstName": claims["given_name"],
            "lastName": claims["family_name"]}
    return await _configure(region, connection, request, auth)


async def _configure(region, connection, request, auth):
    """configureSession (auth None) and configureAuthenticatedSession (auth = the signed-in user)."""
    deployment = connection.deployment
    token = request["token"]
    deployment_id = request.get("deploymentId")
    if not isinstance(deployment_id, str) or not deployment_id:
        return await _error(region, connection, request, 4020, "Missing parameter: deploymentId.")
    if deployment_id != deployment.id:
        return await _error(region, connection, request, 400,
                            "Request failed. deploymentId does not match the connection's deployment.")
    if len(token) > MAX_TOKEN_LENGTH:
        return await _error(region, connection, request, 400, "Request failed. Token is longer than 2048 characters.")
    start_new = request.get("startNew") is True
    session = region.session_for(token)
    if session is None and token in region.expired_tokens:
        # The TTL ran out while a socket was open (SessionExpiredEvent was pushed): answered once.
        region.expired_tokens.discard(token)
        return await _error(region, connection, request, 4006, "Session has expired.")
    if session is not None and session.deployment_id != deployment.id:
        return await _error(region, connection, request, 400, "Request failed. Token belongs to another deployment.")
    if session is not None and session.expired:
        region.drop_session(session)
        return await _error(region, connection, request, 4006, "Session has expired.")
    if session is not None and session.auth and auth is None:
        return await _error(region, connection, request, 4017,
                            "Cannot downgrade an authenticated session to an unauthenticated one.")
    if session is not None and auth is not None and not session.auth:
        return await _error(region, connection, request, 403,
                            "Session authentication failed: session upgrade is not enabled for this deployment.")
    if session is not None and auth is not None and session.auth["sub"] != auth["sub"]:
        return await _error(region, connection, request, 403,
                            "Session authentication failed: the session belongs to another user.")
    # Re-configuring a socket onto another token leaves the previous session.
    previous = _session_of(region, connection)
    if previous is not None and previous is not session and connection in previous.connections:
        previous.connections.remove(connection)
    new_session = False
    if session is None:
        session = region.create_session(token, deployment)
        new_session = True
    elif start_new and session.read_only:
        # startNew only replaces a finished (read-only) conversation; on a live one it is ignored.
        session.new_conversation()
        new_session = True
    signed_in = auth is not None and session.auth is None
    if auth is not None:
        session.auth = auth  # a refreshed JWT carries the same grant; keep the latest
    connection.token = token
    session.inbound.append(request)
    if connection not in session.connections:
        session.connections.append(connection)
    session.touch(deployment)
    await region.reply(connection, frames.session_response(_session_body(deployment, session, True, new_session),
                                                           _tracing(request)), session)
    if signed_in:
        body = frames.event_body([frames.presence_event("SignIn")], "Outbound")
        body["channel"]["from"] = {"firstName": auth["firstName"], "lastName": auth["lastName"]}
        await region.push_message(session, body)
    while len(session.connections) > max(1, deployment.max_sockets):
        oldest = session.connections.pop(0)
        await _close_with_event(region, session, oldest, "connectionLimitReached")


async def _close_with_event(region, session, connection, reason):
    frame = frames.envelope("message", "ConnectionClosedEvent", {"reason": reason})
    await region.reply(connection, frame, session)
    connection.token = None
    await connection.close(1000, reason)


def _custom_attributes(request, message):
    """Attributes may sit in `message.channel` (transport SDK) or top-level `channel` (Java SDK);
    the message's wins when both are present."""
    for holder in (message, request):
        channel = holder.get("channel")
        if isinstance(channel, dict) and isinstance(channel.get("metadata"), dict):
            if "customAttributes" in channel["metadata"]:
                return channel["metadata"]["customAttributes"]
    return None


def _rate_limited(session, deployment):
    now = time.monotonic()
    session.recent_messages = [t for t in session.recent_messages if now - t < 1.0]
    if deployment.messages_per_second and len(session.recent_messages) >= deployment.messages_per_second:
        return True
    session.recent_messages.append(now)
    return False


def _button_response(content):
    """The payload of the first ButtonResponse (quick reply / card postback) in `content`."""
    for item in content:
        if isinstance(item, dict) and item.get("contentType") == "ButtonResponse":
            button = item.get("buttonResponse")
            if isinstance(button, dict) and isinstance(button.get("payload"), str):
                return button
    return None


async def on_message(region, connection, request, session):
    deployment = connection.deployment
    message = request.get("message")
    if message is None:
        return await _error(region, connection, request, 4020, "Missing parameter: message.")
    if not isinstance(message, dict):
        return await _error(region, connection, request, 400, "Request failed. message must be an object.")
    kind = message.get("type")
    if kind not in ("Text", "Structured", "Event"):
        return await _error(region, connection, request, 400, "Request failed. Unsupported message type.")
    attributes = _custom_attributes(request, message)
    if attributes is not None:
        if not isinstance(attributes, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in attributes.items()):
            return await _error(region, connection, request, 400,
                                "Request failed. customAttributes must map strings to strings.")
        size = sum(len(k.encode("utf-8", "surrogatepass")) + len(v.encode("utf-8", "surrogatepass"))
                   for k, v in attributes.items())
        if size > deployment.max_custom_data_bytes:
            return await _error(region, connection, request, 4013,
                                "Custom Attributes in channel metadata is larger than %d bytes"
                                % deployment.max_custom_data_bytes)
    if kind == "Event":
        return await _on_events(region, connection, request, session, message, attributes)
    text = message.get("text", "")
    content = message.get("content", [])
    if not isinstance(text, str) or not isinstance(content, list):
        return await _error(region, connection, request, 400, "Request failed. text must be a string, content a list.")
    if len(text.encode("utf-8", "surrogatepass")) > deployment.max_text_bytes:
        return await _error(region, connection, request, 4011, "Message too long.")
    button = _button_response(content)
    if session.read_only:
        return await _error(region, connection, request, 409, "Session is read-only")
    files, problem = attachments.claim(region, session, content)
    if problem:
        return await _error(region, connection, request, *problem)
    if not text.strip() and button is None and not files:
        return await _error(region, connection, request, 400, "Request failed. Message has no text.")
    if not await _admit(region, connection, request, session, attributes):
        return None
    session.guest_typing_at = None
    body = {
        "id": frames.new_id(),
        "type": "Text",
        "text": text,
        "direction": "Inbound",
        "channel": {"time": frames.iso_now(), "messageId": frames.new_id()},
        "metadata": {"correlationId": frames.new_id()},
    }
    if button:
        echoed = {k: button[k] for k in ("type", "text", "payload", "originatingMessageId")
                  if isinstance(button.get(k), str)}
        body["content"] = [{"contentType": "ButtonResponse", "buttonResponse": echoed}]
    if files:
        body["content"] = body.get("content", []) + [f.content(region, connection.http_base) for f in files]
        for attachment in files:
            attachment.state = "sent"
    # A button response echo is Structured (SDK fixtures); text and/or attachments are Text.
    body["type"] = frames.message_type(body.get("content"))
    await region.push_message(session, body, _tracing(request))
    region.bot.on_text(session, text, button, connection.http_base)


async def _admit(region, connection, request, session, attributes):
    """The common gate of a guest message once it is valid: the rate limit (answered 429 here),
    then its custom attributes and activity count. False when refused."""
    deployment = connection.deployment
    if _rate_limited(session, deployment):
        await _too_many(region, connection, request, session)
        return False
    if attributes:
        session.custom_attributes.update(attributes)
    session.touch(deployment)
    return True


async def _too_many(region, connection, request, session, retry_after=1,
                    text="Message rate too high for this session"):
    body = {"retryAfter": retry_after, "errorCode": 4029, "errorMessage": text, "name": "TooManyRequestsError",
            "message": text}
    frame = frames.envelope("response", "TooManyRequestsErrorMessage", body, code=429, tracing_id=_tracing(request))
    await region.reply(connection, frame, session)


async def _on_events(region, connection, request, session, message, attributes):
    deployment = connection.deployment
    events = message.get("events")
    if not isinstance(events, list) or not events or not all(isinstance(e, dict) for e in events):
        return await _error(region, connection, request, 400, "Request failed. events must be a non-empty list.")
    event = events[0]
    kind = event.get("eventType")
    if kind == "Typing":
        if not isinstance(event.get("typing"), dict) or event["typing"].get("type") != "On":
            return await _error(region, connection, request, 400, "Request failed. Unsupported typing event.")
        if not deployment.show_user_typing:
            return await _error(region, connection, request, 403,
                                "Turn on the Feature Toggle or fix the configuration.")
        if session.read_only:
            return await _error(region, connection, request, 409, "Session is read-only")
        if _rate_limited(session, deployment):
            return await _too_many(region, connection, request, session)
        session.guest_typing_at = time.monotonic()
        return None
    if kind != "Presence" or not isinstance(event.get("presence"), dict):
        return await _error(region, connection, request, 400, "Request failed. Unsupported event type.")
    presence = event["presence"].get("type")
    if presence == "Join":
        if session.read_only:
            return await _error(region, connection, request, 409, "Session is read-only")
        if not await _admit(region, connection, request, session, attributes):
            return None
        session.joined = True
        body = frames.event_body([frames.presence_event("Join")], "Inbound")
        await region.push_message(session, body, _tracing(request))
        region.bot.on_join(session)
        return None
    if presence == "Clear":
        if not deployment.clear_enabled:
            return await _error(region, connection, request, 403,
                                "Presence events Conversation Clear are not supported")
        return await _clear(region, session, request)
    return await _error(region, connection, request, 400, "Request failed. Unsupported presence event.")


async def _clear(region, session, request):
    """Clear: ack (the Inbound Clear echo), SessionClearedEvent, ConnectionClosedEvent, close;
    the token is forgotten, so configuring it again starts a blank session."""
    body = frames.event_body([frames.presence_event("Clear")], "Inbound")
    await region.push(session, frames.message(body, _tracing(request)))
    await region.push(session, frames.envelope("message", "SessionClearedEvent", {}))
    await region.push(session, frames.envelope("message", "ConnectionClosedEvent", {"reason": "sessionCleared"}))
    region.drop_session(session)
    for connection in list(session.connections):
        connection.token = None
        await connection.close(1000, "session cleared")
    session.connections.clear()


async def echo(region, connection, request, session):
    message = request.get("message")
    if message is None:
        return await _error(region, connection, request, 4020, "Missing parameter: message.")
    if not isinstance(message, dict):
        return await _error(region, connection, request, 400, "Request failed. message must be an object.")
    retry_after = limits.health_check(connection)
    if retry_after is not None:
        return await _too_many(region, connection, request, session, retry_after,
                               "Health check rate too high for this connection")
    text = message.get("text")
    body = {
        "text": text if isinstance(text, str) else "",
        "type": "Text",
        "direction": "Inbound",
        "id": frames.new_id(),
        "metadata": {"durationSeconds": str(session.duration_seconds),
                     "expirationDate": str(session.expiration_date)},
    }
    await region.reply(connection, frames.envelope("response", "StructuredMessage", body, tracing_id=_tracing(request)),
                       session)


async def get_jwt(region, connection, request, session):
    jwt, exp = region.issue_jwt(session, connection.deployment.jwt_seconds)
    await region.reply(connection, frames.envelope("response", "JwtResponse", {"jwt": jwt, "exp": exp},
                                                   tracing_id=_tracing(request)), session)


async def close_session(region, connection, request, session):
    close_all = request.get("closeAllConnections")
    if close_all is not None and not isinstance(close_all, bool):
        return await _error(region, connection, request, 400, "Request failed. closeAllConnections must be a boolean.")
    if close_all:
        for other in [c for c in session.connections if c is not connection]:
            session.connections.remove(other)
            await _close_with_event(region, session, other, "sessionClosed")
    body = _session_body(connection.deployment, session, connected=False)
    await region.reply(connection, frames.session_response(body, _tracing(request)), session)
    if connection in session.connections:
        session.connections.remove(connection)
    connection.token = None


async def get_configuration(region, connection, request, session):
    deployment = connection.deployment
    body = {
        "allowedMedia": deployment.allowed_media(),
        "blockedExtensions": list(deployment.blocked_extensions),
        "maxCustomDataBytes": deployment.max_custom_data_bytes,
        "messageRoutingEnabled": True,
        "sessionDurationSeconds": deployment.session_duration_seconds,
    }
    await region.reply(connection, frames.envelope("response", "GetConfigurationResponse", body,
                                                   tracing_id=_tracing(request)), session)


ACTIONS = {
    "configureSession": configure_session,
    "configureAuthenticatedSession": configure_authenticated_session,
    "onMessage": on_message,
    "echo": echo,
    "getJwt": get_jwt,
    "closeSession": close_session,
    "getConfiguration": get_configuration,
    "onAttachment": attachments.on_attachment,
    "getAttachment": attachments.get_attachment,
    "deleteAttachment": attachments.delete_attachment,
}
