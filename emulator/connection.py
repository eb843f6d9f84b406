"""One accepted socket and its outgoing stream.

Frames are queued and written by one task per socket, so they leave in emission order and a
caller never waits on a slow peer. The writer is also where the transport faults act (delay,
reorder, abortive drop): a held or shuffled frame must not hold up the request handler, or
the faults would slow down what the client sends instead of what it receives.
"""
import asyncio
import time

from . import frames
from .faults import REORDER_RELEASE_SECONDS

_FRAME, _CLOSE, _ABORT = "frame", "close", "abort"


class Connection:
    def __init__(self, websocket, deployment, region):
        self.websocket = websocket
        self.deployment = deployment
        self.region = region
        # Upload/download URLs point back at the host the client reached us on.
        host = websocket.headers.get("host") or "%s:%s" % (websocket.url.hostname, websocket.url.port)
        self.http_base = ("https://" if websocket.url.scheme == "wss" else "http://") + host
        self.token = None  # set by configureSession
        self.open = True  # False once closed, aborted or gone: later frames are discarded
        self.request_times = []  # monotonic times of counted requests (limits.py)
        self.echo_times = []
        self._queue = asyncio.Queue()
        self._writer = asyncio.get_running_loop().create_task(self._write_loop())

    async def send(self, frame):
        text = frames.dumps(frame)  # here, not in the writer: a frame we cannot encode is our bug
        if self.open:
            hold = self.region.faults.take_delay(self.token)
            self._queue.put_nowait((_FRAME, text, time.monotonic() + hold))

    async def close(self, code=1000, reason=""):
        """Close after the frames already queued (so a ConnectionClosedEvent arrives first)."""
        if self.open:
            self.open = False
            self._queue.put_nowait((_CLOSE, code, reason))

    def abort(self):
        """Drop the TCP connection with no close frame (the client sees 1006), after queued frames."""
        if self.open:
            self.open = False
            self._queue.put_nowait((_ABORT, None, None))

    def gone(self):
        """The peer went away (receive loop ended): stop the writer."""
        self.open = False
        self._writer.cancel()

    async def _write_loop(self):
        pending = None
        while True:
            item = pending or await self._queue.get()
            pending = None
            if item[0] != _FRAME:
                return await self._finish(item)
            reorder = self.region.faults.reorder_for(self.token)
            if reorder is None:
                await self._write(item)
                continue
            group = [item]
            release = time.monotonic() + REORDER_RELEASE_SECONDS
            while len(group) < reorder.window:
                try:
                    nxt = await asyncio.wait_for(self._queue.get(), max(0.0, release - time.monotonic()))
                except asyncio.TimeoutError:
                    break
                if nxt[0] != _FRAME:
                    pending = nxt
                    break
                group.append(nxt)
            reorder.rng.shuffle(group)
            for frame_item in group:
                await self._write(frame_item)

    async def _write(self, item):
        _, text, due = item
        wait = due - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)
        try:
            await self.websocket.send_text(text)
        except Exception:  # the peer went away; the receive loop cleans up
            self.open = False

    async def _finish(self, item):
        kind, code, reason = item
        try:
            if kind == _CLOSE:
                await self.websocket.close(code, reason)
            else:
                _transport(self.websocket).abort()
        except Exception:
            pass


def _transport(websocket):
    # ASGI has no "abort" message, and only aborting the TCP transport yields a close without a
    # frame; faults.RestFaults put uvicorn's protocol (which owns the transport) in the scope.
    return websocket.scope["emulator.protocol"].transport
