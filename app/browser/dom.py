"""Renders a `View` (app/chat/transcript.py) into the panel that index.html already drew.

Rows are drawn by the render registry (app/chat/render.py) through `DomBuilder.h`, which makes
only elements, text nodes and allow-listed attributes (app/chat/elements.attrs_of): nothing from
the network is ever parsed as HTML. A drawn tree becomes DOM nodes in one call to static/build.js
(createElement, setAttribute and createTextNode only). Event handlers are delegated: one listener per event type on
the panel finds the handler a render function attached, so redrawing a row creates no browser
proxies. Rows are keyed; a row is redrawn only when it (or its place in a group) changed.

The transcript follows new messages while the guest is at the bottom; once they scroll up it
stays put and a "New messages" button appears. Only the newest WINDOW_ROWS rows are in the page at
first: scrolling to the top draws older ones already in memory (REVEAL_ROWS at a time), then loads
earlier messages from the service, keeping the reading position; back at the bottom, the page
lets go of the older rows again. So a transcript of thousands of messages opens as fast as a short
one and the page holds only what the guest scrolled through. DOM work happens once per animation
frame.
"""
import js
from pyscript import document
from pyscript.ffi import create_proxy, to_js

from app.browser.ports import build_js
from app.chat import render as render_mod
from app.chat.elements import El, attrs_of, children_of, encoded
from app.chat.strings import t

FOLLOW_SLACK_PX = 48  # "at the bottom" within this distance
FRAME_BUDGET_MS = 12  # our DOM work per animation frame (the browser needs the rest); the rest of a long transcript waits a frame
MIN_ROWS_PER_FRAME = 4
FRAME_MS = 17  # one animation frame at 60 Hz
TASK_END_MS = 4  # drawing as tasks end costs at most this per frame; then what follows waits for a frame
TOP_LOAD_PX = 24  # scrolled this close to the top: load earlier messages
WINDOW_ROWS = 40  # the newest rows drawn when the transcript opens (several screens' worth)
REVEAL_ROWS = 12  # rows drawn from memory each time the guest reaches the top (or the bottom) of those drawn
MAX_DRAWN = 120  # rows in the page at most: scrolling on lets go of the far end
FOCUS_ON_OPEN = (".gcw-prechat input, .gcw-prechat select, .gcw-prechat textarea", "#chat-input",
                 "#chat-notice-button", "#chat-scroll")
DELEGATED = ("click", "change", "submit", "keydown", "input")
CAPTURED = ("scroll", "error", "load")  # these do not bubble: listened for in the capture phase


class Event:
    """What a delegated handler receives: the browser event and the element the handler is on."""

    def __init__(self, raw, element):
        self.raw = raw
        self.element = element
        self.target = raw.target

    def prevent(self):
        self.raw.preventDefault()


class DomBuilder:
    """`h` for the browser: real nodes, delegated handlers owned by the row being drawn."""

    def __init__(self):
        self.handlers = {}  # id -> {event: fn}
        self._next = 0
        self._owned = None  # ids made while drawing the current row
        self._build = None  # static/build.js's gcwBuild, once found

    def begin(self):
        self._owned = []

    def end(self):
        owned, self._owned = self._owned, None
        return owned

    def release(self, ids):
        for hid in ids or ():
            self.handlers.pop(hid, None)

    def h(self, tag, attrs=None, *children):
        """The pure builder's record (app/chat/elements.El); its handlers are kept here and the
        element carries their id. `node` turns a finished tree into DOM nodes."""
        tag, clean, handlers = attrs_of(tag, attrs)
        if handlers:
            self._next += 1
            hid = str(self._next)
            self.handlers[hid] = handlers
            if self._owned is not None:
                self._owned.append(hid)
            clean.append(("data-gcw-h", hid))
        return El(tag, dict(clean), tuple(children_of(children, [])), handlers)

    def node(self, tree):
        """The DOM node of a drawn tree, made in one call to static/build.js: crossing from Python
        to JavaScript once per element and attribute was most of the cost of drawing a row."""
        if tree is None:
            return None
        if not isinstance(tree, El):
            return document.createTextNode(str(tree))
        build = self._build or build_js("gcwBuild")
        if build is None:  # static/build.js did not load (a page without static/boot.js)
            return _node_by_node(tree)
        self._build = build
        return build(encoded(tree))

    def dispatch(self, raw, root):
        kind = str(raw.type)
        element = raw.target
        while element is not None and element != root:
            if int(element.nodeType or 0) == 1:
                hid = element.getAttribute("data-gcw-h")
                if hid:
                    handlers = self.handlers.get(str(hid))
                    if handlers and kind in handlers:
                        handlers[kind](Event(raw, element))
                        return
                if kind in CAPTURED:
                    return  # scroll, error and load belong to their own element only
            element = element.parentNode


class IntlFormat:
    """Dates in the guest's own time zone and language (Intl), cached per ISO string."""

    def __init__(self, locale=None):
        self.locale = locale or str(js.navigator.language or "en")
        self._formats = {}
        self._cache = {}
        self._today = None

    def _format(self, name, options):
        found = self._formats.get(name)
        if found is None:
            found = js.Intl.DateTimeFormat.new(self.locale, to_js(options))
            self._formats[name] = found
        return found

    def _date(self, iso):
        if not iso or not isinstance(iso, str):
            return None
        date = js.Date.new(iso)
        year = date.getFullYear()
        if year != year:  # NaN: not a date (never read getTime: large numbers wrap on MicroPython)
            return None
        return date

    def _key_of(self, date):
        return "%04d-%02d-%02d" % (int(date.getFullYear()), int(date.getMonth()) + 1, int(date.getDate()))

    def _cached(self, kind, iso, make):
        key = kind + iso
        if key not in self._cache:
            if len(self._cache) > 4000:
                self._cache = {}
            date = self._date(iso)
            self._cache[key] = make(date) if date is not None else None
        return self._cache[key]

    def day_key(self, iso):
        return self._cached("k", iso, self._key_of)

    def day(self, iso):
        key = self.day_key(iso)
        if key is None:
            return ""
        today = js.Date.new()
        if key == self._key_of(today):
            return t("day.today")
        today.setDate(today.getDate() - 1)
        if key == self._key_of(today):
            return t("day.yesterday")
        return self._cached("d", iso, lambda d: str(self._format("day", {
            "weekday": "long", "day": "numeric", "month": "long", "year": "numeric"}).format(d))) or ""

    def time(self, iso):
        return self._cached("t", iso, lambda d: str(self._format("time", {
            "hour": "numeric", "minute": "2-digit"}).format(d))) or ""

    def when(self, iso):
        """"today at 5:00 PM", "tomorrow at 9:00 AM", "Monday at 9:00 AM", "12 March at 9:00 AM":
        when something next happens, in the guest's zone."""
        date = self._date(iso)
        if date is None:
            return ""
        key = self._key_of(date)
        time = self.time(iso)
        today = js.Date.new()
        if key == self._key_of(today):
            return t("when.today", time=time)
        later = js.Date.new()
        later.setDate(later.getDate() + 1)
        if key == self._key_of(later):
            return t("when.tomorrow", time=time)
        week = js.Date.new()
        week.setDate(week.getDate() + 6)
        if key <= self._key_of(week):
            day = self._cached("w", iso, lambda d: str(self._format("weekday", {"weekday": "long"}).format(d)))
            return t("when.weekday", day=day, time=time)
        date_words = self._cached("m", iso, lambda d: str(self._format("date", {"day": "numeric",
                                                                                "month": "long"}).format(d)))
        return t("when.date", date=date_words, time=time)

    def slot(self, iso):
        return self._cached("s", iso, lambda d: str(self._format("slot", {
            "weekday": "short", "day": "numeric", "month": "short", "hour": "numeric",
            "minute": "2-digit"}).format(d))) or ""


class Actions:
    """`ctx.act`: what a guest can do from a drawn row. Calls into the controller or the DOM."""

    def __init__(self, renderer):
        self.renderer = renderer

    @property
    def controller(self):
        return self.renderer.controller

    def answer(self, kind, text, payload, message_id):
        self.controller.answer(kind, text, payload, message_id)

    def retry(self, key):
        self.controller.retry(key)

    def take_back(self, key):
        text = self.controller.take_back(key)
        if text:
            field = self.renderer.input
            field.value = text
            field.focus()
            self.renderer.count(text)

    def cancel_upload(self, upload_id):
        self.controller.cancel_upload(upload_id)

    def remove_upload(self, upload_id):
        self.controller.remove_upload(upload_id)

    def retry_upload(self, upload_id):
        self.controller.retry_upload(upload_id)

    def upload_retryable(self, upload_id):
        return self.controller.uploads.retryable(upload_id)

    def prevent(self, event):
        event.prevent()

    def checked(self, event):
        return bool(event.target.checked)

    # for a customer's render functions: what the guest could do from the composer and notices
    def send(self, text):
        return self.controller.submit(text)

    def load_earlier(self):
        self.renderer.show_earlier()  # those in memory first, then the service's

    def notice_button(self):
        self.controller.notice_button()

    def start_new(self):
        self.controller.start_new()

    # the panel's menu, its confirmations and the pre-chat form
    def menu_toggle(self):
        self.renderer.toggle_menu()

    def menu_pick(self, name):
        self.renderer.pick(name)

    def confirm_yes(self):
        self.renderer.focus_after = "#chat-menu-button"
        self.controller.ending.confirmed()

    def confirm_no(self):
        self.renderer.focus_after = "#chat-menu-button"
        self.controller.ending.cancel()

    def prechat_submit(self, event):
        event.prevent()
        values, invalid = _form_values(event.element)
        if not self.controller.prechat_submit(values, invalid):
            self.renderer.focus_after = ".gcw-prechat [aria-invalid=true], .gcw-prechat-error"
        else:
            self.renderer.focus_after = "#chat-input"

    def prechat_typed(self, event):
        form = event.element
        values, _ = _form_values(form)
        self.controller.prechat_typed(values)

    def say(self, event, words):
        box = event.element.querySelector(".gcw-picker-error")
        if box:
            box.textContent = words

    def open_image(self, event, url, name, attachment_id):
        self.renderer.show_image(url, name)

    def image_failed(self, event, attachment_id):
        img = event.element
        if img.getAttribute("data-gcw-refreshed"):
            return
        img.setAttribute("data-gcw-refreshed", "1")
        img.setAttribute("data-attachment", attachment_id)
        self.controller.open_attachment(attachment_id, "", "image")

    def open_file(self, event, attachment_id, name, url):
        # Download links expire after minutes: ask for a fresh one and open that instead.
        if attachment_id and self.controller.can_refresh():
            event.prevent()
            self.controller.open_attachment(attachment_id, name, "download")

    def _track(self, element):
        carousel = element.closest(".gcw-carousel")
        return carousel.querySelector(".gcw-carousel-track") if carousel else None

    def carousel_step(self, event, step):
        track = self._track(event.element)
        if track:
            width = int(track.clientWidth or 1)
            track.scrollBy(to_js({"left": step * width, "behavior": "smooth"}))

    def carousel_key(self, event):
        key = str(event.raw.key)
        if key in ("ArrowRight", "ArrowLeft") and event.target == event.element:
            event.prevent()
            self.carousel_step(event, 1 if key == "ArrowRight" else -1)

    def carousel_scrolled(self, event):
        track = event.element
        width = int(track.clientWidth or 1)
        carousel = track.closest(".gcw-carousel")
        label = carousel.querySelector(".gcw-carousel-pos") if carousel else None
        if label:
            count = int(label.getAttribute("data-count") or "1")
            index = min(count, int((float(track.scrollLeft) + width / 2) // width) + 1)
            label.textContent = t("carousel.position", index=index, count=count)


class PanelRenderer:
    def __init__(self, renderers=None):
        self.controller = None
        self.panel = document.getElementById("chat-panel")
        self.log = document.getElementById("chat-log")
        self.scroller = document.getElementById("chat-scroll")
        self.status = document.getElementById("chat-status")
        self.typing = document.getElementById("chat-typing")
        self.wait = document.getElementById("chat-wait")
        self.notice = document.getElementById("chat-notice")
        self.input = document.getElementById("chat-input")
        self.send = document.getElementById("chat-send")
        self.counter = document.getElementById("chat-count")
        self.earlier = document.getElementById("chat-earlier")
        self.jump = document.getElementById("chat-jump")
        self.tray = document.getElementById("chat-files")
        self.attach = document.getElementById("chat-attach")
        self.picker = document.getElementById("chat-file")
        self.lightbox = document.getElementById("chat-lightbox")
        self.menu = document.getElementById("chat-menu")
        self.confirm = document.getElementById("chat-confirm")
        self.prechat = document.getElementById("chat-prechat")
        self.composer = document.getElementById("chat-composer")
        self.announcer = document.getElementById("chat-announce")
        self.launcher = document.getElementById("chat-launcher")
        self.menu_open = False
        self._launcher_hidden = False  # what whenClosed last applied to the inline launcher
        self.focus_after = None  # a selector to focus once the next frame is drawn
        self.builder = DomBuilder()
        self.registry = renderers or render_mod.Renderers(log=_log)
        self.ctx = render_mod.Context(self.registry, self.builder.h, t, IntlFormat(), Actions(self))
        self._nodes = {}  # item key -> node
        self._drawn = {}  # item key -> what it was drawn from
        self._owned = {}  # item key -> handler ids
        self._order = []
        self._placed = set()  # keys whose node is in the list
        # [rows, layout items, divider, start, drawn to the end, the rows laid out] of what is drawn
        self._layout = None
        # The drawn part of the transcript, view.rows[start:end], and the keys that hold it in place
        # as rows come and go: _top (None: the newest WINDOW_ROWS; "": from the first row, while the
        # service's history is shown) and _bottom (None: down to the newest row, following).
        self._top = None
        self._bottom = None
        self._start = 0
        self._end = 0
        self._start_key = ""
        self._moving_up = True  # which end gives way when the window is full
        self._window_moved = False
        self._last = None
        self._pending = None
        self._frame = None
        self._frame_asked = None  # when the pending animation frame was asked for
        self._in_task = False  # inside task(): a draw at the task's end is made when it returns
        self._drawn_at = -1e9  # performance.now() when the last draw ended
        self._spent_from = -1e9  # when the frame-long span drawing time is counted in began (TASK_END_MS)
        self._spent = 0.0  # the drawing time spent in it
        self._drawing = False
        self._following = True
        self._loading_earlier = False
        self._too_long = False
        self._rows_unfinished = False
        self._uploads = None
        self._jump_shown = not self.jump.hidden
        self._tokens = {}
        self._slots = {}  # "notice" / "typing" / "composer" / "launcher" / "menu" ... -> handler ids drawn there
        self._form_drawn = None  # what the pre-chat form was drawn from (redrawn only when that changes)
        self.on_composer = None  # main.py's wiring, run again when a customer's composer is drawn
        self.unread = 0  # for a customer's launcher entry
        root = self.panel
        for kind in DELEGATED:
            root.addEventListener(kind, create_proxy(self._guard(lambda e: self.builder.dispatch(e, root))))
        # static/build.js keeps the scrolling that needs no Python out of it (see there)
        drawn_scrolls, guest_scrolls = build_js("gcwDrawnScrolls"), build_js("gcwGuestScrolls")
        self._to_end = build_js("gcwToBottom") if guest_scrolls else None
        captured = create_proxy(self._guard(self._captured))
        scrolled = create_proxy(self._guard(self._scrolled))
        for kind in CAPTURED:
            root.addEventListener(kind, drawn_scrolls(captured) if drawn_scrolls else captured, True)
        self.scroller.addEventListener("scroll", guest_scrolls(scrolled) if guest_scrolls else scrolled)
        self.jump.addEventListener("click", create_proxy(self._guard(lambda e: self._jump())))
        self._draw_pending = self._guard(self._on_frame)
        self._frame_proxy = create_proxy(self._draw_pending)

    # -- language, theme and a customer's render functions ---------------------------------------
    # index.html's own words (English until Python starts): (selector, attribute or None for text, key)
    STATIC_WORDS = (
        ("#chat-title", None, "panel.title"), (".gcw-close", "aria-label", "panel.close"),
        ("#chat-scroll", "aria-label", "log.label"), ("#chat-earlier", None, "earlier"),
        ("#chat-jump", None, "panel.jump"), ("#chat-files", "aria-label", "upload.tray"),
        ("#chat-attach", "aria-label", "upload.attach"), ("#chat-attach", "title", "upload.attach"),
        ("label[for=chat-input]", None, "composer.label"), ("#chat-send", None, "composer.send"),
        ("#chat-drop", None, "upload.drop"), ("#chat-launcher .gcw-launcher-label", None, "launcher.open"),
        ("#chat-lightbox", "aria-label", "attachment.image"), (".gcw-lightbox-close", "aria-label", "attachment.close"),
    )

    def set_language(self, language, rtl, embedded):
        for selector, attribute, key in self.STATIC_WORDS:
            node = document.querySelector(selector)
            if not node:
                continue
            if attribute is None:
                node.textContent = t(key)
            else:
                node.setAttribute(attribute, t(key))
        targets = [self.panel, self.lightbox, document.getElementById("chat-launcher")]
        if embedded:  # the frame's page is ours
            targets.append(document.documentElement)
            document.title = t("panel.title")
        for node in targets:
            if node:
                node.setAttribute("lang", language)
                node.setAttribute("dir", "rtl" if rtl else "ltr")
        if self.ctx.fmt.locale != language:
            self.ctx.fmt = IntlFormat(language)
        self.draw_composer()  # a customer's composer and launcher, in the new words
        self.draw_launcher()
        self.redraw()

    def set_theme(self, tokens, scheme):
        for node in (self.panel, self.lightbox, document.getElementById("chat-launcher")):
            if not node:
                continue
            for name in self._tokens:
                if name not in tokens:
                    node.style.removeProperty(name)
            for name in tokens:
                node.style.setProperty(name, tokens[name])
            if scheme in ("light", "dark"):
                node.setAttribute("data-gcw-scheme", scheme)
            else:
                node.removeAttribute("data-gcw-scheme")
        self._tokens = dict(tokens)

    def use_renderers(self, registry):
        self.registry = registry
        self.ctx = render_mod.Context(registry, self.builder.h, t, self.ctx.fmt, self.ctx.act)
        self.draw_composer()
        self.draw_launcher()
        self.redraw()

    def draw_launcher(self):
        """A customer's "launcher" entry: the inline page's launcher shows what it draws."""
        button = document.getElementById("chat-launcher")
        if not button or self.registry.table.get("launcher") is render_mod.DEFAULTS.get("launcher"):
            return
        node = self._draw_slot("launcher", {"unread": self.unread})
        if node:
            while button.firstChild:
                button.removeChild(button.firstChild)
            button.appendChild(node)

    def draw_composer(self):
        """A customer's "composer" entry replaces the page's composer row (the default is the page's
        own markup, so it is never redrawn); the field keeps what the guest had typed."""
        if self.registry.table.get("composer") is render_mod.DEFAULTS.get("composer"):
            return
        row = document.querySelector("#chat-composer [data-gcw-composer]") or document.querySelector(
            "#chat-composer .gcw-compose-row")
        view = self._last
        props = {"hint": view.composer_hint if view else "", "enabled": view.composer_enabled if view else False,
                 "attachments": view.attachments if view else False, "accept": view.accept if view else ""}
        typed = str(self.input.value) if self.input is not None else ""
        node = self._draw_slot("composer", props)
        if not node or not row or not node.querySelector("#chat-input"):
            _log("error", "chat: the composer entry must draw an element with id chat-input; keeping the default")
            return
        node.setAttribute("data-gcw-composer", "")  # where the next redraw goes
        row.replaceWith(node)
        self.input = document.getElementById("chat-input")
        self.send = document.getElementById("chat-send")
        self.attach = document.getElementById("chat-attach") or self.attach
        self.picker = document.getElementById("chat-file") or self.picker
        self.input.value = typed
        if self.on_composer is not None:
            self.on_composer()
        self._last = None  # apply every state to the new elements on the next draw
        if view is not None:
            self.render(view)

    def redraw(self):
        """Draw everything again (new words, dates or render functions) on the next frame."""
        self._drawn = {}
        self._layout = None
        view, self._last = self._last, None
        if view is not None and self._pending is None:
            self.render(view)

    def _guard(self, fn):
        def call(*args):
            try:
                return fn(*args)
            except Exception as exc:
                _log("error", "chat: render: %s: %s" % (type(exc).__name__, exc))
        return call

    def _captured(self, event):
        self.builder.dispatch(event, self.panel)
        if str(event.type) == "load" and self._following:
            self._to_bottom(False)  # an image arrived and grew its row

    # -- scheduling -------------------------------------------------------------------------
    def render(self, view):
        """Draw `view` soon: as soon as the task that made the change ends, so it is painted in the
        coming frame (a message, the session becoming ready), while drawing that way has cost less
        than TASK_END_MS in the last frame; beyond that (a burst of messages, each in its own
        task) what follows waits for the next animation frame, which draws it all at once."""
        self._pending = view
        if self._frame is not None:
            if not self._frame_late() or document.hidden or not self._task_end_budget():
                return  # a draw is coming
            js.cancelAnimationFrame(self._frame)  # the frame is late: drawn at this task's end instead
            self._frame = None
        if document.hidden:
            self._frame = js.setTimeout(self._frame_proxy, 50)
        elif not self._drawing and self._task_end_budget():
            self._frame = "task end"
            if not self._in_task:
                js.queueMicrotask(self._frame_proxy)
        else:
            self._frame = js.requestAnimationFrame(self._frame_proxy)
            self._frame_asked = float(js.performance.now())

    def task(self, fn, *args):
        """Run `fn` (the edge's handler of a browser event, such as a socket message) and draw what
        it changed when it returns, as a microtask would, without a second call from JavaScript
        into Python for the microtask (~0.2 ms on MicroPython, per message)."""
        if self._in_task:
            return fn(*args)
        self._in_task = True
        try:
            return fn(*args)
        finally:
            self._in_task = False
            if self._frame == "task end":
                self._draw_pending()

    def _task_end_budget(self):
        now = float(js.performance.now())
        if now - self._spent_from > FRAME_MS:
            self._spent_from, self._spent = now, 0.0
        return self._spent < TASK_END_MS

    def _frame_late(self):
        """An animation frame was asked for more than a frame ago and nothing was drawn since: the
        browser is not making frames for this page yet (a frame just shown, a page under load)."""
        if self._drawing or self._frame_asked is None or self._frame == "task end":
            return False
        now = float(js.performance.now())
        return now - self._frame_asked > FRAME_MS and now - self._drawn_at > FRAME_MS

    def _on_frame(self, *_):
        self._frame = None
        self._frame_asked = None
        view, self._pending = self._pending, None
        if view is not None:
            self._drawing = True  # what the drawing asks for (the rest of a long transcript) waits a frame
            started = float(js.performance.now())
            try:
                self.draw(view)
            finally:
                self._drawing = False
                self._drawn_at = float(js.performance.now())
                self._spent += self._drawn_at - started

    def flush(self):
        """Draw now (tests and benchmarks)."""
        if self._pending is not None:
            self._on_frame()

    # -- drawing ----------------------------------------------------------------------------
    def draw(self, view):
        last = self._last
        self._last = view
        if last is None or last.status != view.status or last.status_kind != view.status_kind:
            self.status.textContent = view.status
            self.panel.setAttribute("data-status", view.status_kind)
        if last is None or last.composer_enabled != view.composer_enabled or last.composer_hint != view.composer_hint:
            self.input.disabled = not view.composer_enabled
            self.input.placeholder = view.composer_hint
            self._send_state(view)
        if last is None or last.typing != view.typing:
            self._drawn_into(self.typing, "typing", {"text": view.typing} if view.typing else None)
            self.typing.hidden = not view.typing
        if last is None or last.wait != view.wait or last.availability != view.availability:
            is_open, reason, next_at, next_open, agents, hide = view.availability
            self._drawn_into(self.wait, "availability", {"open": is_open, "reason": reason, "next_at": next_at,
                                                         "next_open": next_open, "agents": agents, "wait": view.wait})
            self.wait.hidden = not self.wait.firstChild
        hide = bool(view.availability[5])
        if self.launcher and hide != self._launcher_hidden and not self.panel.matches(":popover-open"):
            self.launcher.hidden = hide  # not while the panel is open: applied on the draw after it closes
            self._launcher_hidden = hide
        if last is None or last.notice != view.notice:
            self._notice(view.notice, view.countdown)
        elif last.countdown != view.countdown:
            clock = self.notice.querySelector(".gcw-countdown")
            if clock:
                clock.textContent = view.countdown
        if last is None or last.menu != view.menu:
            if not view.menu:
                self.menu_open = False
            self._menu(view.menu)
        if last is None or last.confirm != view.confirm:
            self._drawn_into(self.confirm, "confirm", {"what": view.confirm} if view.confirm else None)
            self.confirm.hidden = not view.confirm
            if view.confirm:
                self.focus_after = "#chat-confirm-no"
        if last is None or last.prechat != view.prechat:
            self._prechat(view.prechat)
        if last is None or last.announce != view.announce:
            if view.announce is not None and last is not None:
                self.announcer.textContent = view.announce[1]
        if last is None or last.unread != view.unread:
            self._unread(view.unread)
        if last is None or last.attachments != view.attachments or last.accept != view.accept:
            self.attach.hidden = not view.attachments
            self.picker.setAttribute("accept", view.accept or "")
        if last is None or last.uploads != view.uploads:
            self._tray(view.uploads)
            self._send_state(view)
        if last is None or self._rows_unfinished or self._window_moved or last.version != view.version \
                or last.live != view.live or last.divider != view.divider or last.earlier != view.earlier:
            self._window_moved = False
            self._rows_changed(view)
        if self.focus_after:
            wanted, self.focus_after = self.focus_after, None
            if wanted is FOCUS_ON_OPEN and self.panel.contains(document.activeElement):
                wanted = ()  # the guest is already somewhere in the panel: never pull focus from under them
            for selector in (wanted if isinstance(wanted, tuple) else (wanted,)):
                node = self.panel.querySelector(selector)
                if node and not node.closest("[hidden]") and not getattr(node, "disabled", False):
                    node.focus()
                    break

    def _send_state(self, view):
        busy = any(u.state in ("requesting", "uploading", "processing") for u in view.uploads)
        self.send.disabled = (not view.composer_enabled) or self._too_long or busy

    def count(self, text):
        """The composer's byte counter near the service's 4,096-byte limit."""
        used = len(text.encode("utf-8"))
        left = 4096 - used
        self._too_long = left < 0
        if left < 0:
            self.counter.textContent = t("composer.over", n=-left)
        elif left <= 500:
            self.counter.textContent = t("composer.left", n=left)
        else:
            self.counter.textContent = ""
        self.counter.hidden = left > 500
        self.counter.setAttribute("data-over", "true" if left < 0 else "false")
        if self._last is not None:
            self._send_state(self._last)

    def _draw_slot(self, name, props):
        """A registry entry drawn for one fixed place of the panel; what it drew there before
        gives its handlers back. None props: nothing drawn."""
        self.builder.release(self._slots.get(name))
        self.builder.begin()
        tree = self.registry.draw(name, props, self.builder.h, self.ctx) if props is not None else None
        self._slots[name] = self.builder.end()
        return self.builder.node(tree)

    def _drawn_into(self, container, name, props):
        """Replace container's content with a registry entry."""
        while container.firstChild:
            container.removeChild(container.firstChild)
        node = self._draw_slot(name, props)
        if node:
            container.appendChild(node)

    def _menu(self, items):
        self._drawn_into(self.menu, "menu", {"items": items, "open": self.menu_open} if items else None)

    def toggle_menu(self, open_it=None):
        self.menu_open = (not self.menu_open) if open_it is None else bool(open_it)
        self._menu(self._last.menu if self._last is not None else ())
        button = document.getElementById("chat-menu-button")
        if self.menu_open:
            first = self.menu.querySelector(".gcw-menu-item:not([disabled])")
            (first or button).focus()
        elif button:
            button.focus()

    def pick(self, name):
        self.menu_open = False
        self._menu(self._last.menu if self._last is not None else ())
        controller = self.controller
        if name in ("download_text", "download_json"):
            filename, mime, content = controller.ending.transcript_file(
                "json" if name == "download_json" else "text", self.ctx.fmt)
            controller.ports.download(filename, mime, content)
            self.focus_after = "#chat-menu-button"
        elif name == "notify_off":
            controller.notifications(True)
            self.focus_after = "#chat-menu-button"
        elif name == "notify_on":
            controller.notifications(False)
            self.focus_after = "#chat-menu-button"
        elif name in ("end", "clear"):
            controller.ending.ask(name)
        if self.focus_after and self._pending is None:
            self.render(self._last)

    def close_menu(self):
        """Escape: the open menu closes first (True), before the panel does."""
        if self.menu_open:
            self.toggle_menu(False)
            return True
        if self._last is not None and self._last.confirm:
            self.controller.ending.cancel()
            self.focus_after = "#chat-menu-button"
            return True
        return False

    def _prechat(self, form):
        active = form is not None
        self.prechat.hidden = not active
        self.scroller.hidden = active
        self.composer.hidden = active
        if not active:
            self._form_drawn = None
            self._drawn_into(self.prechat, "prechat", None)
            return
        # Typing changes only the answers, the budget and its warning: those update in place, so
        # the field under the guest's cursor is never redrawn.
        shape = (form.title, form.intro, form.fields and tuple([(f.name, f.error) for f in form.fields]),
                 form.submitting, form.limit)
        if shape != self._form_drawn:
            self._form_drawn = shape
            self._drawn_into(self.prechat, "prechat", {"form": form})
        else:
            budget = self.prechat.querySelector(".gcw-prechat-budget")
            if budget:  # typing: only the live budget changes, the fields keep focus
                near = form.used > form.limit * 0.8
                budget.textContent = t("prechat.budget", used=form.used, limit=form.limit) if near and not \
                    form.error else ""
            problem = self.prechat.querySelector(".gcw-prechat-error")
            if problem:
                problem.textContent = form.error

    def _unread(self, count):
        """The inline page's launcher badge and title (on a host page the loader draws its own)."""
        self.unread = count
        badge = document.querySelector("#chat-launcher .gcw-launcher-badge")
        words = document.querySelector("#chat-launcher .gcw-launcher-unread")
        if badge:
            badge.textContent = "99+" if count > 99 else str(count)
            badge.hidden = count == 0
        if words:
            words.textContent = "" if not count else (
                t("launcher.unread_one") if count == 1 else t("launcher.unread", count=count))
        self.draw_launcher()

    def focus_panel(self):
        """The panel opened: once it is drawn, focus goes into it (the form, the composer, else
        the transcript)."""
        self.focus_after = FOCUS_ON_OPEN
        if self._pending is None and self._last is not None:
            self.render(self._last)

    def download(self, filename, mime, content):
        blob = js.Blob.new(to_js([content]), to_js({"type": mime}))
        url = js.URL.createObjectURL(blob)
        link = document.createElement("a")
        link.href = url
        link.download = filename
        link.hidden = True
        self.panel.appendChild(link)
        link.click()
        link.remove()
        js.setTimeout(create_proxy(lambda *_: js.URL.revokeObjectURL(url)), 10000)

    def _notice(self, notice, countdown=""):
        if notice is None:
            self.notice.hidden = True
            self.notice.removeAttribute("data-kind")
            self._drawn_into(self.notice, "notice", None)
            return
        self.notice.hidden = False
        self.notice.setAttribute("data-kind", notice.kind)
        self._drawn_into(self.notice, "notice", {"title": notice.title, "message": notice.message,
                                                 "action": notice.action, "kind": notice.kind,
                                                 "button": notice.button, "countdown": countdown})

    def _tray(self, uploads):
        while self.tray.firstChild:
            self.tray.removeChild(self.tray.firstChild)
        self.builder.release(self._uploads)
        self.builder.begin()
        for upload in uploads:
            node = self.builder.node(self.registry.draw("upload", {"upload": upload}, self.builder.h, self.ctx))
            if node:
                self.tray.appendChild(node)
        self._uploads = self.builder.end()
        self.tray.hidden = not uploads

    def _rows_changed(self, view):
        """Bring the list in line with `view.rows`, newest first, within a frame's budget: a long
        transcript (a reload, a history page) is drawn over several frames, so the page never
        freezes and the guest sees the newest messages at once."""
        scroller = self.scroller
        start, end = self._window(view.rows, view.divider)
        rows = view.rows[start:end] if start or end < len(view.rows) else view.rows
        previous = self._layout
        unchanged = 0  # items drawn last time that are the same now (a new message was added after them)
        if previous is not None and previous[0] is view.rows and previous[2] == view.divider and previous[3] == start \
                and len(previous[5]) == end - start:
            items = previous[1]  # the next frame of the same transcript
        else:
            items = None
            if previous is not None and previous[4] and previous[3] == start and not view.divider \
                    and not previous[2] and self._bottom is None:
                items = render_mod.extended(previous[1], previous[5], rows, self.ctx.fmt.day_key)
                if items is not None:
                    unchanged = len(previous[1]) - 1
            if items is None:
                items = render_mod.layout(rows, self.ctx.fmt.day_key, view.divider)
        self._layout = [view.rows, items, view.divider, start, False, rows]  # [4]: drawn to the end
        self._start, self._end = start, end
        self.earlier.hidden = not (view.earlier or start > 0)
        anchor = None if self._following else self._anchor()
        newest = view.rows[-1] if view.rows else None
        grew = newest is not None and newest.side != "guest" and ("row:" + newest.key) not in self._nodes
        deadline = float(js.performance.now()) + FRAME_BUDGET_MS
        unfinished = False
        over = False
        keys = []
        drawn_now = 0
        now = js.performance.now  # looked up once: each lookup crosses into JavaScript
        for index in range(len(items) - 1, unchanged - 1, -1):
            item = items[index]
            if item[0] == "row":
                row = item[1]
                key = "row:" + row.key
                source = (row, item[2], item[3], row.key == view.live)
            elif item[0] == "day":
                key, source = item[1], ("day", item[2][:10])
            else:
                key, source = "divider", ("divider", item[2])
            drawn = self._drawn.get(key)
            if drawn is not None and _same(drawn, source):
                keys.append(key)
                continue
            if over or (drawn_now >= MIN_ROWS_PER_FRAME and float(now()) > deadline):
                over = unfinished = True
                if key in self._nodes:
                    keys.append(key)  # stale for one more frame, but in its place
                continue
            if item[0] == "row":
                name, props = "row", {"row": row, "first": item[2], "last": item[3], "live": source[3]}
            elif item[0] == "day":
                name, props = "day", {"time": item[2]}
            else:
                name, props = "divider", {"key": item[2]}
            drawn_now += 1
            self.builder.begin()
            tree = self.registry.draw(name, props, self.builder.h, self.ctx)
            owned = self.builder.end()
            if tree is None:
                tree = self.builder.h("li", {"class": "gcw-row gcw-row--empty", "hidden": True})
            node = self.builder.node(tree)
            old = self._nodes.get(key)
            if old is not None:
                old.replaceWith(node)
                self.builder.release(self._owned.get(key))
            self._nodes[key] = node
            self._drawn[key] = source
            self._owned[key] = owned
            keys.append(key)
        keys.reverse()
        if unchanged:
            keys = self._order[:unchanged] + keys
        self._layout[4] = not unfinished
        present = set(keys)
        if not unfinished:
            for key in [k for k in self._nodes if k not in present]:
                self._nodes.pop(key).remove()
                self._drawn.pop(key, None)
                self.builder.release(self._owned.pop(key, None))
        if keys != self._order:
            self._place(keys)
        self._rows_unfinished = unfinished
        if unfinished:
            self._loading_earlier = True  # not while older rows are still being drawn
            if self._pending is None:
                self.render(view)  # the rest next frame
        else:
            self._loading_earlier = False
        if self._following:
            if keys:  # (nothing to scroll to otherwise: no layout is forced, as on the first draw)
                self._to_bottom(False)
        else:
            if anchor is not None and anchor[0] in self._nodes:
                key, offset = anchor  # by key: the row may have been redrawn (its group changed)
                scroller.scrollTop = int(self._nodes[key].offsetTop) - offset
            if grew:
                self._show_jump(True)

    def _window(self, rows, divider):
        """(start, end): the part of `rows` in the page. Normally the newest WINDOW_ROWS; new
        messages do not move its top until twice that are drawn (then it moves up to the newest
        WINDOW_ROWS in one go), so a new message lays out and draws only itself. Scrolled up, the
        rows the guest reached, at most MAX_DRAWN; never without the first unread one."""
        count = len(rows)
        end = count
        if self._bottom is not None:
            index = _find(rows, self._bottom, self._end - 1)
            if index is None:
                self._bottom = None  # that row is gone: back to the newest
            else:
                end = index + 1
        start = max(0, end - WINDOW_ROWS)
        if self._top is not None and self._following and self._bottom is None and start > 0:
            self._top = None  # back at the bottom: the older rows leave the page again
        if self._top == "":
            start = 0
        elif self._top is not None:
            index = _find(rows, self._top, self._start)
            if index is None or index >= end:
                self._top = None  # that row is gone (a new conversation)
            else:
                start = index
        elif self._start < start and end - self._start <= 2 * WINDOW_ROWS and self._start_key \
                and rows[self._start].key == self._start_key:
            start = self._start  # still the same top row: the window has only grown at the bottom
        if divider:
            index = _find(rows, divider, start)
            if index is not None and index < start:
                start = index
        if end - start > MAX_DRAWN and self._top != "":
            if self._moving_up:
                end = start + MAX_DRAWN
                self._bottom = rows[end - 1].key if end < count else None
            else:
                start = end - MAX_DRAWN
                self._top = rows[start].key
        self._start_key = rows[start].key if start < count else ""
        return start, end

    def show_earlier(self):
        """Older messages: those in memory first, a screenful at a time, then the service's."""
        view = self._last
        if view is None:
            return
        if self._start > 0:
            self._top = view.rows[max(0, self._start - REVEAL_ROWS)].key
            self._moving_up = True
            self._following = False
            self._moved()
        elif view.earlier:
            self._top = ""  # what the service sends is drawn as it arrives
            self._moving_up = True
            self._loading_earlier = True
            self.controller.load_earlier()

    def show_later(self):
        """Back down towards the newest messages, after scrolling up through many."""
        view = self._last
        if view is None or self._bottom is None:
            return
        end = min(len(view.rows), self._end + REVEAL_ROWS)
        self._bottom = view.rows[end - 1].key if end < len(view.rows) else None
        self._moving_up = False
        self._moved()

    def _moved(self):
        self._loading_earlier = True  # no other move until this one is drawn
        self._window_moved = True
        if self._pending is None:
            self.render(self._last)

    def _jump(self):
        """The "New messages" button: to the newest, drawing them first if the page let them go."""
        if self._bottom is not None or self._top is not None:
            self._top = self._bottom = None
            self._following = True
            self._moved()
        self._to_bottom(True)

    def _place(self, keys):
        """Put the nodes in `keys` order. Usually rows were only added (older ones above, newer
        below): each new node is inserted before its successor. Anything else (a pending message
        confirmed to an earlier time) re-appends the list."""
        log = self.log
        old = [k for k in self._order if k in self._nodes]
        position = 0
        inserted_only = True
        for key in keys:
            if position < len(old) and old[position] == key:
                position += 1
            elif key in old:
                inserted_only = False
                break
        if inserted_only and position == len(old):
            following = None
            for index in range(len(keys) - 1, -1, -1):
                key = keys[index]
                node = self._nodes[key]
                if key not in self._placed:
                    if following is None:
                        log.appendChild(node)
                    else:
                        log.insertBefore(node, following)
                following = node
        else:
            for key in keys:
                log.appendChild(self._nodes[key])  # appendChild moves: this reorders
        self._order = keys
        self._placed = set(keys)

    def _anchor(self):
        """The key of the first row at least partly in view, and its distance from the view's top
        (rows are in offset order: found by halving, a few layout reads however many are drawn)."""
        top = int(self.scroller.scrollTop)
        keys = [key for key in self._order if key.startswith("row:") and key in self._nodes]
        # (a day separator moves when older rows of its day arrive: rows only)
        low, high = 0, len(keys) - 1
        found = None
        while low <= high:
            middle = (low + high) // 2
            node = self._nodes[keys[middle]]
            if int(node.offsetTop) + int(node.offsetHeight) > top:
                found = middle
                high = middle - 1
            else:
                low = middle + 1
        if found is None:
            return None
        return keys[found], int(self._nodes[keys[found]].offsetTop) - top

    def _to_bottom(self, by_guest):
        if self._to_end is not None:
            self._to_end(self.scroller)
        else:
            self.scroller.scrollTop = int(self.scroller.scrollHeight)
        self._following = True
        self._show_jump(False)
        if by_guest:
            self.input.focus()

    def _show_jump(self, shown):
        if shown != self._jump_shown:
            self.jump.hidden = not shown
            self._jump_shown = shown

    def _scrolled(self, event):
        log = self.scroller
        top = int(log.scrollTop)
        gap = int(log.scrollHeight) - top - int(log.clientHeight)
        at_bottom = gap <= FOLLOW_SLACK_PX
        self._following = at_bottom and self._bottom is None
        if self._following:
            self._show_jump(False)
        if self._loading_earlier or self._last is None or int(log.scrollHeight) <= int(log.clientHeight):
            return
        if top <= TOP_LOAD_PX and (self._last.earlier or self._start > 0):
            self.show_earlier()
        elif at_bottom and self._bottom is not None:
            self.show_later()

    # -- images and files -----------------------------------------------------------------
    def show_image(self, url, name):
        box = self.lightbox
        img = box.querySelector("img")
        img.setAttribute("src", url)
        img.setAttribute("alt", name)
        box.querySelector(".gcw-lightbox-name").textContent = name
        box.showModal()

    def fresh_link(self, attachment_id, url, purpose, filename):
        if purpose == "image":
            for img in _list(self.log.querySelectorAll('img[data-attachment="%s"]' % _css(attachment_id))):
                img.setAttribute("src", url)
            return
        js.window.open(url, "_blank", "noopener,noreferrer")


def _node_by_node(node):
    """The same nodes, one bridge call at a time (when static/build.js is missing)."""
    if isinstance(node, str):
        return document.createTextNode(node)
    element = document.createElement(node.tag)
    for name in node.attrs:
        element.setAttribute(name, node.attrs[name])
    for child in node.children:
        element.appendChild(_node_by_node(child))
    return element


def _form_values(form):
    """The pre-chat form's answers by field name, and the names whose `pattern` the browser refused."""
    values = {}
    invalid = []
    controls = form.querySelectorAll("input[name], select[name], textarea[name]")
    for i in range(int(controls.length)):
        control = controls.item(i)
        name = str(control.name)
        if str(control.type) == "checkbox":
            values[name] = "true" if control.checked else ""
        else:
            values[name] = str(control.value)
        if control.validity and control.validity.patternMismatch:
            invalid.append(name)
    return values, invalid


def _same(drawn, source):
    if len(drawn) != len(source):
        return False
    for a, b in zip(drawn, source):
        if a is not b and a != b:
            return False
    return True


def _find(rows, key, hint):
    """The index of the row with `key`: at `hint` (where it was) or else anywhere; None if gone."""
    if 0 <= hint < len(rows) and rows[hint].key == key:
        return hint
    for index in range(len(rows) - 1, -1, -1):
        if rows[index].key == key:
            return index
    return None


def _list(nodes):
    return [nodes.item(i) for i in range(int(nodes.length))]


def _css(text):
    return "".join([c for c in text if c.isalpha() or c.isdigit() or c in "-_"])


def _log(level, text):
    getattr(js.console, "error" if level == "error" else "warn")(text)
