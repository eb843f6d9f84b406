"""The frame's end of the host-page API: window messages in, messages to the parent out.

Only messages from our own parent window are passed on (app/chat/host.py then checks the
origin against the settings); each crosses as plain JSON, so both interpreters read it the
same way. Outgoing messages name their target origin; in a page that is not embedded they
become DOM events (`pychat:<type>`, the message as `detail`) on the page's own window.
"""
import json

import js
from pyscript.ffi import create_proxy

from app.protocol.jsontext import loads

_same = getattr(js.Object, "is")  # Object.is: `is` is a keyword in Python


def embedded():
    """True in a frame opened by the loader (`?embed=1` and a parent window that is not us)."""
    return "embed=1" in str(js.window.location.search) and not _same(js.window.parent, js.window)


def parent_origin():
    """The embedding page's origin where the browser tells it (location.ancestorOrigins), else None."""
    ancestors = getattr(js.window.location, "ancestorOrigins", None)
    if ancestors is not None and int(ancestors.length) > 0:
        return str(ancestors.item(0))
    return None


def listen(controller, guarded):
    def on_message(event):
        if not _same(event.source, js.window.parent):
            return
        try:
            data = loads(str(js.JSON.stringify(event.data)))
        except Exception:
            return  # not JSON-shaped: not ours
        controller.ports.in_task(controller.host_message, str(event.origin), data)

    js.window.addEventListener("message", create_proxy(guarded(on_message)))


def post(origin, message):
    if origin:
        js.window.parent.postMessage(js.JSON.parse(json.dumps(message)), origin)
    else:
        detail = js.JSON.parse(json.dumps({"detail": message}))
        js.window.dispatchEvent(js.CustomEvent.new("pychat:" + message["type"], detail))
