"""How the transcript is drawn: one registry of small render functions, one per thing drawn.

A render function is `fn(props, h, ctx)` and returns one node made with `h` (or None: nothing
drawn). It never touches the DOM and never sees raw network frames; see app/chat/elements.py for
the builder's rules (text nodes only, allow-listed attributes, URL checks, handlers through "on").

`ctx` gives what a render function needs besides its props:
- `ctx.t(key, **values)`: words from the string table (app/chat/strings.py);
- `ctx.fmt`: dates in the guest's time zone and language (`time`, `day`, `day_key`, `slot`);
- `ctx.act`: what a guest can do (`answer(kind, text, payload, message_id)`, `open_image`, `open_file`,
  `image_failed`, `retry(key)`, `take_back(key)`, `send(text)`, `load_earlier()`, `start_new()`,
  carousel scrolling, ...), provided by the edge;
- `ctx.render(name, props)`: draw another registry entry; `ctx.default(name, props)`: the default
  look of an entry (so a replacement can wrap it).

The registry (`DEFAULTS`, the default look) maps a name to its function:

| name            | draws                                   | props                                   |
|-----------------|-----------------------------------------|-----------------------------------------|
| `row`           | one transcript entry (an `<li>`)        | `row` (transcript.Row), `first`, `last`, `live` |
| `author`        | name, avatar and badge of a group       | `name`, `avatar`, `side`                |
| `meta`          | time and delivery state under a group   | `row`, `last`                           |
| `day`           | a date separator (an `<li>`)            | `time` (ISO of the day's first row)     |
| `upload`        | a file in the composer's tray (`<li>`)  | `upload` (app/chat/uploads.Upload)      |
| `notice`        | the notice under the header             | `title`, `message`, `action`, `kind`, `button`, `countdown` |
| `divider`       | "New messages" above the first unread (an `<li>`) | `key` (that row's key)          |
| `availability`  | open hours, agents available, the wait (from the proxy) | `open`, `reason`, `next_at`, `next_open`, `agents`, `wait` (words) |
| `menu`          | the header's "More options" and its items | `items` (View.menu), `open`           |
| `confirm`       | asking before End chat or Clear         | `what` ("end" or "clear")               |
| `prechat`       | the pre-chat form                       | `form` (app/chat/prechat.FormView)      |
| `prechat_field` | one field of it                         | `field` (app/chat/prechat.FieldView)    |
| `typing`        | who is typing, above the composer       | `text`                                  |
| `launcher`      | the inline page's launcher contents (only drawn when replaced) | `unread` |
| `composer`      | the composer's row (field, Send, attach); only drawn when replaced | `hint`, `enabled`, `attachments`, `accept` |
| `content:<contentType>` | (none by default) content we have no default for, e.g. `content:Video` | `kind`, `data` (the content's own object, e.g. the `video` of a Video content; untrusted), `message_id` |
| `text`, `markdown`, `system`, `choice`, `unsupported`, `quick_replies`, `card`, `carousel`, `date_picker`, `list_picker`, `attachment` | one part of a row | the part's props (app/chat/parts.py), plus `live` for answerable parts and `row_key` |

`Renderers(overrides)` merges a customer's dict over DEFAULTS; an override that raises is logged
and the default draws that thing instead, so one bad function never blanks the transcript.
"""
from app.chat.clock import epoch_seconds
from app.chat.parts import ANSWERABLE
from app.chat.safety import safe_image, safe_link

GROUP_GAP_S = 300  # consecutive messages of one sender within 5 minutes form a group


# -- the transcript's layout (pure: which separators, which groups) -----------------------------
def layout(rows, day_key, divider="", current_day=None):
    """[("day", key, iso) | ("divider", key, row key) | ("row", row, first, last)] in display order.
    `day_key(iso)` is the guest's local day of a time (None when unknown: pending rows stay in the
    current day); `divider`: the key of the first unread row, which gets "New messages" above it;
    `current_day`: the day already shown above `rows` (no separator for it)."""
    items = []
    for row in rows:
        day = day_key(row.time) if row.time else None
        if day is not None and day != current_day:
            items.append(("day", "day:" + day, row.time))
            current_day = day
        if divider and row.key == divider:
            items.append(("divider", "divider", row.key))
        items.append(["row", row, True, True])
    # groups: same side and author, no separator between, within GROUP_GAP_S
    previous = None
    for item in items:
        if item[0] != "row":
            previous = None
            continue
        row = item[1]
        if previous is not None and _same_group(previous[1], row):
            item[2] = False
            previous[3] = False
        previous = item if row.side != "system" else None
    return [tuple(item) for item in items]


def extended(items, old, rows, day_key):
    """`layout(rows, day_key)` made from `items` (which is `layout(old, day_key)`) when `rows` is
    `old` with rows added after it, which is what a new message does: only the new rows and the
    one before them (whose place in its group may change) are laid out. None otherwise (a row
    changed, moved or went; or there was nothing before): then lay out everything."""
    count = len(old)
    if not count or not items or len(rows) <= count or items[-1][0] != "row" or items[-1][1] is not old[-1] \
            or rows[:count] != old:
        return None
    # the day the new rows continue: the last row's (its day separator may be far above)
    day = day_key(old[-1].time) if old[-1].time else None
    if day is None:
        for index in range(len(items) - 1, -1, -1):
            if items[index][0] == "day":
                day = items[index][1][4:]
                break
    tail = layout(rows[count - 1:], day_key, "", day)
    if not tail or tail[0][0] != "row" or tail[0][1] is not old[-1]:
        return None
    return items[:-1] + [("row", old[-1], items[-1][2], tail[0][3])] + tail[1:]


_EPOCHS = {}  # ISO time -> seconds: the layout runs on every change, over the same rows


def _seconds(iso):
    found = _EPOCHS.get(iso, _EPOCHS)
    if found is _EPOCHS:
        if len(_EPOCHS) > 5000:
            _EPOCHS.clear()
        found = _EPOCHS[iso] = epoch_seconds(iso)
    return found


def _same_group(a, b):
    if a.side != b.side or a.author != b.author or a.side == "system":
        return False
    if not a.time or not b.time:
        return True
    ta, tb = _seconds(a.time), _seconds(b.time)
    return ta is not None and tb is not None and abs(tb - ta) <= GROUP_GAP_S


# -- default render functions ---------------------------------------------------------------
def row(props, h, ctx):
    item = props["row"]
    live = props.get("live")
    classes = ["gcw-row", "gcw-row--" + item.side]
    if props.get("first"):
        classes.append("gcw-row--first")
    if props.get("last"):
        classes.append("gcw-row--last")
    attrs = {"class": " ".join(classes), "data-key": item.key, "data-side": item.side,
             "data-status": item.status or ""}
    if item.side == "system":
        return h("li", attrs, [ctx.render(part.kind, _part_props(part, item, live)) for part in item.parts])
    inside = []   # text-like parts share one bubble; rich parts stand on their own
    body = []
    for part in item.parts:
        drawn = ctx.render(part.kind, _part_props(part, item, live))
        if drawn is None:
            continue
        if part.kind in ("text", "markdown", "choice"):
            inside.append(drawn)
        else:
            if inside:
                body.append(h("div", {"class": "gcw-bubble"}, inside))
                inside = []
            body.append(drawn)
    if inside:
        body.append(h("div", {"class": "gcw-bubble"}, inside))
    head = None
    if props.get("first") and item.side in ("bot", "agent"):
        head = ctx.render("author", {"name": item.author, "avatar": item.avatar, "side": item.side})
    return h("li", attrs, head, body, ctx.render("meta", {"row": item, "last": props.get("last")}))


def _part_props(part, item, live):
    props = part.props
    if part.kind in ANSWERABLE or part.kind == "choice":
        props = dict(props)
        props["live"] = bool(live)
        props["row_key"] = item.key
    return props


def author(props, h, ctx):
    avatar = safe_image(props.get("avatar") or "")
    side = props.get("side")
    return h("div", {"class": "gcw-author"},
             h("img", {"class": "gcw-avatar", "src": avatar, "alt": ""}) if avatar else None,
             h("span", {"class": "gcw-name", "dir": "auto"}, props.get("name") or ""),
             h("span", {"class": "gcw-badge"}, ctx.t("badge.bot" if side == "bot" else "badge.agent")))


def meta(props, h, ctx):
    item = props["row"]
    words = []
    if item.side == "guest":
        state = {"pending": "state.pending", "sent": "state.sent", "failed": "state.failed"}.get(item.status)
        if item.status in ("pending", "failed") or (props.get("last") and state):
            words.append(ctx.t(state))
    if not props.get("last") and not words:
        return None
    stamp = ctx.fmt.time(item.time) if item.time and props.get("last") else ""
    children = []
    if stamp:
        children.append(h("time", {"datetime": item.time}, stamp))
    if words:
        if stamp:
            children.append(" · ")
        children.append(h("span", {"class": "gcw-state"}, words[0]))
    failed = None
    if item.status == "failed":
        failed = h("div", {"class": "gcw-failed"},
                   h("span", {"class": "gcw-failed-why", "dir": "auto"}, item.note) if item.note else None,
                   h("button", {"type": "button", "class": "gcw-retry",
                                "on": {"click": lambda event: ctx.act.retry(item.key)}}, ctx.t("failed.retry")),
                   h("button", {"type": "button", "class": "gcw-take-back",
                                "on": {"click": lambda event: ctx.act.take_back(item.key)}}, ctx.t("failed.edit")))
    if not children and failed is None:
        return None
    return h("div", {"class": "gcw-meta"}, children, failed)


def day(props, h, ctx):
    return h("li", {"class": "gcw-day"}, h("span", {"class": "gcw-day-text"}, ctx.fmt.day(props.get("time") or "")))


def text(props, h, ctx):
    return h("p", {"class": "gcw-text", "dir": "auto"}, props.get("text") or "")


def system(props, h, ctx):
    return h("p", {"class": "gcw-system", "dir": "auto"}, props.get("text") or "")


def choice(props, h, ctx):
    words = props.get("text") or props.get("payload") or ""
    if props.get("type") == "DatePicker":
        shown = ctx.fmt.slot(props.get("payload") or "")
        words = shown or words
    return h("p", {"class": "gcw-text gcw-choice", "dir": "auto"}, words)


def unsupported(props, h, ctx):
    """Content this client has no default for. A customer's `content:<contentType>` entry (say
    `content:Video`) draws its kind from the raw, untrusted content (through `h`, as always)."""
    items = props.get("items") or ()
    table = ctx.renderers.table
    custom = [ctx.render("content:" + item.get("kind", ""), item) for item in items
              if ("content:" + item.get("kind", "")) in table]
    if items and len([node for node in custom if node is not None]) == len(items):
        return h("div", {"class": "gcw-custom-content"}, custom)
    return h("p", {"class": "gcw-unsupported"}, ctx.t("unsupported"))


def notice(props, h, ctx):
    """The notice under the header (a problem, the end of the conversation, the expiry warning).
    A `{time}` in the message is the expiry countdown: a `.gcw-countdown` the edge updates each
    second without redrawing the notice (so a focused Stay button keeps its focus)."""
    button = props.get("button")
    message = props.get("message") or ""
    if "{time}" in message:
        before, _, after = message.partition("{time}")
        message = [before, h("span", {"class": "gcw-countdown", "role": "timer"}, props.get("countdown") or ""),
                   after]
    return h("div", {"class": "gcw-notice-body"},
             h("p", {"class": "gcw-notice-title"}, props.get("title") or ""),
             h("p", {"class": "gcw-notice-message"}, message),
             h("p", {"class": "gcw-notice-action"}, props.get("action") or "") if props.get("action") else None,
             h("button", {"type": "button", "id": "chat-notice-button", "on": {"click": lambda e: ctx.act.notice_button()}},
               button) if button else None)


def composer(props, h, ctx):
    """The composer's row: attach button, file picker, the field and Send. Drawn (into the form)
    only when a customer replaces this entry; the page's own markup is this default. A replacement
    keeps the ids chat-input and chat-send (and chat-attach, chat-file for files): the edge wires
    and updates them (enabled, hint, counter) whatever draws them."""
    return h("div", {"class": "gcw-compose-row"},
             h("button", {"type": "button", "id": "chat-attach", "aria-label": ctx.t("upload.attach"),
                          "title": ctx.t("upload.attach"), "hidden": not props.get("attachments")},
               h("span", {"class": "gcw-icon gcw-icon--attach", "aria-hidden": "true"})),
             h("input", {"type": "file", "id": "chat-file", "multiple": True, "hidden": True,
                         "accept": props.get("accept") or None}),
             h("label", {"for": "chat-input", "class": "gcw-visually-hidden"}, ctx.t("composer.label")),
             h("textarea", {"id": "chat-input", "rows": 2, "placeholder": props.get("hint") or "",
                            "disabled": not props.get("enabled"), "aria-describedby": "chat-count"}),
             h("button", {"type": "submit", "id": "chat-send", "disabled": not props.get("enabled")},
               ctx.t("composer.send")))


def launcher(props, h, ctx):
    """What the inline page's launcher button shows (the button itself stays the page's). Drawn only
    when replaced; on a host page the snippet's loader draws its own (docs/embedding.md)."""
    return h("span", {"class": "gcw-launcher-label"}, ctx.t("launcher.open"))


def typing(props, h, ctx):
    """Who is typing, above the composer."""
    return h("span", {"class": "gcw-typing"}, props.get("text") or "")


def markdown(props, h, ctx):
    from app.chat import markdown as markdown_mod  # compiled on first use: a faster start

    blocks = markdown_mod.parse(props.get("text") or "")
    return h("div", {"class": "gcw-md"}, [_block(h, ctx, block) for block in blocks])


def _block(h, ctx, block):
    kind = block[0]
    if kind == "p":
        return h("p", {"dir": "auto"}, _inlines(h, ctx, block[1]))
    if kind == "code_block":
        return h("pre", {"dir": "ltr"}, h("code", None, block[1]))
    if kind == "ul":
        return h("ul", None, [_item(h, ctx, item) for item in block[1]])
    if kind == "ol":
        start = block[2] if len(block) > 2 and isinstance(block[2], int) else 1
        return h("ol", {"start": start if start != 1 else None}, [_item(h, ctx, item) for item in block[1]])
    if kind == "quote":
        return h("blockquote", {"dir": "auto"}, [_block(h, ctx, inner) for inner in block[1]])
    return None


def _item(h, ctx, item):
    children = []
    for node in item:
        if isinstance(node, tuple) and node and node[0] in ("ul", "ol", "p", "code_block", "quote"):
            children.append(_block(h, ctx, node))
        else:
            children.append(_inline(h, ctx, node))
    return h("li", {"dir": "auto"}, children)


def _inlines(h, ctx, nodes):
    return [_inline(h, ctx, node) for node in nodes]


def _inline(h, ctx, node):
    if isinstance(node, str):
        return node
    kind = node[0]
    if kind == "br":
        return h("br")
    if kind == "code":
        return h("code", None, node[1])
    if kind in ("strong", "em", "del"):
        return h(kind, None, _inlines(h, ctx, node[1]))
    if kind == "link":
        url = safe_link(node[1])
        if url is None:
            return _inlines(h, ctx, node[2])
        return h("a", {"href": url, "target": "_blank", "rel": "noopener noreferrer"}, _inlines(h, ctx, node[2]))
    return ""


def _panel(name):
    """A default from render_panel.py, compiled on first use."""
    def draw(props, h, ctx):
        from app.chat import render_panel
        return getattr(render_panel, name)(props, h, ctx)
    return draw


def _rich(name):
    """A default from render_rich.py, compiled on first use (most pages start with text only)."""
    def draw(props, h, ctx):
        from app.chat import render_rich
        return getattr(render_rich, name)(props, h, ctx)
    return draw


DEFAULTS = {
    "row": row,
    "author": author,
    "meta": meta,
    "day": day,
    "text": text,
    "markdown": markdown,
    "system": system,
    "choice": choice,
    "unsupported": unsupported,
    "notice": notice,
    "composer": composer,
    "launcher": launcher,
    "typing": typing,
    "quick_replies": _rich("quick_replies"),
    "card": _rich("card"),
    "carousel": _rich("carousel"),
    "date_picker": _rich("date_picker"),
    "list_picker": _rich("list_picker"),
    "attachment": _rich("attachment"),
    "upload": _rich("upload"),
    "divider": _panel("divider"),
    "availability": _panel("availability"),
    "menu": _panel("menu"),
    "confirm": _panel("confirm"),
    "prechat": _panel("prechat"),
    "prechat_field": _panel("prechat_field"),
}


class Renderers:
    """The registry in use: DEFAULTS with a customer's replacements merged over them."""

    def __init__(self, overrides=None, log=None):
        self.table = dict(DEFAULTS)
        for name in overrides or {}:
            if callable(overrides[name]):
                self.table[name] = overrides[name]
        self.log = log

    def draw(self, name, props, h, ctx):
        fn = self.table.get(name)
        if fn is None:
            return None
        try:
            return fn(props, h, ctx)
        except Exception as exc:
            if self.log is not None:
                self.log("error", "chat: render function %r failed: %s: %s" % (name, type(exc).__name__, exc))
        default = DEFAULTS.get(name)
        if default is not None and default is not fn:
            try:
                return default(props, h, ctx)
            except Exception as exc:
                if self.log is not None:
                    self.log("error", "chat: default %r failed too: %s: %s" % (name, type(exc).__name__, exc))
        # Last resort: the words, as plain text, so nothing a message said is ever lost.
        words = props.get("text") if isinstance(props, dict) else None
        return h("p", {"class": "gcw-text", "dir": "auto"}, words) if isinstance(words, str) and words else None


class Context:
    """What render functions get as `ctx`. `fmt` and `act` come from the edge (or a test)."""

    def __init__(self, renderers, h, t, fmt, act):
        self.renderers = renderers
        self.h = h
        self.t = t
        self.fmt = fmt
        self.act = act

    def render(self, name, props):
        return self.renderers.draw(name, props, self.h, self)

    def default(self, name, props):
        """The default look of an entry, so a replacement can wrap it instead of rewriting it."""
        fn = DEFAULTS.get(name)
        return fn(props, self.h, self) if fn is not None else None


class PlainFormat:
    """Dates without a browser: UTC, ISO words. The edge passes one built on Intl instead."""

    def when(self, iso):
        return (iso[:10] + " " + iso[11:16]) if epoch_seconds(iso) is not None else ""

    def day_key(self, iso):
        return iso[:10] if epoch_seconds(iso) is not None else None

    def day(self, iso):
        return iso[:10]

    def time(self, iso):
        return iso[11:16] if epoch_seconds(iso) is not None else ""

    def slot(self, iso):
        return (iso[:10] + " " + iso[11:16]) if epoch_seconds(iso) is not None else ""
