"""The element builder's contract, and a pure implementation of it.

Render functions (app/chat/render.py) never touch the DOM: they call `h(tag, attrs, *children)`
and return what it returns. In the browser `h` is app/browser/dom.py's, which makes real nodes;
here it makes `El` records, so every render function runs (and is tested) on CPython,
MicroPython and Pyodide, and a customer can test their own renderers the same way.

Both builders follow the same rules, applied in one place (`attrs_of`):
- `tag` must be in TAGS: our render functions choose tags, the network never does.
- children are strings (always text nodes, never parsed), nodes, None (skipped) or lists of those.
- attributes pass app/chat/safety.clean_attribute: only allow-listed names, `aria-*`/`data-*`;
  `href` and `src` only with a safe scheme. Anything else is dropped silently.
- event handlers come only through the `"on"` key: `{"click": fn, "keydown": fn}`, Python callables
  receiving the browser event (the browser builder delegates them; nothing becomes an `on*`
  attribute).
"""
from collections import namedtuple

from app.chat.safety import clean_attribute

El = namedtuple("El", ["tag", "attrs", "children", "on"])

TAGS = (
    "div", "span", "p", "a", "img", "button", "ul", "ol", "li", "strong", "em", "del", "code", "pre", "br",
    "time", "h3", "h4", "form", "fieldset", "legend", "label", "input", "small", "figure", "figcaption",
    "section", "header", "footer", "blockquote", "svg", "path", "progress", "dialog", "textarea",
    "select", "option",
)
EVENTS = ("click", "change", "submit", "keydown", "error", "scroll", "load", "input")


def attrs_of(tag, attrs):
    """(tag, [(name, value)], {event: fn}) after the rules above; raises on a tag we never make."""
    if tag not in TAGS:
        raise ValueError("tag not allowed: %s" % tag)
    clean = []
    handlers = {}
    if attrs:
        for name in attrs:
            value = attrs[name]
            if name == "on":
                for event in value or {}:
                    if event in EVENTS and callable(value[event]):
                        handlers[event] = value[event]
                continue
            pair = clean_attribute(name, value)
            if pair is not None:
                clean.append(pair)
    return tag, clean, handlers


def h(tag, attrs=None, *children):
    tag, clean, handlers = attrs_of(tag, attrs)
    kids = []
    children_of(children, kids)
    return El(tag, dict(clean), tuple(kids), handlers)


def children_of(children, out):
    """`children` flattened into `out` (lists and tuples opened, None and "" dropped), every child
    that is not a node made text: what both builders keep."""
    for child in children:
        if child is None or child == "":
            continue
        if isinstance(child, El):
            out.append(child)
        elif isinstance(child, (list, tuple)):
            children_of(child, out)
        else:
            out.append(str(child))
    return out


# -- handing a tree to the browser -------------------------------------------------------------
def encoded(tree):
    """A drawn tree as one string for static/build.js, which makes its DOM nodes in one call
    (app/browser/dom.py): tokens "<tag", "@name" followed by its value, "'text" and ">" (end of
    the element opened last), joined by U+0001. U+0001 and U+0000 are replaced in every text and
    value (neither belongs in a document, and MicroPython's bridge ends a string at U+0000)."""
    out = []
    _tokens(tree, out)
    return "\x01".join(out)


def _tokens(node, out):
    if isinstance(node, str):
        out.append("'" + (_clean(node) if "\x01" in node or "\x00" in node else node))
        return
    out.append("<" + node.tag)
    attrs = node.attrs
    for name in attrs:
        value = attrs[name]
        out.append("@" + name)
        out.append(_clean(value) if "\x01" in value or "\x00" in value else value)
    for child in node.children:
        _tokens(child, out)
    out.append(">")


def _clean(text):
    return text.replace("\x00", "\ufffd").replace("\x01", "\ufffd")


# -- reading a tree (tests, and customers testing their renderers) ---------------------------
def walk(node):
    yield node
    if isinstance(node, El):
        for child in node.children:
            for inner in walk(child):
                yield inner


def text_of(node):
    if isinstance(node, str):
        return node
    return "".join([text_of(child) for child in node.children])


def find_all(node, tag=None, cls=None):
    found = []
    for item in walk(node):
        if not isinstance(item, El):
            continue
        if tag is not None and item.tag != tag:
            continue
        if cls is not None and cls not in (item.attrs.get("class") or "").split():
            continue
        found.append(item)
    return found


def find(node, tag=None, cls=None):
    found = find_all(node, tag, cls)
    return found[0] if found else None
