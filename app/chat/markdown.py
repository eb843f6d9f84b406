"""Safe Markdown for chat messages: text in, a tree of plain tuples out, never HTML.

The subset is what Genesys agents, Architect bots and Messenger users send when the deployment
has `markdown.enabled` (bold, italic, strikethrough, inline and fenced code, links, bulleted and
numbered lists, quotes; see emulator/bot_content.MARKDOWN_TEXT), read the way CommonMark/GFM
reads it, with chat conventions on top (every newline is kept as a line break).
Nothing in the input is ever interpreted as HTML: `<b>`, `<script>` and `&lt;` stay literal text.
Pure string code (no `re`, no dataclasses, no typing), so it runs unchanged on CPython,
MicroPython and Pyodide.

`parse(text)` returns a tuple of block nodes:

    ("p", inlines)             a paragraph; each newline inside it is a ("br",) inline
    ("code_block", text)       ``` or ~~~ fence; the info string is dropped, contents literal;
                               an unclosed fence runs to the end of the message
    ("ul", items)              `* `, `- `, `+ ` items; each item is a tuple of inline nodes
    ("ol", items, start)       `1. ` / `1) ` items; `start` is the first number (int)
    ("quote", blocks)          consecutive lines starting with `>` (one optional space after it
                               is dropped); the contents are parsed as blocks again. Lines not
                               starting with `>` end the quote (no "lazy" continuation).

Lists: consecutive item lines form one list, blank lines between items of the same kind do not
end it. A line without a marker that is indented (one space or more) continues the previous item
and is joined to it with a ("br",). Lists are flat: an indented marker (2+ spaces deeper than the
list's first marker), bulleted or numbered, becomes one more item of the same list. A marker of
the other kind at the list's own indentation starts a new list. A numbered line interrupts a
paragraph only when its number is 1 (so "in\n2019. we" stays a paragraph); bullets always do.
Headings: `# x` to `###### x` (a space after the hashes) become a paragraph whose only inline
is ("strong", inlines) (the closing hashes are dropped); `#tag` is ordinary text.
Lines like `* * *` or `---` (thematic breaks) stay ordinary paragraph text.

Inline nodes:

    "text"                     literal text; adjacent text is always merged into one string
    ("strong", inlines)        **x** or __x__
    ("em", inlines)            *x* or _x_ (underscores inside words, snake_case_name, stay text)
    ("del", inlines)           ~~x~~ (exactly two tildes; a single ~ is text, as in "~5 min")
    ("code", text)             `x` (any run of N backticks closed by a run of N; literal)
    ("link", url, inlines)     [label](url), [label](url "title") (title dropped),
                               [label](<url>), <https://x> and <user@example.com> autolinks,
                               and bare http:// / https:// URLs (lower-case scheme) in text,
                               without trailing punctuation (. , : ; ! ? ' " * _ ~ and an
                               unbalanced ) or ]). ![alt](url) is a link whose label is the alt
                               text as one string (the URL when the alt is empty): never an image.
                               An empty label [](url) shows the URL. Links never nest: a link or
                               bare URL inside a label becomes its plain label text.
    ("br",)                    line break

Only URLs that app.chat.safety.safe_link accepts become links. Everything else (javascript:,
data:, vbscript:, relative, broken, URLs with control characters) stays literal text exactly as
written: the whole `[x](javascript:alert(1))` or `<javascript:alert(1)>` source appears as text.
Link labels keep their formatting; reference links ([x][ref]) are not supported (text).
Emphasis follows CommonMark's delimiter rules (flanking, the rule of three), so broken nesting
such as `**a _b** c_` gives ("strong", ("a _b",)), " c_". Unmatched markers stay literal.
Backslash before any ASCII punctuation character gives that character; backslash-newline is a
line break. No exception is raised for any input; non-str input is read as str (None as "").

Limits: only the first MAX_INPUT (20,000) characters are parsed; the rest is appended, literal,
as a final paragraph (its newlines as ("br",)). Inline nodes nest at most MAX_DEPTH (8) levels
(strong/em/del/link each count one; deeper markers stay literal text) and quotes nest at most
MAX_DEPTH levels (a deeper `>` is text), so no tree is more than 2 * MAX_DEPTH + 1 deep.
Work is linear in the input, also for pathological input (thousands of `](`, `<`, `[`, `*`).
Speed: the inline scanner runs on UTF-8 bytes and jumps between interesting bytes with C-level
finds (MicroPython's str indexing costs O(offset)); a 1-2 KB message parses in about 2-3 ms in
the MicroPython WebAssembly build.

`plain_text(nodes)` gives what a screen reader or a notification reads from a sequence of nodes
(the tuple `parse` or `parse_inline` returned): text and link labels, no markers, no URLs; blocks
and list items on their own lines, ("br",) as a newline. `parse_inline(text)` parses one line
(or several, newlines become ("br",)) of inline content, for single-line fields.
"""

from app.chat.safety import safe_link

MAX_INPUT = 20000
MAX_DEPTH = 8
MAX_URL = 4096  # safe_link refuses longer URLs anyway
MAX_TITLE = 1024

BR = ("br",)

_ASCII_PUNCT = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
_PUNCT = (_ASCII_PUNCT + "\u00a1\u00a7\u00ab\u00b6\u00b7\u00bb\u00bf"
          "\u2010\u2011\u2012\u2013\u2014\u2015\u2016\u2017\u2018\u2019\u201a\u201b\u201c\u201d"
          "\u201e\u201f\u2020\u2021\u2022\u2026\u2030\u2039\u203a\u3001\u3002\u300c\u300d\u300e"
          "\u300f\uff01\uff08\uff09\uff0c\uff1a\uff1b\uff1f")
_WS = (" \t\n\r\f\v\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009"
       "\u200a\u2028\u2029\u202f\u205f\u3000")
_BLOCK_TAGS = ("p", "code_block", "ul", "ol", "quote")
_BLOCK_START = "`~>#*-+0123456789"  # a line starting otherwise is paragraph text


# ---------------------------------------------------------------------------------------------
# Public API


_PARSED = {}  # (kind, text) -> tree: a row is drawn again when its place in a group changes
_PARSED_MAX = 400


def parse(text):
    """The block tree (a tuple of block nodes) of one message. Kept for the next draw: treat it
    as read-only."""
    found = _PARSED.get(("b", text))
    if found is None:
        found = _remember(("b", text), _parse(text))
    return found


def parse_inline(text):
    """The inline nodes (a tuple) of a single-line field; no block syntax. Read-only, as parse."""
    found = _PARSED.get(("i", text))
    if found is None:
        found = _remember(("i", text), _parse_inline(text))
    return found


def _remember(key, tree):
    if len(_PARSED) >= _PARSED_MAX:
        _PARSED.clear()
    _PARSED[key] = tree
    return tree


def _parse(text):
    text = _normalize(text)
    rest = ""
    if len(text) > MAX_INPUT:
        rest = text[MAX_INPUT:]
        text = text[:MAX_INPUT]
    blocks = _blocks(text.split("\n"), 0)
    if rest.strip():
        blocks.append(("p", _literal(rest)))
    return tuple(blocks)


def _parse_inline(text):
    text = _normalize(text)
    rest = ""
    if len(text) > MAX_INPUT:
        rest = text[MAX_INPUT:]
        text = text[:MAX_INPUT]
    nodes = _inline(text)
    if rest:
        nodes = _merge(list(nodes) + list(_literal(rest)))
    return tuple(nodes)


def plain_text(nodes):
    """What a reader hears: the text of a sequence of block or inline nodes, no markers."""
    if isinstance(nodes, str):
        return nodes
    out = []
    _plain(nodes, out, 0)
    return "".join(out)


# ---------------------------------------------------------------------------------------------
# Helpers shared by both levels


def _normalize(text):
    if text is None:
        return ""
    if not isinstance(text, str):
        try:
            text = str(text)
        except Exception:
            return ""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def _literal(text):
    """Text as inline nodes with nothing interpreted; newlines become ("br",)."""
    out = []
    first = True
    for piece in text.split("\n"):
        if not first:
            out.append(BR)
        first = False
        if piece:
            out.append(piece)
    return tuple(out)


def _merge(nodes):
    """Adjacent strings joined, empty strings dropped."""
    out = []
    buf = []
    for x in nodes:
        if type(x) is str:
            if x:
                buf.append(x)
        else:
            if buf:
                out.append("".join(buf))
                buf = []
            out.append(x)
    if buf:
        out.append("".join(buf))
    return out


def _plain(nodes, out, depth):
    if depth > 4 * MAX_DEPTH or not isinstance(nodes, (tuple, list)):
        return
    for x in nodes:
        if isinstance(x, str):
            out.append(x)
            continue
        if not isinstance(x, tuple) or not x:
            continue
        tag = x[0]
        if tag in _BLOCK_TAGS:
            if out and not out[-1].endswith("\n"):
                out.append("\n")
            if tag == "p":
                _plain(x[1], out, depth + 1)
            elif tag == "code_block":
                out.append(x[1])
            elif tag == "quote":
                _plain(x[1], out, depth + 1)
            else:
                first = True
                for item in x[1]:
                    if not first:
                        out.append("\n")
                    first = False
                    _plain(item, out, depth + 1)
        elif tag == "br":
            out.append("\n")
        elif tag == "code":
            out.append(x[1])
        elif tag == "link":
            _plain(x[2], out, depth + 1)
        elif len(x) > 1:
            _plain(x[1], out, depth + 1)


# ---------------------------------------------------------------------------------------------
# Blocks


def _indent(line):
    """(visual width of the leading whitespace, index of the first other character)."""
    k = len(line) - len(line.lstrip(" \t"))
    if not k or "\t" not in line[:k]:
        return k, k
    w = 0
    for c in line[:k]:
        w = w + 4 - (w % 4) if c == "\t" else w + 1
    return w, k


def _run(s, c):
    """How many times `c` repeats at the start of s."""
    return len(s) - len(s.lstrip(c))


def _fence(s):
    """(char, length) when the stripped line s opens a code fence, else None."""
    c = s[0]
    if c != "`" and c != "~":
        return None
    n = _run(s, c)
    if n < 3:
        return None
    if c == "`" and "`" in s[n:]:
        return None  # ```code``` on one line is an inline code span
    return c, n


def _is_break(s):
    """A thematic break (* * *, ---, ___): stays paragraph text instead of becoming a list."""
    c = s[0]
    if c not in "*-_":
        return False
    count = 0
    for ch in s:
        if ch == c:
            count += 1
        elif ch != " " and ch != "\t":
            return False
    return count >= 3


def _marker(s):
    """For a stripped line: ("ul", None, content) or ("ol", number, content), else None."""
    c = s[0]
    n = len(s)
    if c == "*" or c == "-" or c == "+":
        if n > 2 and (s[1] == " " or s[1] == "\t") and not (s[2] in " \t*-_" and _is_break(s)):
            content = s[2:].lstrip(" \t")
            if content:
                return "ul", None, content
        return None
    k = 0
    for ch in s:
        if not ("0" <= ch <= "9") or k > 9:
            break
        k += 1
    if k == 0 or k > 9 or k + 2 > n:
        return None
    if (s[k] == "." or s[k] == ")") and (s[k + 1] == " " or s[k + 1] == "\t"):
        content = s[k + 2:].lstrip(" \t")
        if content:
            return "ol", int(s[:k]), content
    return None


def _heading(s):
    """The content of an ATX heading line, or None."""
    k = _run(s, "#")
    if k == 0 or k > 6 or k >= len(s) or (s[k] != " " and s[k] != "\t"):
        return None
    content = s[k + 1:].strip(" \t")
    # A closing sequence of #s (after a space) is not part of the heading.
    bare = content.rstrip("#")
    if len(bare) < len(content) and (not bare or bare.endswith(" ") or bare.endswith("\t")):
        content = bare.rstrip(" \t")
    return content or None


def _blocks(lines, depth):
    out = []
    para = []
    n = len(lines)
    i = 0

    def flush():
        if para:
            out.append(("p", tuple(_inline("\n".join(para)))))
            del para[:]

    while i < n:
        line = lines[i]
        c = line[:1]
        if c == " " or c == "\t":
            width, k = _indent(line)
            s = line[k:].rstrip(" \t")
        else:
            width = 0
            s = line.rstrip(" \t")
        if not s:
            flush()
            i += 1
            continue
        c = s[0]
        if c not in _BLOCK_START:
            para.append(s)
            i += 1
            continue
        if c == "`" or c == "~":
            f = _fence(s)
            if f is not None:
                flush()
                i = _code_block(lines, i + 1, f, width, out)
                continue
        if c == ">" and depth < MAX_DEPTH:
            flush()
            inner = []
            while i < n:
                w2, k2 = _indent(lines[i])
                t = lines[i][k2:]
                if not t.startswith(">"):
                    break
                t = t[1:]
                if t.startswith(" ") or t.startswith("\t"):
                    t = t[1:]
                inner.append(t)
                i += 1
            blocks = _blocks(inner, depth + 1)
            if blocks:
                out.append(("quote", tuple(blocks)))
            continue
        if c == "#":
            h = _heading(s)
            if h is not None:
                flush()
                out.append(("p", (("strong", tuple(_inline(h))),)))
                i += 1
                continue
        m = _marker(s)
        if m is not None and (not para or m[0] == "ul" or m[1] == 1):
            flush()
            i = _list(lines, i, m, width, out)
            continue
        para.append(s)
        i += 1
    flush()
    return out


def _code_block(lines, i, fence, indent, out):
    ch, length = fence
    n = len(lines)
    body = []
    while i < n:
        line = lines[i]
        w, k = _indent(line)
        s = line[k:].rstrip(" \t")
        if s and s[0] == ch:
            run = _run(s, ch)
            if run >= length and run == len(s):
                i += 1
                break
        # Drop as much leading indentation as the opening fence had.
        if indent and k:
            drop = 0
            while drop < k and drop < indent and line[drop] == " ":
                drop += 1
            line = line[drop:]
        body.append(line)
        i += 1
    out.append(("code_block", "\n".join(body)))
    return i


def _list(lines, i, first, base, out):
    kind = first[0]
    start = first[1]
    items = [[first[2]]]
    n = len(lines)
    i += 1
    while i < n:
        line = lines[i]
        width, k = _indent(line)
        s = line[k:].rstrip(" \t")
        if not s:
            j = i + 1
            while j < n and not lines[j].strip(" \t"):
                j += 1
            if j < n:
                w2, k2 = _indent(lines[j])
                m2 = _marker(lines[j][k2:].rstrip(" \t"))
                if m2 is not None and (m2[0] == kind or w2 >= base + 2):
                    i = j
                    continue
            break
        c = s[0]
        if c == ">" or (c == "#" and _heading(s) is not None):
            break
        if (c == "`" or c == "~") and _fence(s):
            break
        m = _marker(s)
        if m is not None:
            if m[0] == kind or width >= base + 2:
                items.append([m[2]])
                i += 1
                continue
            break
        if width == 0:
            break
        items[-1].append(s)
        i += 1
    done = tuple(tuple(_inline("\n".join(item))) for item in items)
    out.append(("ul", done) if kind == "ul" else ("ol", done, start))
    return i


# ---------------------------------------------------------------------------------------------
# Inlines
#
# The scanner works on the UTF-8 bytes of the text: MicroPython's str indexing, slicing and
# find(start) cost O(offset) (it walks the UTF-8 data), bytes ones O(1). Every character the
# scanner stops at is ASCII, so slices always fall on character boundaries.
#
# One left-to-right scan, skipping from one interesting byte to the next with bytes.find, turns
# the text into a flat token list: bytes (literal text), tuples (finished nodes: code, links,
# br) and lists (emphasis delimiter runs: [marker byte (int), count left, can open, can close,
# original count, events or None]). Links are resolved at their "]" (the label's delimiter runs
# are matched among themselves). Then the runs are paired the CommonMark way ("process emphasis")
# and the tree is built from the pairing events in one more pass.

# Bytes the scanner stops at ("http" as a whole; "![" is found through its "[").
_NEEDLES = (b"\n", b"\\", b"`", b"*", b"_", b"~", b"[", b"]", b"<", b"http")
_QUICK = "\\`*_~[<"  # without any of these (and "http") a text has no inline syntax
_URL_BEFORE = b"(*_~[\"'>:;,"
_URL_STOPS = (b" ", b"\n", b"<", b"\t", b"]")
_URL_TRAIL_B = b"?!.,:;*_~'\""

_MARK = {42: b"*", 95: b"_", 126: b"~"}

# Class of each ASCII byte: 0 other, 1 whitespace, 2 punctuation.
_KIND = bytearray(128)
for _c in " \t\n\r\f\v":
    _KIND[ord(_c)] = 1
for _c in _ASCII_PUNCT:
    _KIND[ord(_c)] = 2


def _enc(s):
    try:
        return s.encode("utf-8", "surrogatepass")  # lone surrogates can come from JS strings
    except Exception:
        return s.encode("utf-8", "replace")


def _dec(b):
    try:
        return b.decode("utf-8", "surrogatepass")
    except Exception:
        return b.decode("utf-8", "replace")


def _is_punct(c):
    """ASCII and common Unicode punctuation, plus the symbol blocks (arrows, dingbats, emoji)
    that CommonMark also counts as punctuation, so that 😀_x_😀 is emphasis."""
    return c in _PUNCT or ("\u2190" <= c <= "\u2bff") or ("\U0001f000" <= c <= "\U0001faff")


def _kind_of(ch):
    if ch in _WS:
        return 1
    return 2 if _is_punct(ch) else 0


def _kind_before(b, i):
    """Class of the character that ends at byte i (start of text counts as whitespace)."""
    if i <= 0:
        return 1
    x = b[i - 1]
    if x < 128:
        return _KIND[x]
    k = i - 1
    while k > 0 and (b[k] & 0xC0) == 0x80 and i - k < 4:
        k -= 1
    return _kind_of(_dec(b[k:i]))


def _kind_after(b, j, n):
    """Class of the character that starts at byte j (end of text counts as whitespace)."""
    if j >= n:
        return 1
    x = b[j]
    if x < 128:
        return _KIND[x]
    size = 2 if x < 0xE0 else (3 if x < 0xF0 else 4)
    return _kind_of(_dec(b[j:j + size]))


def _inline(text):
    """Inline nodes (a list) of text."""
    if not text:
        return []
    plain = "http" not in text
    if plain:
        for ch in _QUICK:
            if ch in text:
                plain = False
                break
    if plain:
        return list(_literal(text))
    b = _enc(text)
    # work budget, deepest link, code-span misses, next ">", next URL stops, delimiter runs
    st = [2 * len(b) + 2048, 0, None, -1, None, 0]
    toks = _scan(b, st)
    nodes, depth = _build(toks, MAX_DEPTH - st[1], st[5] > 0)
    return nodes


def _scan(b, st):
    n = len(b)
    toks = []
    brackets = []  # [token index, byte index, is image, active]
    # A 1 at every byte index where a needle starts; mark.find jumps to the next one, so the
    # scanner never loops over plain text (and never sorts: MicroPython's sort is quadratic
    # on sorted input).
    mark = bytearray(n)
    for nd in _NEEDLES:
        p = b.find(nd)
        while p >= 0:
            mark[p] = 1
            p = b.find(nd, p + 1)
    kind = _KIND
    start = 0  # where the pending literal run began
    i = 0
    while True:
        i = mark.find(b"\x01", i)
        if i < 0:
            break
        c = b[i]
        if c == 10:  # newline
            if start < i:
                toks.append(b[start:i])
            toks.append(BR)
            i += 1
            start = i
        elif c == 42 or c == 95 or c == 126:  # * _ ~
            j = i + 1
            while j < n and b[j] == c:
                j += 1
            size = j - i
            if c == 126 and size != 2:
                i = j
                continue
            x = b[i - 1] if i else 10
            pk = kind[x] if x < 128 else _kind_before(b, i)
            x = b[j] if j < n else 10
            nk = kind[x] if x < 128 else _kind_after(b, j, n)
            left = nk != 1 and (nk != 2 or pk != 0)
            right = pk != 1 and (pk != 2 or nk != 0)
            if c == 95:
                can_open = left and (not right or pk == 2)
                can_close = right and (not left or nk == 2)
            else:
                can_open = left
                can_close = right
            if can_open or can_close:
                if start < i:
                    toks.append(b[start:i])
                toks.append([c, size, can_open, can_close, size, None])
                st[5] += 1
                start = j
            i = j
        elif c == 92:  # backslash
            d = b[i + 1] if i + 1 < n else 0
            if d < 128 and kind[d] == 2:
                if start < i:
                    toks.append(b[start:i])
                toks.append(b[i + 1:i + 2])
                i += 2
                start = i
            elif d == 10:
                if start < i:
                    toks.append(b[start:i])
                toks.append(BR)
                i += 2
                start = i
            else:
                i += 1
        elif c == 96:  # backtick
            j = i + 1
            while j < n and b[j] == 96:
                j += 1
            if st[2] is None:
                st[2] = {}
            end = _code_close(b, j, j - i, st[2])
            if end < 0:
                i = j
            else:
                if start < i:
                    toks.append(b[start:i])
                toks.append(("code", _code_text(_dec(b[j:end]))))
                i = start = end + (j - i)
        elif c == 91:  # [, or ![ when the "!" is still pending text (not an escaped "\!")
            image = i > start and b[i - 1] == 33
            if image:
                i -= 1
            if start < i:
                toks.append(b[start:i])
            brackets.append([len(toks), i, image, True])
            if image:
                toks.append(b"![")
                i += 2
            else:
                toks.append(b"[")
                i += 1
            start = i
        elif c == 93:  # ]
            tail = None
            if brackets:
                bk = brackets[-1]
                if bk[3] and i + 1 < n and b[i + 1] == 40:
                    tail = _link_tail(b, i + 1, n, st)
                if tail is None:
                    brackets.pop()
            if tail is None:
                i += 1
                continue
            dest, end = tail
            if start < i:
                toks.append(b[start:i])
            brackets.pop()
            url = safe_link(dest)
            if url is None:
                del toks[bk[0]:]
                toks.append(b[bk[1]:end])  # exactly as written
            else:
                label, depth = _build(toks[bk[0] + 1:], MAX_DEPTH - 1)
                del toks[bk[0]:]
                label = _unlink(label, 0)
                if bk[2]:
                    alt = plain_text(label)
                    label = [alt if alt.strip() else url]
                    depth = 0
                else:
                    if not label:
                        label = [url]
                    for other in brackets:
                        if not other[2]:
                            other[3] = False  # links do not contain links
                toks.append(("link", url, tuple(label)))
                if depth + 1 > st[1]:
                    st[1] = depth + 1
            i = start = end
        elif c == 60:  # <
            found = _autolink(b, i, n, st)
            if found is None:
                i += 1
                continue
            url, end, label = found
            if start < i:
                toks.append(b[start:i])
            safe = safe_link(url)
            toks.append(("link", safe, (label,)) if safe is not None else b[i:end])
            i = start = end
        else:  # http
            if st[4] is None:
                st[4] = {}
            found = _bare_url(b, i, n, bool(brackets), st[4])
            if found is None:
                i += 1
                continue
            url, end = found
            if start < i:
                toks.append(b[start:i])
            safe = safe_link(url)
            toks.append(("link", safe, (url,)) if safe is not None else b[i:end])
            i = start = end
    if start < n:
        toks.append(b[start:n])
    return toks


def _code_close(b, pos, size, misses):
    """Byte index of the backtick run of exactly `size` that closes a code span, or -1."""
    if size in misses:
        return -1
    fence = b"`" * size
    n = len(b)
    while True:
        m = b.find(fence, pos)
        if m < 0:
            misses[size] = True  # none further on either: remembered, so no rescans
            return -1
        e = m + size
        if e < n and b[e] == 96:
            while e < n and b[e] == 96:
                e += 1
            pos = e
            continue
        return m


def _code_text(s):
    if "\n" in s:
        s = s.replace("\n", " ")
    if len(s) > 1 and s.startswith(" ") and s.endswith(" ") and s.strip(" "):
        s = s[1:-1]
    return s


def _unescape(b):
    if b.find(b"\\") < 0:
        return b
    out = bytearray()
    i = 0
    n = len(b)
    while i < n:
        c = b[i]
        if c == 92 and i + 1 < n and b[i + 1] < 128 and _KIND[b[i + 1]] == 2:
            out.append(b[i + 1])
            i += 2
        else:
            out.append(c)
            i += 1
    return bytes(out)


def _skip_ws(b, j, n):
    while j < n and (b[j] == 32 or b[j] == 9 or b[j] == 10):
        j += 1
    return j


def _link_tail(b, i, n, st):
    """For b[i] == "(": (destination, byte index after ")") of an inline link, or None."""
    if st[0] <= 0:
        return None  # work budget spent (pathological input): the rest stays text
    j = _skip_ws(b, i + 1, n)
    if j < n and b[j] == 60:  # <destination>
        k = j + 1
        limit = min(n, k + MAX_URL)
        while k < limit:
            c = b[k]
            if c == 62:
                break
            if c == 10 or c == 60:
                return None
            if c == 92:
                k += 1
            k += 1
        if k >= limit:
            return None
        st[0] -= k - j
        dest = _dec(_unescape(b[j + 1:k]))
        j = k + 1
    else:
        first = j
        # Fast path (C-level finds): the destination ends at the first ")" or space and holds
        # no "(", backslash, tab or newline. Other control characters are left to safe_link,
        # which refuses them, so such a link stays literal text either way.
        end = b.find(b")", j, min(n, j + MAX_URL))
        if end >= 0:
            sp = b.find(b" ", j, end)
            if sp >= 0:
                end = sp
            d = b[j:end]
            if b"(" not in d and b"\\" not in d and b"\n" not in d and b"\t" not in d:
                st[0] -= end - j
                return _link_rest(b, _dec(d), end, n)
        depth = 0
        limit = min(n, j + MAX_URL, j + st[0])
        while j < limit:
            c = b[j]
            if c == 92 and j + 1 < n and b[j + 1] < 128 and _KIND[b[j + 1]] == 2:
                j += 2
                continue
            if c == 40:
                depth += 1
                if depth > 32:
                    st[0] -= j - first
                    return None
            elif c == 41:
                if depth == 0:
                    break
                depth -= 1
            elif c <= 32 or c == 127:
                break
            j += 1
        st[0] -= j - first
        if depth or (j >= limit and j < n):
            return None  # unbalanced, too long, or out of budget
        dest = _dec(_unescape(b[first:j]))
    return _link_rest(b, dest, j, n)


def _link_rest(b, dest, j, n):
    """After a destination ending at j: an optional title, then ")"."""
    k = _skip_ws(b, j, n)
    if k > j and k < n and (b[k] == 34 or b[k] == 39 or b[k] == 40):  # a title
        close = b")" if b[k] == 40 else b[k:k + 1]
        m = k + 1
        while True:
            m = b.find(close, m, min(n, k + MAX_TITLE))
            if m < 0:
                return None
            q = m - 1
            while q > k and b[q] == 92:
                q -= 1
            if (m - 1 - q) % 2 == 0:
                break
            m += 1
        k = _skip_ws(b, m + 1, n)
    if k < n and b[k] == 41:
        return dest, k + 1
    return None


def _autolink(b, i, n, st):
    """For b[i] == "<": (url, byte index after ">", label) of an autolink, or None."""
    j = i + 1
    if j >= n:
        return None
    c = b[j]
    if c < 128 and _KIND[c] != 0:
        return None
    gt = st[3]
    if gt < j:
        gt = b.find(b">", j)
        if gt < 0:
            gt = n
        st[3] = gt
    if gt >= n or gt - j > MAX_URL:
        return None
    inner = b[j:gt]
    if b" " in inner or b"\t" in inner or b"\n" in inner or b"<" in inner:
        return None
    colon = inner.find(b":")
    if 2 <= colon <= 32:
        ok = True
        for x in inner[:colon]:
            if not ((97 <= x <= 122) or (65 <= x <= 90) or (48 <= x <= 57) or x == 43 or x == 45
                    or x == 46):
                ok = False
                break
        if ok:
            s = _dec(inner)
            return s, gt + 1, s
    at = inner.find(b"@")
    if colon < 0 and 0 < at < len(inner) - 1 and inner.find(b"@", at + 1) < 0 \
            and b"\\" not in inner:
        s = _dec(inner)
        return "mailto:" + s, gt + 1, s
    return None


def _bare_url(b, i, n, in_brackets, nexts):
    """For b[i:] starting "http": (url, end byte index) of a bare http(s) URL, or None."""
    if b.startswith(b"https://", i):
        k = i + 8
    elif b.startswith(b"http://", i):
        k = i + 7
    else:
        return None
    if i > 0:
        x = b[i - 1]
        if x < 128:
            if _KIND[x] != 1 and x not in _URL_BEFORE:
                return None
        elif _kind_before(b, i) != 1:
            return None
    # The URL runs to the first space, tab, newline or "<" ("]" too inside a link label);
    # found with C-level finds. Other control characters make safe_link refuse the URL.
    j = n
    for stop in _URL_STOPS:
        if stop == b"]" and not in_brackets:
            continue
        p = nexts.get(stop, -1)  # next occurrence, remembered: no rescans for many URLs
        if p < k:
            p = b.find(stop, k)
            if p < 0:
                p = n
            nexts[stop] = p
        if p < j:
            j = p
    seg = b[k:j]
    if b"\xc2\xa0" in seg or b"\xe2\x80" in seg or b"\xe3\x80\x80" in seg or b"\xe1\x9a\x80" in seg:
        e = k
        while e < j:  # rare: a Unicode space may end the URL
            c = b[e]
            if (c == 0xC2 or 0xE1 <= c <= 0xE3) and _kind_after(b, e, n) == 1:
                j = e
                break
            e += 1
    while j > k:
        c = b[j - 1]
        if c in _URL_TRAIL_B:
            j -= 1
        elif c == 41 or c == 93:  # ) ] only when unbalanced
            u = b[i:j]
            if c == 41:
                unbalanced = u.count(b"(") < u.count(b")")
            else:
                unbalanced = u.count(b"[") < u.count(b"]")
            if not unbalanced:
                break
            j -= 1
        else:
            break
    if j == k:
        return None
    return _dec(b[i:j]), j


def _unlink(nodes, depth):
    """A label's nodes with any link replaced by its own label (links never nest)."""
    found = False
    for x in nodes:
        if type(x) is tuple and x[0] != "br" and x[0] != "code":
            found = True
            break
    if not found or depth > 2 * MAX_DEPTH:
        return nodes
    out = []
    for x in nodes:
        if type(x) is tuple:
            tag = x[0]
            if tag == "link":
                out.extend(_unlink(list(x[2]), depth + 1))
                continue
            if tag == "strong" or tag == "em" or tag == "del":
                x = (tag, tuple(_unlink(list(x[1]), depth + 1)))
        out.append(x)
    return _merge(out)


def _text(buf):
    """The str of collected byte pieces (which are then cleared)."""
    t = (buf[0] if len(buf) == 1 else b"".join(buf)).decode("utf-8", "surrogatepass")
    del buf[:]
    return t


def _build(toks, limit, runs=True):
    """(inline nodes, deepest emphasis level) of a token list; `runs`: it may hold delimiter
    runs. Written to allocate little: allocation dominates in MicroPython."""
    if runs:
        _match(toks)
    root = []
    cur = root
    frames = []  # (pair id, tag, parent's children, marker byte, characters used)
    literal = None  # pair ids shown as text (nested too deep)
    buf = []
    deepest = 0
    for t in toks:
        ty = type(t)
        if ty is bytes:
            buf.append(t)
            continue
        if ty is tuple:
            if buf:
                cur.append(_text(buf))
            cur.append(t)
            continue
        ch = _MARK[t[0]]
        events = t[5]
        if events is None:
            buf.append(ch * t[4])
            continue
        # All of a run's closing events come before its opening ones (it closes when the scan
        # reaches it, and opens for runs further on); it closes inner pairs first and opens
        # outer pairs last, so the opens are emitted in reverse.
        split = len(events)
        k = 0
        while k < split:
            e = events[k]
            if not (e & 1):
                split = k
                break
            k += 1
            mid = e >> 2
            if (literal is not None and mid in literal) or not frames or frames[-1][0] != mid:
                buf.append(ch * ((e & 2) // 2 + 1))
                continue
            if buf:
                cur.append(_text(buf))
            frame = frames.pop()
            frame[2].append((frame[1], tuple(cur)))
            cur = frame[2]
        if t[1]:
            buf.append(ch * t[1])
        k = len(events) - 1
        while k >= split:
            e = events[k]
            k -= 1
            use = (e & 2) // 2 + 1
            if len(frames) >= limit:
                if literal is None:
                    literal = {}
                literal[e >> 2] = True
                buf.append(ch * use)
                continue
            if buf:
                cur.append(_text(buf))
            tag = "del" if t[0] == 126 else ("strong" if use == 2 else "em")
            frames.append((e >> 2, tag, cur, t[0], use))
            cur = []
            if len(frames) > deepest:
                deepest = len(frames)
    if buf:
        cur.append(_text(buf))
    # Text is only ever added from buf, one string between nodes, so lists are already merged.
    # Not reached for paired input (pairs nest properly); kept so no token list can lose text.
    while frames:
        frame = frames.pop()
        parent = frame[2]
        parent.append(_dec(_MARK[frame[3]] * frame[4]))  # the opening marker, as text
        parent.extend(cur)
        parent[:] = _merge(parent)
        cur = parent
    return root, deepest


def _match(toks):
    """Pair delimiter runs (CommonMark's "process emphasis"), recording events on each run as
    ints id * 4 + (n - 1) * 2 + c: n (1 or 2) of its characters open (c = 0) or close (c = 1)
    pair number `id`."""
    stack = []  # runs that may still open
    # (marker, closer can open, length % 3) as one int -> stack height below which none fits
    bottom = None
    mid = 0
    for t in toks:
        if type(t) is not list:
            continue
        ch = t[0]
        if t[3]:
            key = ch * 8 + (4 if t[2] else 0) + t[4] % 3
            while t[1] > 0:
                floor = 0 if bottom is None else bottom.get(key, 0)
                k = len(stack) - 1
                found = -1
                while k >= floor:
                    o = stack[k]
                    if o[0] == ch and o[1] > 0:
                        # The rule of 3: a run that can both open and close only pairs with one
                        # whose length sum is not a multiple of 3 (unless both lengths are).
                        if ch == 126 or not ((o[3] or t[2]) and (o[4] + t[4]) % 3 == 0
                                              and not (o[4] % 3 == 0 and t[4] % 3 == 0)):
                            found = k
                            break
                    k -= 1
                if found < 0:
                    if bottom is None:
                        bottom = {}
                    bottom[key] = len(stack)
                    break
                o = stack[found]
                use = 2 if (o[1] >= 2 and t[1] >= 2) else 1
                mid += 1
                ev = mid * 4 + (use - 1) * 2  # one int per event: id, characters used, close
                if o[5] is None:
                    o[5] = [ev]
                else:
                    o[5].append(ev)
                if t[5] is None:
                    t[5] = [ev + 1]
                else:
                    t[5].append(ev + 1)
                o[1] -= use
                t[1] -= use
                del stack[found + 1:]  # runs in between can no longer pair: they stay text
                if o[1] == 0:
                    del stack[found]
                if bottom is not None:
                    size = len(stack)
                    for kk in bottom:
                        if bottom[kk] > size:
                            bottom[kk] = size
        if t[1] > 0 and t[2]:
            stack.append(t)
