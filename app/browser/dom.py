"""Renders a `View` (app/chat/transcript.py) into the panel that index.html already drew.

Everything from the network becomes text nodes (`textContent`), never HTML. Rows are keyed, so a
pending bubble turning "sent" is one attribute change, and screen readers hear only new rows.
"""
from pyscript import document


def _el(tag, cls=None, text=None):
    node = document.createElement(tag)
    if cls:
        node.className = cls
    if text:
        node.textContent = text
    return node


class PanelRenderer:
    def __init__(self):
        self.panel = document.getElementById("chat-panel")
        self.log = document.getElementById("chat-log")
        self.status = document.getElementById("chat-status")
        self.typing = document.getElementById("chat-typing")
        self.wait = document.getElementById("chat-wait")
        self.notice = document.getElementById("chat-notice")
        self.input = document.getElementById("chat-input")
        self.send = document.getElementById("chat-send")
        self.notice_button = document.getElementById("chat-notice-button")
        self.earlier = document.getElementById("chat-earlier")
        self._nodes = {}  # row key -> <li>
        self._rows = {}  # row key -> the Row last drawn
        self._order = []
        self._last = None

    def render(self, view):
        last = self._last
        self._last = view
        if last is None or last.status != view.status or last.status_kind != view.status_kind:
            self.status.textContent = view.status
            self.panel.setAttribute("data-status", view.status_kind)
        if last is None or last.composer_enabled != view.composer_enabled or last.composer_hint != view.composer_hint:
            self.input.disabled = not view.composer_enabled
            self.send.disabled = not view.composer_enabled
            self.input.placeholder = view.composer_hint
        if last is None or last.typing != view.typing:
            self.typing.textContent = view.typing or ""
            self.typing.hidden = not view.typing
        if last is None or last.wait != view.wait:
            self.wait.textContent = view.wait
            self.wait.hidden = not view.wait
        if last is None or last.earlier != view.earlier:
            self.earlier.hidden = not view.earlier
        if last is None or last.notice != view.notice:
            self._notice(view.notice)
        if last is None or last.version != view.version:
            self._rows_changed(view.rows)

    def _notice(self, notice):
        if notice is None:
            self.notice.hidden = True
            self.notice.removeAttribute("data-kind")
            return
        self.notice.hidden = False
        self.notice.setAttribute("data-kind", notice.kind)
        self.notice.querySelector(".notice-title").textContent = notice.title
        self.notice.querySelector(".notice-message").textContent = notice.message
        self.notice.querySelector(".notice-action").textContent = notice.action
        self.notice_button.textContent = notice.button
        self.notice_button.hidden = not notice.button

    def _rows_changed(self, rows):
        stick = self.log.scrollHeight - self.log.scrollTop - self.log.clientHeight < 40
        keys = []
        for row in rows:
            keys.append(row.key)
            drawn = self._rows.get(row.key)
            if drawn is not row and drawn != row:  # identity first: unchanged rows are the same objects
                self._draw(row)
        present = set(keys)
        for key in [k for k in self._nodes if k not in present]:
            self._nodes.pop(key).remove()
            self._rows.pop(key, None)
        if keys != self._order:
            for key in keys:
                self.log.appendChild(self._nodes[key])  # appendChild moves: this reorders
            self._order = keys
        if stick:
            self.log.scrollTop = self.log.scrollHeight

    def _draw(self, row):
        node = self._nodes.get(row.key)
        if node is None:
            node = _el("li")
            node.setAttribute("data-key", row.key)
            self._nodes[row.key] = node
        while node.firstChild:
            node.removeChild(node.firstChild)
        node.className = "msg msg--" + row.side
        node.setAttribute("data-side", row.side)
        node.setAttribute("data-status", row.status or "")
        if row.side in ("bot", "agent"):
            head = _el("div", "msg-author")
            if row.avatar and (row.avatar.startswith("https://") or row.avatar.startswith("http://")):
                img = _el("img", "msg-avatar")
                img.setAttribute("src", row.avatar)
                img.setAttribute("alt", "")
                head.appendChild(img)
            head.appendChild(_el("span", "msg-name", row.author))
            head.appendChild(_el("span", "msg-badge", "Bot" if row.side == "bot" else "Agent"))
            node.appendChild(head)
        node.appendChild(_el("p", "msg-text", row.text))
        if row.note:
            node.appendChild(_el("p", "msg-note", row.note))
        if row.side == "guest":
            label = {"pending": "Sending…", "sent": "Sent", "failed": "Not sent"}.get(row.status, "")
            node.appendChild(_el("span", "msg-state", label))
        self._rows[row.key] = row
