"""Server frames of the web-messaging socket, built in one place so every one has the same shape.

Every frame is `{"type", "class", "code", "body"[, "tracingId"]}` (shyrka-chat `BaseMessage`).
Builders return plain dicts; nothing here does I/O.
"""
import datetime
import json
import uuid

DEMO_BOT = {"nickname": "Demo Bot", "firstName": "Demo", "lastName": "Bot"}


def new_id():
    return str(uuid.uuid4())


def iso_now(now=None):
    """ISO-8601 UTC with milliseconds and `Z`, the form seen in real frames."""
    moment = datetime.datetime.fromtimestamp(now, datetime.timezone.utc) if now is not None else (
        datetime.datetime.now(datetime.timezone.utc))
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (moment.microsecond // 1000)


def dumps(frame):
    # ASCII escapes keep a guest's lone surrogates (valid JSON escapes, invalid UTF-8) sendable.
    return json.dumps(frame, separators=(",", ":"), ensure_ascii=True)


def envelope(type_, cls, body, code=200, tracing_id=None):
    frame = {"type": type_, "class": cls, "code": code, "body": body}
    if isinstance(tracing_id, str):
        frame["tracingId"] = tracing_id
    return frame


def error(code, text, tracing_id=None):
    # The service's error replies carry plain text under class "string" (see tests/shyrka.py).
    return envelope("response", "string", text, code=code, tracing_id=tracing_id)


def session_response(body, tracing_id=None):
    return envelope("response", "SessionResponse", body, tracing_id=tracing_id)


def message(body, tracing_id=None):
    """A StructuredMessage pushed to the guest (`type: "message"`)."""
    return envelope("message", "StructuredMessage", body, tracing_id=tracing_id)


# Content kinds that leave a message `Text`: an attachment is a plain message with a file (the
# transport SDK's fixtures send it as "Text" and drop a "Structured" message that carries nothing
# it can show as quick replies, cards, a date picker or a button response).
PLAIN_CONTENT = frozenset({"Attachment"})


def message_type(content):
    """`Structured` when `content` has any structured item (QuickReply, Card, Carousel,
    DatePicker, ListPicker, ButtonResponse, ...); `Text` for none or attachments only."""
    for item in content or ():
        if not isinstance(item, dict) or item.get("contentType") not in PLAIN_CONTENT:
            return "Structured"
    return "Text"


def text_body(text, direction, originating_entity=None, sender=None, content=None):
    body = {
        "id": new_id(),
        "type": message_type(content),
        "text": text,
        "direction": direction,
        "channel": _channel(direction, sender),
        "metadata": {"correlationId": new_id()},
    }
    if content:
        body["content"] = content
    if originating_entity is not None:
        body["originatingEntity"] = originating_entity
    return body


def event_body(events, direction, metadata=None):
    body = {
        "id": new_id(),
        "type": "Event",
        "direction": direction,
        "channel": _channel(direction, None),
        "events": events,
    }
    if metadata:
        body["metadata"] = metadata
    return body


def typing_event(duration_ms=5000):
    return {"eventType": "Typing", "typing": {"type": "On", "duration": duration_ms}}


def presence_event(kind):
    return {"eventType": "Presence", "presence": {"type": kind}}


def _channel(direction, sender):
    channel = {"time": iso_now(), "messageId": new_id()}
    if direction == "Outbound":
        channel["type"] = "Private"
    if sender:
        channel["from"] = dict(sender)
    return channel
