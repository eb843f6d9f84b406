"""The one string a drawn tree crosses into the browser as (app/chat/elements.encoded, read by
static/build.js). Decoded here the way build.js decodes it: every text and value must come back
as text, whatever it looks like. Portable: CPython, MicroPython, Pyodide."""
from app.chat.elements import El, encoded, h

TRICKY = ("<img src=x onerror=alert(1)>", "'quoted", "@name", ">", "<b", "a\x01b", "nul\x00here", "",
          "\U0001F600 emoji", "\u202eright-to-left")


def _decode(text):
    """build.js's loop, producing El records instead of DOM nodes."""
    tokens = text.split("\x01")
    stack = []
    root = None
    i = 0
    while i < len(tokens):
        token = tokens[i]
        kind, rest = token[:1], token[1:]
        if kind == "<":
            node = [rest, {}, []]
            if stack:
                stack[-1][2].append(node)
            elif root is None:
                root = node
            stack.append(node)
        elif kind == "@":
            i += 1
            stack[-1][1][rest] = tokens[i]
        elif kind == "'":
            stack[-1][2].append(rest)
        elif kind == ">":
            stack.pop()
        i += 1
    return _el(root)


def _el(node):
    if isinstance(node, str):
        return node
    return El(node[0], node[1], tuple([_el(c) for c in node[2]]), {})


def _expected(node):
    if isinstance(node, str):
        return node.replace("\x00", "\ufffd").replace("\x01", "\ufffd")
    attrs = {}
    for name in node.attrs:
        attrs[name] = _expected(node.attrs[name])
    return El(node.tag, attrs, tuple([_expected(c) for c in node.children]), {})


def test_every_text_and_value_comes_back_as_text():
    for text in TRICKY:
        tree = h("li", {"class": "gcw-row", "title": text, "data-x": text},
                 h("p", None, text), text, h("span", None, h("em", None, text), text))
        assert _decode(encoded(tree)) == _expected(tree), repr(text)


def test_no_separator_survives_inside_a_token():
    tree = h("p", {"title": "a\x01b\x01"}, "c\x01d", "\x00")
    text = encoded(tree)
    assert text.split("\x01") == ["<p", "@title", "a\ufffdb\ufffd", "'c\ufffdd", "'\ufffd", ">"]
    assert "\x00" not in text


def test_nested_siblings_keep_their_order():
    tree = h("ol", None, [h("li", {"data-key": str(i)}, "row %d" % i) for i in range(20)])
    again = _decode(encoded(tree))
    assert [c.attrs["data-key"] for c in again.children] == [str(i) for i in range(20)]
    assert again.children[7].children == ("row 7",)
