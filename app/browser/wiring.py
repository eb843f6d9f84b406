"""Wires the browser edge to the chat controller, in steps (app/main.py runs them as separate
tasks once the app's modules are laid out). No logic lives here.

0. prefetch(): the ports; the settings, then the deployment's config, are asked for.
1. boot(): the controller, and what needs no drawing code: it reads the settings and the
   deployment's config (answered from step 0) and opens the socket when the panel is open or a
   session exists.
2. start(): the drawing code is imported, the panel's renderer built and handed what the
   controller asked of it meanwhile, and the panel's own listeners attached.

So the network round trips of the start run while the controller and the drawing code are still
being imported.
"""
import asyncio

import js
from pyscript import document
from pyscript.ffi import create_proxy

from app.browser.ports import BrowserPorts, guarded
from app.chat.strings import t

_booted = {}  # what the steps made, for the next: "ports", "embedded", "controller"


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


def _prefetch():
    from app.browser import bridge
    from app.chat import settings as settings_mod

    embedded = bridge.embedded()
    ports = BrowserPorts(_show_crash, embedded)
    _booted.update(ports=ports, embedded=embedded)
    page_url = str(js.window.location.href)
    if settings_mod.query_param(page_url, "config"):
        return  # which settings file counts is the controller's to decide

    def settings_known(status, data):
        # Embedded, the host page's options may name another deployment: the controller asks then.
        if status != 200 or embedded:
            return
        try:
            settings = settings_mod.parse(data, page_url)
        except settings_mod.SettingsError:
            return  # the controller explains
        ports.prefetch(settings_mod.deployment_config_url(settings))

    ports.prefetch(settings_mod.config_url(page_url, with_param=False), settings_known)


def _boot():
    from app.browser import bridge
    from app.chat.controller import Controller

    ports, embedded = _booted["ports"], _booted["embedded"]
    controller = Controller(ports, embedded, bridge.parent_origin() if embedded else None)
    ports.attach(controller)
    ports.watch_policy()
    _booted["controller"] = controller
    panel = document.getElementById("chat-panel")
    launcher = document.getElementById("chat-launcher")

    def toggled(event):
        if str(event.newState) == "open":
            controller.open_panel()
        else:
            controller.close_panel()
            if launcher:
                launcher.focus()  # focus goes back where the guest opened the chat

    # What opens the panel or talks to the host page is listened for before the settings are
    # read: the host's init answers the hello the settings send.
    if embedded:
        # The loader on the host page shows and hides the whole frame; the panel fills it.
        panel.removeAttribute("popover")
        bridge.listen(controller, lambda fn: guarded(fn, _show_crash))
    else:
        _on(panel, "toggle", toggled)
    _on(document, "visibilitychange", lambda e: controller.visibility(not document.hidden))
    # The transcript is saved at most once a second; pagehide catches the last changes.
    _on(js.window, "pagehide", lambda e: controller.flush())
    _on(js.window, "online", lambda e: controller.online())
    controller.attention.visible = not document.hidden
    languages = js.navigator.languages
    controller.boot(str(js.window.location.href), [str(languages[i]) for i in range(int(languages.length))])
    if not embedded and panel.matches(":popover-open"):  # opened before Python was ready
        controller.open_panel()


def _start():
    from app.browser.dom import PanelRenderer  # the drawing code, imported once the chat has booted

    ports, controller, embedded = _booted["ports"], _booted["controller"], _booted["embedded"]
    renderer = PanelRenderer()
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
        _on(panel.querySelector(".gcw-close"), "click", lambda e: close_panel())
    _on(panel, "keydown", escape)
    _on(document.getElementById("chat-earlier"), "click", lambda e: renderer.show_earlier())
    ports.use_renderer(renderer)  # what the controller asked of the panel so far is drawn next frame
    document.documentElement.setAttribute("data-chat-python", "ready")


def prefetch():
    """Step 0, before the controller is imported: the settings, then the deployment's config, are
    asked for now (the controller's own requests for them are answered from these). Returns
    whether step 1 may follow."""
    return guarded(lambda: _prefetch() or True, _show_crash)() is True


def boot():
    """Step 1: returns whether step 2 may follow (a failure has shown its notice)."""
    return guarded(lambda: _boot() or True, _show_crash)() is True


def start():
    guarded(_start, _show_crash)()
