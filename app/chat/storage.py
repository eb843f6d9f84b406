"""What survives a reload: the session token, the outbox, the transcript and its unfilled gaps.

Keys are `gc-chat:<deploymentId>:token|outbox|transcript|gaps` in the port's storage. The outbox
is saved at once (it is small and must survive a reload); the transcript at most once a second
(it grows; the edge also calls flush() when the page is hidden). The transcript and its gaps are
written together, so a reload never sees rows newer than a gap without the gap.
"""
import json

from app.chat.transcript import ChatState, guest_row, row_to_dict
from app.protocol import jsontext

SAVE_DELAY_MS = 1000
# The saved transcript's size at most: on MicroPython one string of more than about a megabyte
# cannot be allocated when the page reads it back (MemoryError, measured: 1.68 MB failed), which
# would lose the whole transcript on a reload. 500 long messages could pass that; the oldest go.
MAX_SAVED_CHARS = 600_000


def loads(text, default):
    if not text:
        return default
    try:
        return jsontext.loads(text)
    except Exception:
        return default


class Storage:
    def __init__(self, ports, deployment_id):
        self.ports = ports
        self.key = "gc-chat:" + deployment_id
        self._saved_outbox = None
        self._saved_version = -1
        self._saved_gaps = ""
        self._handle = None
        self._row_texts = {}  # row key -> (row, its JSON): only new or changed rows are encoded again

    # -- token ------------------------------------------------------------------------------
    def token(self):
        return self.ports.load(self.key + ":token") or ""

    def set_token(self, token):
        self.ports.save(self.key + ":token", token)

    # -- restore ----------------------------------------------------------------------------
    def restore(self, outbox):
        """Fill `outbox` and return (ChatState, saved gaps or None)."""
        outbox.restore(loads(self.ports.load(self.key + ":outbox"), []))
        # The outbox is saved at once, the transcript up to a second later (and a page killed
        # without `pagehide` never flushes): make them agree. A pending row whose send left the
        # outbox was confirmed (history brings it back as sent); a send without a row gets one.
        waiting = outbox.ids()
        if not self.token():
            # No session (the guest ended the chat, or never had one): nothing of an old
            # conversation comes back under a new one.
            state = ChatState()
            for item in outbox.items:
                state.put(guest_row(item["id"], item["text"]))
            self._saved_gaps = ""
            return state, None
        rows = loads(self.ports.load(self.key + ":transcript"), [])
        rows = [r for r in (rows if isinstance(rows, list) else [])
                if isinstance(r, dict) and not (r.get("status") == "pending" and r.get("key") not in waiting)]
        state = ChatState(rows)
        for item in outbox.items:
            if not state.has(item["id"]):
                state.put(guest_row(item["id"], item["text"]))
        gaps = loads(self.ports.load(self.key + ":gaps"), None)
        self._saved_gaps = json.dumps(gaps) if gaps else ""
        return state, gaps

    # -- persist ----------------------------------------------------------------------------
    def persist(self, state, outbox, gaps):
        text = outbox.saved_text()
        if text != self._saved_outbox:
            self._saved_outbox = text
            self.ports.save(self.key + ":outbox", text)
        changed = state.version != self._saved_version or _gaps_text(gaps) != self._saved_gaps
        if changed and self._handle is None:
            self._handle = self.ports.schedule(SAVE_DELAY_MS, self._due)

    def _due(self):
        self._handle = None
        self.on_due()

    def on_due(self):
        """Replaced by the owner: called when a batched save is due (it then calls flush)."""

    def flush(self, state, gaps):
        self._handle = None
        if state.version != self._saved_version:
            self._saved_version = state.version
            self.ports.save(self.key + ":transcript", self._transcript_text(state))
        text = _gaps_text(gaps)
        if text != self._saved_gaps:
            self._saved_gaps = text
            self.ports.save(self.key + ":gaps", text)


    def _transcript_text(self, state):
        """The transcript as JSON, row by row: MicroPython's json.dumps of one big list takes
        ~10x as long as that of its items one by one (86 ms vs 8 ms for 500 mixed rows), and a
        row that did not change keeps the text it had."""
        texts = []
        known = {}
        size = 2
        rows = state.kept()
        for index in range(len(rows) - 1, -1, -1):  # newest first, while they fit
            row = rows[index]
            found = self._row_texts.get(row.key)
            if found is None or found[0] is not row:
                found = (row, json.dumps(row_to_dict(row)))
            size += len(found[1]) + 1
            if size > MAX_SAVED_CHARS and texts:
                break
            known[row.key] = found
            texts.append(found[1])
        self._row_texts = known
        texts.reverse()
        return "[" + ",".join(texts) + "]"


def _gaps_text(gaps):
    return json.dumps(gaps) if gaps else ""
