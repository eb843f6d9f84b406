"""What the page around the chat is told, and what it may ask: the host-page API's Python side.

Embedded in a frame (static/pychat-v1.js on the host page), events go to the one host origin that
introduced itself with an allowed `init` (see app/chat/embed.py); served inline, they become DOM
events on the page's own window (`pychat:message`, ...). Either way the edge's
`ports.post_host(origin, message)` carries them. The unread count and the `message` and `unread`
events come from app/chat/attention.py.
"""
from app.chat import embed


class HostLink:
    def __init__(self, ports, embedded=False, parent_origin=None):
        self.ports = ports
        self.embedded = embedded
        self.parent_origin = parent_origin  # the embedding page's origin, where the browser tells it
        self.origin = None  # the accepted host page (embedded only)
        self.allowed = []  # origins that may introduce themselves
        self.refused = []  # origins already logged as refused (logged once each)
        self.ended = False

    # -- who may talk -------------------------------------------------------------------------
    def listen(self, data, own_origin):
        """Settings known: say hello to every allowed host (only the real parent receives it)."""
        self.allowed = embed.hosts(data, own_origin)
        if not self.embedded:
            return
        if self.parent_origin is None:  # the browser does not say who embeds us: try each
            for origin in self.allowed:
                self.ports.post_host(origin, embed.message("hello"))
        elif self.parent_origin in self.allowed:
            self.ports.post_host(self.parent_origin, embed.message("hello"))
        else:
            self.ports.log("warn", "chat: embedded by %s, which may not embed this chat: add it to \"embed\": "
                                   "{\"hosts\": [...]} in the chat's config.json" % self.parent_origin)

    def accepts(self, origin):
        if origin in self.allowed and (self.origin is None or origin == self.origin):
            return True
        if origin not in self.refused:
            self.refused.append(origin)
            self.ports.log("warn", "chat: ignored a message from %s: only %s may embed this chat (add the page's "
                                   "origin to \"embed\": {\"hosts\": [...]} in the chat's config.json)"
                           % (origin, ", ".join(self.allowed) or "no page"))
        return False

    # -- telling the host ---------------------------------------------------------------------
    def emit(self, kind, **fields):
        if self.embedded and self.origin is None:
            return  # nobody trusted is listening yet
        self.ports.post_host(self.origin if self.embedded else None, embed.message(kind, **fields))

    def conversation_ended(self):
        if not self.ended:
            self.ended = True
            self.emit("ended")

    def failed(self, reason):
        self.emit("error", reason=reason)
