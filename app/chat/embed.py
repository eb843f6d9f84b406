"""The chat in a frame on someone else's page: who may talk to it, and what they may say.

Pure rules over dicts and strings; app/browser/bridge.py carries the messages. Every message
either way is a JSON object `{"pychat": 1, "type": ..., ...}` (`static/pychat-v1.js` is the
other end). The frame trusts a page only if its origin is listed in the chat host's own settings
(`"embed": {"hosts": [...]}` in config.json) or is the chat's own origin; the loader trusts only
the chat's origin. Nothing is ever posted to `*`.

    host -> frame   init {options}   open   close   send {text}   setAttributes {attributes}
    frame -> host   hello   ready {strings, accent}   message {text, author, side}
                    unread {count}   ended   error {reason}   hide (the guest closed the panel)

`opened` and `closed` are told by the loader itself: it owns the frame's visibility.
"""
from app.chat.settings import origin_of

PROTOCOL = "pychat"
VERSION = 1
COMMANDS = ("init", "open", "close", "send", "setAttributes", "notifications")
# What a trusted host page may set in the chat's settings through the snippet. The host's own
# settings file stays the authority for everything else (which hosts, proxy, runtime).
HOST_SETTINGS = ("deploymentId", "region", "webMessagingUrl", "apiBaseUrl", "cdnBaseUrl", "language", "theme")
MAX_ATTRIBUTES = 50
MAX_ATTRIBUTE_CHARS = 1000


def hosts(data, own_origin):
    """The origins allowed to embed and command the chat: the settings' embed.hosts, and our own."""
    allowed = [own_origin] if own_origin else []
    embed = data.get("embed") if isinstance(data, dict) else None
    listed = embed.get("hosts") if isinstance(embed, dict) else None
    for entry in listed if isinstance(listed, list) else ():
        if isinstance(entry, str):
            origin = origin_of(entry.strip())
            if origin and origin not in allowed:
                allowed.append(origin)
    return allowed


def message(kind, **fields):
    out = {PROTOCOL: VERSION, "type": kind}
    out.update(fields)
    return out


def command(data):
    """(type, data) of a well-formed command from the host page, or None for anything else."""
    if not isinstance(data, dict) or data.get(PROTOCOL) != VERSION:
        return None
    kind = data.get("type")
    if kind not in COMMANDS:
        return None
    if kind == "send" and not isinstance(data.get("text"), str):
        return None
    if kind == "init" and not isinstance(data.get("options", {}), dict):
        return None
    if kind == "notifications" and data.get("permission") not in ("default", "granted", "denied"):
        return None
    return kind, data


def merged(data, options):
    """The settings file's data with what the host page's snippet may set laid over it."""
    out = dict(data) if isinstance(data, dict) else {}
    for key in HOST_SETTINGS:
        value = (options or {}).get(key)
        if isinstance(value, str) and value.strip():
            if key == "theme" and isinstance(out.get("theme"), dict):
                out["theme"] = dict(out["theme"], scheme=value.strip())  # the snippet picks the scheme only
            else:
                out[key] = value.strip()
    return out


def attributes(value):
    """Custom attributes as the service takes them (string keys and values); raises ValueError."""
    if not isinstance(value, dict):
        raise ValueError("setAttributes takes an object of names and values")
    if len(value) > MAX_ATTRIBUTES:
        raise ValueError("at most %d custom attributes" % MAX_ATTRIBUTES)
    out = {}
    for key in value:
        item = value[key]
        if not isinstance(key, str) or not key.strip():
            raise ValueError("custom attribute names must be non-empty strings")
        if isinstance(item, bool):
            item = "true" if item else "false"
        elif isinstance(item, (int, float)):
            item = str(item)
        if not isinstance(item, str):
            raise ValueError("the value of %s must be a string, number or boolean" % key)
        if len(item) > MAX_ATTRIBUTE_CHARS:
            raise ValueError("the value of %s is longer than %d characters" % (key, MAX_ATTRIBUTE_CHARS))
        out[key.strip()] = item
    return out
