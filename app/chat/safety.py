"""The one place that decides which network-supplied URLs may become links or images.

Everything a message carries is untrusted. A URL becomes an `href` only with a scheme from
LINK_SCHEMES, and a `src` only with one from IMAGE_SCHEMES; anything else (javascript:, data:,
vbscript:, blob:, file:, relative paths, URLs with control characters) stays plain text or is
dropped. Pure string code, so it runs the same on CPython, MicroPython and Pyodide.
"""

LINK_SCHEMES = ("https", "http", "mailto", "tel")
IMAGE_SCHEMES = ("https", "http")


def _scheme(url):
    """The lower-cased scheme of an absolute URL, or "" when it has none we can trust."""
    if not isinstance(url, str) or not url or len(url) > 4096:
        return ""
    for ch in url:
        # Browsers strip tabs and newlines inside a scheme ("java\tscript:"); control characters,
        # spaces, quotes and angle brackets never belong in a URL we hand to the DOM.
        if ord(ch) < 0x21 or ch in "\"'<>`\\" or ord(ch) == 0x7F:
            return ""
    scheme, sep, rest = url.partition(":")
    if not sep or not scheme:
        return ""
    for ch in scheme:
        if not (("a" <= ch <= "z") or ("A" <= ch <= "Z") or ("0" <= ch <= "9") or ch in "+-."):
            return ""
    scheme = scheme.lower()
    if scheme in ("http", "https") and not (rest.startswith("//") and len(rest) > 2 and rest[2] != "/"):
        return ""  # "https:evil" or "https:///x" are not web addresses
    if scheme in ("mailto", "tel") and not rest:
        return ""
    return scheme


def safe_link(url):
    """`url` if it may be an `href`, else None."""
    return url if _scheme(url) in LINK_SCHEMES else None


def safe_image(url):
    """`url` if it may be an image `src`, else None."""
    return url if _scheme(url) in IMAGE_SCHEMES else None


# Attributes an element may carry. Event handlers never come from here: render functions attach
# Python callables through the builder's `on` argument, not through attributes.
SAFE_ATTRIBUTES = (
    "class", "id", "role", "title", "dir", "lang", "alt", "tabindex", "hidden", "type", "disabled",
    "name", "value", "for", "placeholder", "rows", "start", "datetime", "target", "rel", "download",
    "width", "height", "loading", "decoding", "referrerpolicy", "draggable", "accept", "multiple",
    "max", "min", "colspan", "scope", "inert", "required", "maxlength", "minlength", "pattern", "autocomplete",
    "novalidate", "checked", "selected", "inputmode", "spellcheck",
)
URL_ATTRIBUTES = {"href": safe_link, "src": safe_image}


_NAMES = {}  # attribute name as written -> (lower-cased, its URL check / True (allowed as it is) / False)


def _kind_of(name):
    check = URL_ATTRIBUTES.get(name)
    if check is not None:
        return check
    if name in SAFE_ATTRIBUTES or name.startswith("aria-") or name.startswith("data-"):
        for ch in name:
            if not (("a" <= ch <= "z") or ("0" <= ch <= "9") or ch == "-"):
                return False
        return True
    return False


def clean_attribute(name, value):
    """(name, value as text) when the attribute is allowed, else None. `aria-*` and `data-*`
    are allowed (they never execute); URLs are checked by their scheme."""
    if value is None or value is False:
        return None
    known = _NAMES.get(name)  # decided once per name: every element drawn asks
    if known is None:
        if not isinstance(name, str):
            return None
        known = (name.lower(), _kind_of(name.lower()))
        if len(_NAMES) < 1000:
            _NAMES[name] = known
    name, kind = known
    if kind is False:
        return None
    text = "" if value is True else str(value)
    if kind is True:
        return name, text
    return (name, text) if kind(text) else None
