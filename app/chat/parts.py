"""What a transcript row shows, as typed parts: the content model of the chat.

A message from the service (live or from history) becomes a tuple of `Part(kind, props)`. `props`
is a plain dict of JSON values (strings, ints, lists, dicts), normalised here once: every field a
renderer reads is present and of the documented type, whatever the network sent. Parts are saved
and restored as `[kind, props]` pairs, so a reload draws exactly what was drawn before.

Nothing here decides what is safe to link or load: that is app/chat/safety.py, applied by the
element builder when a URL reaches an attribute. Nothing here formats words either: the render
functions (app/chat/render.py) do, through the string table.

| kind            | props                                                                              |
|-----------------|------------------------------------------------------------------------------------|
| `text`          | `text`                                                                             |
| `markdown`      | `text` (Markdown source; parsed when drawn)                                        |
| `quick_replies` | `replies`: [{`text`, `payload`, `image`}], `message_id`                            |
| `card`          | CARD (below), `message_id`                                                         |
| `carousel`      | `cards`: [CARD], `message_id`                                                      |
| `date_picker`   | `id`, `title`, `subtitle`, `image`, `times`: [{`start` ISO, `duration` s}], `message_id` |
| `list_picker`   | `id`, `title`, `subtitle`, `button`, `sections`: [{`title`, `multiple`, `items`: [{`id`, `title`, `subtitle`, `image`}]}], `message_id` |
| `attachment`    | `id`, `url`, `filename`, `size` (bytes, 0 = unknown), `media_type`, `mime`, `text`  |
| `choice`        | `type` (QuickReply, Button, DatePicker, ListPicker), `text`, `payload`: the guest's answer |
| `system`        | `text`                                                                             |
| `unsupported`   | `kinds`: [contentType]; `items`: [{kind, data, message_id}]: content we cannot show |

CARD = {`title`, `description`, `image`, `default`: ACTION or None, `actions`: [ACTION]};
ACTION = {`type` ("Link" or "Postback"), `text`, `url`, `payload`}.
"""
from collections import namedtuple

Part = namedtuple("Part", ["kind", "props"])

KINDS = ("text", "markdown", "quick_replies", "card", "carousel", "date_picker", "list_picker", "attachment",
         "choice", "system", "unsupported")
# Parts a guest answers: they are live only on the newest row (older ones are history).
ANSWERABLE = ("quick_replies", "date_picker", "list_picker")
MAX_ITEMS = 50  # quick replies, cards, times, items: more than a panel can show is cut
MAX_SLOT_S = 7 * 24 * 3600  # a longer appointment is not a duration we believe: it is not shown


def _s(value, limit=4096):
    return value[:limit] if isinstance(value, str) else ""


def _n(value):
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return 0
    return int(value) if value > 0 else 0


def _list(value):
    return value[:MAX_ITEMS] if isinstance(value, list) else []


def _dicts(value):
    return [item for item in _list(value) if isinstance(item, dict)]


def _action(data):
    if not isinstance(data, dict):
        return None
    kind = _s(data.get("type"))
    action = {"type": "Postback" if kind == "Postback" else "Link", "text": _s(data.get("text"), 200),
              "url": _s(data.get("url")), "payload": _s(data.get("payload"))}
    if action["type"] == "Link" and not action["url"]:
        return None
    return action


def card_props(data):
    actions = [a for a in [_action(item) for item in _dicts(data.get("actions"))] if a is not None]
    return {"title": _s(data.get("title"), 500), "description": _s(data.get("description"), 2000),
            "image": _s(data.get("image")), "default": _action(data.get("defaultAction")), "actions": actions}


def attachment_props(data):
    size = data.get("fileSize")
    if not isinstance(size, (int, float)) or isinstance(size, bool):
        size = data.get("contentSizeBytes")
    kind = _s(data.get("mediaType"))
    return {"id": _s(data.get("id"), 200), "url": _s(data.get("url")), "filename": _s(data.get("filename"), 255),
            "size": _n(size), "media_type": kind if kind in ("Image", "Video", "Audio", "File", "Link") else "File",
            "mime": _s(data.get("mime"), 200), "text": _s(data.get("text"), 2000)}


def _times(data):
    times = []
    for slot in _dicts(data.get("availableTimes")):
        start = _s(slot.get("dateTime"), 64)
        if start:
            duration = _n(slot.get("duration"))
            times.append({"start": start, "duration": duration if duration <= MAX_SLOT_S else 0})
    return times


def _list_picker(data, message_id):
    received = data.get("receivedMessage") if isinstance(data.get("receivedMessage"), dict) else {}
    sections = []
    for section in _dicts(data.get("sections")):
        items = []
        for item in _dicts(section.get("items")):
            item_id = _s(item.get("id"), 200)
            if item_id:
                items.append({"id": item_id, "title": _s(item.get("title"), 500) or item_id,
                              "subtitle": _s(item.get("subtitle"), 1000), "image": _s(item.get("image"))})
        if items:
            sections.append({"title": _s(section.get("title"), 500), "multiple": section.get("multipleSelection") is True,
                             "items": items})
    return {"id": _s(data.get("id"), 200), "title": _s(received.get("title"), 500),
            "subtitle": _s(received.get("subtitle"), 1000), "button": _s(received.get("buttonLabel"), 100),
            "sections": sections, "message_id": message_id}


def parts_of(message, markdown=False):
    """The parts of an agent or bot message: its text, then each content item in order."""
    parts = []
    if message.text:
        parts.append(Part("markdown" if markdown else "text", {"text": message.text}))
    replies = []
    unknown = []
    items = []  # the unknown contents themselves, for a customer's content:<kind> renderer
    for content in message.content:
        kind, data = content.kind, content.data
        if kind == "QuickReply":
            text = _s(data.get("text"), 200)
            if text:
                replies.append({"text": text, "payload": _s(data.get("payload")) or text, "image": _s(data.get("image"))})
        elif kind == "Card":
            props = card_props(data)
            props["message_id"] = message.id
            parts.append(Part("card", props))
        elif kind == "Carousel":
            cards = [card_props(card) for card in _dicts(data.get("cards"))]
            if cards:
                parts.append(Part("carousel", {"cards": cards, "message_id": message.id}))
        elif kind == "DatePicker":
            parts.append(Part("date_picker", {"id": _s(data.get("id"), 200), "title": _s(data.get("title"), 500),
                                              "subtitle": _s(data.get("subtitle"), 1000),
                                              "image": _s(data.get("imageUrl")), "times": _times(data),
                                              "message_id": message.id}))
        elif kind == "ListPicker":
            parts.append(Part("list_picker", _list_picker(data, message.id)))
        elif kind == "Attachment":
            parts.append(Part("attachment", attachment_props(data)))
        elif kind == "ButtonResponse":
            parts.append(_choice(data))
        else:
            if kind not in unknown:
                unknown.append(kind or "?")
            items.append({"kind": kind or "?", "data": data if isinstance(data, dict) else {},
                          "message_id": message.id})
    if replies:
        parts.append(Part("quick_replies", {"replies": replies, "message_id": message.id}))
    if unknown:
        parts.append(Part("unsupported", {"kinds": unknown, "items": items}))
    return tuple(parts)


def _choice(data):
    return Part("choice", {"type": _s(data.get("type"), 40), "text": _s(data.get("text"), 1000),
                           "payload": _s(data.get("payload"), 1000)})


def guest_parts(message):
    """What the guest's own message (its echo, or history) shows: text, answers, files."""
    parts = []
    answered = False
    for content in message.content:
        if content.kind == "ButtonResponse":
            parts.append(_choice(content.data))
            answered = True
        elif content.kind == "Attachment":
            parts.append(Part("attachment", attachment_props(content.data)))
    # A card postback repeats the button's text as the message text: show it once.
    if message.text and not answered:
        parts.insert(0, Part("text", {"text": message.text}))
    return tuple(parts)


def text_parts(text):
    return (Part("text", {"text": text}),) if text else ()


def plain_text(parts):
    """The words of a row, for copying back, matching history and announcements."""
    words = []
    for part in parts:
        props = part.props
        if part.kind in ("text", "markdown", "system", "choice"):
            words.append(props.get("text") or props.get("payload") or "")
        elif part.kind == "attachment":
            words.append(props.get("filename") or "")
        elif part.kind in ("card",):
            words.append(props.get("title") or "")
    return " ".join([w for w in words if w])


def saved(parts):
    return [[part.kind, part.props] for part in parts]


def restored(items):
    """Parts from storage; anything unrecognised is dropped, never raised."""
    parts = []
    for item in items if isinstance(items, list) else ():
        if isinstance(item, list) and len(item) == 2 and item[0] in KINDS and isinstance(item[1], dict):
            parts.append(Part(item[0], item[1]))
    return tuple(parts)
