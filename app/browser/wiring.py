"""Wires the browser edge to the chat controller (app/main.py calls start() once the app's modules
are laid out). No logic lives here."""
import asyncio

import js
from pyscript import document
from pyscript.ffi import create_proxy

from app.browser.dom import PanelRenderer
from app.browser.ports import BrowserPorts, guarded
from app.chat.strings import t


def _show_crash(exc):
    # Plain nodes, not the render registry: this is what shows when something else broke.
    notice = document.getElementById("chat-notice")
    notice.hidden = False
    notice.setAttribute("data-kind", "error")
    while notice.firstChild:
        notice.removeChild(notice.firstChild)
    for name in ("title", "message", "action"):
        line = document.createElement("p")
        line.className = "gcw-notice-" + name
        line.textContent = t("notice.crash." + name)
        notice.appendChild(line)


def _on(node, kind, fn):
    node.addEventListener(kind, create_proxy(guarded(fn, _show_crash)))


def main():
    from app.browser import bridge
    from app.chat.controller import Controller

    embedded = bridge.embedded()
    renderer = PanelRenderer()
    ports = BrowserPorts(renderer, _show_crash, embedded)
    controller = Controller(ports, embedded, bridge.parent_origin() if embedded else None)
    ports.attach(controller)
    ports.watch_policy()
    renderer.controller = controller
    panel = document.getElementById("chat-panel")
    composer = document.getElementById("chat-composer")
    problem = document.getElementById("chat-composer-error")
    drop = document.getElementById("chat-drop")

    def field():  # looked up each time: a customer's "composer" entry may draw it again
        return document.getElementById("chat-input")

    def picker():
        return document.getElementById("chat-file")

    def submit(event):
        event.preventDefault()
        if controller.submit(str(field().value)):
            field().value = ""
            renderer.count("")
        field().focus()

    def keydown(event):
        if event.key == "Enter" and not event.shiftKey and not event.isComposing:
            submit(event)

    def typed(event):
        renderer.count(str(field().value))
        controller.composing()

    async def read_and_attach(file, name, mime, size):
        from app.chat.md5 import can_hash, md5_hex  # compiled when a file is first attached

        digest = None
        if can_hash(size):
            data = await file.arrayBuffer()
            raw = js.Uint8Array.new(data)
            digest = md5_hex(raw.to_bytes() if hasattr(raw, "to_bytes") else bytes(raw))
        upload_id, why = controller.attach(name, mime, size, digest)
        if why:
            problem.textContent = why
        else:
            ports.files[upload_id] = file

    def add_files(files):
        refused = []
        for i in range(int(files.length)):
            file = files.item(i)
            name, mime, size = str(file.name), str(file.type or ""), int(file.size)
            why = controller.check_file(name, mime, size)  # refused before anything is read or sent
            if why:
                refused.append(why)
            else:
                asyncio.create_task(read_and_attach(file, name, mime, size))
        problem.textContent = " ".join(refused)

    def picked(event):
        add_files(picker().files)
        picker().value = ""

    def dragging(event):
        if event.dataTransfer and "Files" in [str(x) for x in event.dataTransfer.types]:
            event.preventDefault()
            drop.hidden = event.type == "dragleave"

    def dropped(event):
        event.preventDefault()
        drop.hidden = True
        if event.dataTransfer and int(event.dataTransfer.files.length):
            add_files(event.dataTransfer.files)

    def pasted(event):
        data = event.clipboardData
        if data and int(data.files.length):
            event.preventDefault()
            add_files(data.files)

    launcher = document.getElementById("chat-launcher")

    def toggled(event):
        if str(event.newState) == "open":
            controller.open_panel()
        else:
            controller.close_panel()
            if launcher:
                launcher.focus()  # focus goes back where the guest opened the chat

    def close_panel():
        if embedded:
            controller.close_panel()
            controller.host.emit("hide")  # the loader hides the frame and focuses its launcher
        elif panel.matches(":popover-open"):
            panel.hidePopover()

    def escape(event):
        if str(event.key) != "Escape" or event.defaultPrevented:
            return
        event.preventDefault()
        if not renderer.close_menu():  # an open menu or confirmation closes first
            close_panel()

    def wire_composer():
        """Listeners on the composer's field, attach button and file picker (again after a redraw)."""
        _on(field(), "keydown", keydown)
        _on(field(), "input", typed)
        _on(field(), "paste", pasted)
        attach = document.getElementById("chat-attach")
        if attach and picker():
            _on(attach, "click", lambda e: picker().click())
            _on(picker(), "change", picked)

    _on(composer, "submit", submit)
    wire_composer()
    renderer.on_composer = wire_composer
    for kind in ("dragenter", "dragover", "dragleave"):
        _on(panel, kind, dragging)
    _on(panel, "drop", dropped)
    if embedded:
        # The loader on the host page shows and hides the whole frame; the panel fills it.
        panel.removeAttribute("popover")
        bridge.listen(controller, lambda fn: guarded(fn, _show_crash))

        _on(panel.querySelector(".gcw-close"), "click", lambda e: close_panel())
    else:
        _on(panel, "toggle", toggled)
    _on(panel, "keydown", escape)
    _on(document, "visibilitychange", lambda e: controller.visibility(not document.hidden))
    _on(document.getElementById("chat-earlier"), "click", lambda e: controller.load_earlier())
    # The transcript is saved at most once a second; pagehide catches the last changes.
    _on(js.window, "pagehide", lambda e: controller.flush())
    _on(js.window, "online", lambda e: controller.online())
    controller.attention.visible = not document.hidden
    document.documentElement.setAttribute("data-chat-python", "ready")
    languages = js.navigator.languages
    controller.boot(str(js.window.location.href), [str(languages[i]) for i in range(int(languages.length))])
    if not embedded and panel.matches(":popover-open"):  # opened before Python was ready
        controller.open_panel()


def start():
    guarded(main, _show_crash)()
