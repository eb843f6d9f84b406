"""StructuredMessage bodies -> `Message` records. Tolerant: unknown fields are ignored and a body
that is not an object still yields a Message, so one odd frame never breaks the transcript."""
from app.protocol.events import Content, Message, Sender


def _text(value):
    return value if isinstance(value, str) else ""


def sender_of(channel):
    """The display name and avatar from `channel.from`, or None when the service sent none."""
    who = channel.get("from") if isinstance(channel, dict) else None
    if not isinstance(who, dict):
        return None
    name = _text(who.get("nickname")).strip()
    if not name:
        name = (_text(who.get("firstName")) + " " + _text(who.get("lastName"))).strip()
    image = _text(who.get("image"))
    if not name and not image:
        return None
    return Sender(name, image)


def parse_message(body, tracing_id=""):
    if not isinstance(body, dict):
        body = {}
    channel = body.get("channel")
    if not isinstance(channel, dict):
        channel = {}
    content = []
    for item in body.get("content") or ():
        if isinstance(item, dict):
            kind = _text(item.get("contentType"))
            key = kind[:1].lower() + kind[1:]
            data = item.get(key)
            content.append(Content(kind, data if isinstance(data, dict) else {}))
    metadata = body.get("metadata")
    return Message(
        id=_text(body.get("id")) or _text(channel.get("messageId")),
        direction=_text(body.get("direction")),
        kind=_text(body.get("type")),
        text=_text(body.get("text")),
        time=_text(channel.get("time")),
        sender=sender_of(channel),
        entity=_text(body.get("originatingEntity")),
        tracing_id=tracing_id or "",
        content=tuple(content),
        metadata=metadata if isinstance(metadata, dict) else {},
    )


def events_of(body):
    """The `events[]` of an Event message as (eventType, its object) pairs."""
    found = []
    for item in (body.get("events") if isinstance(body, dict) else None) or ():
        if isinstance(item, dict):
            kind = _text(item.get("eventType"))
            key = kind[:1].lower() + kind[1:]
            data = item.get(key)
            found.append((kind, data if isinstance(data, dict) else {}))
    return found

