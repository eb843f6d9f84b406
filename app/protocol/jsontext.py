"""JSON text from the service, decoded the same on every interpreter.

Any JSON producer may escape non-ASCII text, and characters outside the Basic Multilingual Plane
(emoji) then arrive as a surrogate pair: "\\ud83d\\ude00". CPython's `json` joins the pair into one
character; MicroPython's keeps two lone surrogates, which the browser shows as two replacement
characters (and which turn the guest's own message to garbage when its echo arrives). `loads`
joins such pairs wherever the interpreter did not; the extra pass runs only when the text holds a
surrogate escape at all.
"""
import json

HIGH = (0xD800, 0xDBFF)
LOW = (0xDC00, 0xDFFF)


def _has_surrogate_escape(text):
    if "\\u" not in text:
        return False  # the usual frame: no escapes at all (found without copying the text)
    lowered = text.lower()
    at = lowered.find("\\ud")
    while at >= 0:
        ch = lowered[at + 3:at + 4]
        if ch and ch in "89abcdef":
            return True
        at = lowered.find("\\ud", at + 3)
    return False


def join_surrogates(text):
    """`text` with every high+low surrogate pair replaced by the character they encode."""
    out = None
    i = 0
    n = len(text)
    start = 0
    while i < n:
        code = ord(text[i])
        if HIGH[0] <= code <= HIGH[1] and i + 1 < n:
            low = ord(text[i + 1])
            if LOW[0] <= low <= LOW[1]:
                if out is None:
                    out = []
                out.append(text[start:i])
                out.append(chr(0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)))
                i += 2
                start = i
                continue
        i += 1
    if out is None:
        return text
    out.append(text[start:])
    return "".join(out)


def _fix(value):
    if isinstance(value, str):
        return join_surrogates(value)
    if isinstance(value, list):
        return [_fix(item) for item in value]
    if isinstance(value, dict):
        return dict((_fix(key), _fix(value[key])) for key in value)
    return value


def loads(text):
    data = json.loads(text)
    if isinstance(text, str) and _has_surrogate_escape(text):
        data = _fix(data)
    return data
