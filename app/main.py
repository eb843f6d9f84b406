"""Wires the browser edge to the chat controller. No logic lives here."""
import js
from pyscript import document
from pyscript.ffi import create_proxy

from app.browser.dom import PanelRenderer
from app.browser.ports import BrowserPorts, guarded
from app.chat.controller import Controller


def _show_crash(exc):
    notice = document.getElementById("chat-notice")
    notice.hidden = False
    notice.setAttribute("data-kind", "error")
    notice.querySelector(".notice-title").textContent = "Something went wrong"
    notice.querySelector(".notice-message").textContent = "The chat hit an unexpected problem."
    notice.querySelector(".notice-action").textContent = "Reload the page to try again."


def main():
    ports = BrowserPorts(PanelRenderer(), _show_crash)
    controller = Controller(ports)
    ports.attach(controller)
    composer = document.getElementById("chat-composer")
    field = document.getElementById("chat-input")

    def submit(event):
        event.preventDefault()
        if controller.submit(str(field.value)):
            field.value = ""
        field.focus()

    def keydown(event):
        if event.key == "Enter" and not event.shiftKey and not event.isComposing:
            submit(event)

    composer.addEventListener("submit", create_proxy(guarded(submit, _show_crash)))
    field.addEventListener("keydown", create_proxy(guarded(keydown, _show_crash)))
    field.addEventListener("input", create_proxy(guarded(lambda e: controller.composing(), _show_crash)))
    document.getElementById("chat-notice-button").addEventListener(
        "click", create_proxy(guarded(lambda e: controller.start_new(), _show_crash)))
    document.getElementById("chat-earlier").addEventListener(
        "click", create_proxy(guarded(lambda e: controller.load_earlier(), _show_crash)))
    # The transcript is saved at most once a second; pagehide catches the last changes.
    js.window.addEventListener("pagehide", create_proxy(guarded(lambda e: controller.flush(), _show_crash)))
    js.window.addEventListener("online", create_proxy(guarded(lambda e: controller.online(), _show_crash)))
    document.documentElement.setAttribute("data-chat-python", "ready")
    controller.boot(str(js.window.location.href))


guarded(main, _show_crash)()
