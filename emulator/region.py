"""The state of one fake region: deployments, sessions, credentials, and the frame log.

Everything runs on the server's single event loop, so no locks guard this state; the only
lock is per socket, to keep each socket's frames in emission order.
"""
import asyncio
import base64
import hashlib
import hmac
import json
import secrets
import time
from collections import deque

from . import conversation, platform
from . import deployments as deployments_module
from . import frames
from .download_links import DownloadLinks
from .faults import Faults
from .idp import IdentityProvider
from .sessions import Session

DEMO_CLIENT_ID = "emulator-demo-client"
DEMO_CLIENT_SECRET = "emulator-demo-secret-not-for-browsers"
LIMITED_CLIENT_ID = "emulator-limited-client"  # a role with no permissions: every guarded call is 403
LIMITED_CLIENT_SECRET = "emulator-limited-secret"
ACCESS_TOKEN_SECONDS = 86400  # Genesys' default client-credentials token lifetime (reference §5.1)
EXPIRY_SWEEP_SECONDS = 0.25
REGION_FRAMES = 5000  # the frame log keeps the newest frames (a development tool, not an archive)


class Region:
    def __init__(self, bot_delay_seconds=1.0):
        self.default_bot_delay = bot_delay_seconds
        self.deployments = deployments_module.default_deployments(bot_delay_seconds)
        self.platform = platform.Directory()  # queues, schedules, schedule groups
        self.clients = {DEMO_CLIENT_ID: DEMO_CLIENT_SECRET, LIMITED_CLIENT_ID: LIMITED_CLIENT_SECRET}
        self.permissions = {DEMO_CLIENT_ID: set(platform.PERMISSIONS), LIMITED_CLIENT_ID: set()}
        self.access_tokens = {}  # access token -> (expiry epoch s, client id)
        self._jwt_key = secrets.token_bytes(32)
        self.idp = IdentityProvider(self)
        self.faults = Faults()
        self.sessions = {}
        self.expired_tokens = set()  # expired while a socket was open: 4006 on the next configure
        self._sweeper = None
        self.attachments = {}  # attachment id -> attachments.Attachment
        self.download_links = DownloadLinks()
        self.connections = set()
        self.frames = deque(maxlen=REGION_FRAMES)  # {"token", "frame"} in emission order, the newest kept
        self.calls = {}  # "token" and platform API paths -> how many times a client asked (GET /_emulator/calls)
        self.tasks = set()
        self.bot = None  # set by create_app (the bot needs the region, and the region calls it)

    # -- lifecycle ---------------------------------------------------------------------------

    async def reset(self, deployments=False):
        for task in list(self.tasks):
            task.cancel()
        self.tasks.clear()
        for connection in list(self.connections):
            await connection.close(1001, "emulator reset")
        self.connections.clear()
        self.sessions.clear()
        self.attachments.clear()
        self.frames.clear()
        self.calls.clear()
        self.expired_tokens.clear()
        self.faults.clear()
        self.idp.reset()
        if deployments:
            self.deployments = deployments_module.default_deployments(self.default_bot_delay)
            self.platform = platform.Directory()

    @property
    def queues(self):
        return self.platform.queues

    def start_expiry_sweeper(self):
        """Expire sessions whose TTL passes while a socket is open (the service pushes the event
        rather than waiting for the guest's next request). Started by the first socket."""
        if self._sweeper is None or self._sweeper.done():
            self._sweeper = asyncio.get_running_loop().create_task(self._sweep())

    async def _sweep(self):
        while True:
            await asyncio.sleep(EXPIRY_SWEEP_SECONDS)
            for session in [s for s in self.sessions.values() if s.connections and s.expired]:
                self.expired_tokens.add(session.token)
                await conversation.expire(self, session, close=True)

    def spawn(self, coroutine):
        """Run background work (bot turns) that a reset can cancel."""
        task = asyncio.get_running_loop().create_task(coroutine)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
        return task

    def count_call(self, what):
        self.calls[what] = self.calls.get(what, 0) + 1

    # -- frames ------------------------------------------------------------------------------

    def record(self, frame, session=None):
        """Log a frame; True when the drop-every fault says the session's sockets go after it."""
        self.frames.append({"token": session.token if session else None, "frame": frame})
        if session is None:
            return False
        session.outbound.append(frame)
        every = self.faults.drop_every_for(session.token)
        if not every:
            return False
        session.frames_since_drop += 1
        if session.frames_since_drop < every:
            return False
        session.frames_since_drop = 0
        return True

    async def reply(self, connection, frame, session=None):
        """Answer one socket."""
        drop = self.record(frame, session)
        await connection.send(frame)
        if drop:
            self.abort_sockets(session)

    async def push(self, session, frame):
        """Send to every open socket of the session (a guest may have several tabs)."""
        drop = self.record(frame, session)
        for connection in list(session.connections):
            await connection.send(frame)
        if drop:
            self.abort_sockets(session)

    def abort_sockets(self, session):
        """An abnormal close (1006) of every socket of the session; the session stays resumable."""
        dropped = list(session.connections)
        session.connections.clear()
        for connection in dropped:
            connection.abort()
        return len(dropped)

    async def push_message(self, session, body, tracing_id=None):
        """Push a StructuredMessage and keep it in the transcript (typing is not kept)."""
        if not _is_typing(body):
            session.transcript.append(body)
        await self.push(session, frames.message(body, tracing_id))

    # -- sessions ----------------------------------------------------------------------------

    def session_for(self, token):
        return self.sessions.get(token)

    def create_session(self, token, deployment):
        session = Session(token, deployment)
        self.sessions[token] = session
        return session

    def drop_session(self, session):
        self.sessions.pop(session.token, None)

    def waiting_count(self, queue_id):
        count = 0
        for session in self.sessions.values():
            deployment = self.deployments.get(session.deployment_id)
            if deployment and deployment.queue_id == queue_id and session.waiting_for_agent and not session.read_only:
                count += 1
        return count

    # -- credentials -------------------------------------------------------------------------

    def issue_access_token(self, client_id=DEMO_CLIENT_ID):
        token = secrets.token_urlsafe(32)
        self.access_tokens[token] = (time.time() + ACCESS_TOKEN_SECONDS, client_id)
        return token, ACCESS_TOKEN_SECONDS

    def access_token_client(self, token):
        """The OAuth client id behind a live access token, else None."""
        entry = self.access_tokens.get(token)
        return entry[1] if entry is not None and time.time() < entry[0] else None

    def access_token_valid(self, token):
        return self.access_token_client(token) is not None

    def issue_jwt(self, session, seconds):
        """An HS256 JWT naming the session; only this process can verify it (fine for a fake)."""
        exp = int(time.time()) + seconds
        claims = {"iss": "urn:emulator:webmessaging", "use": "history", "sub": session.token,
                  "did": session.deployment_id, "conv": session.conversation_id, "iat": int(time.time()), "exp": exp}
        return self.sign(claims), exp

    def sign(self, claims):
        header = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
        payload = _b64(json.dumps(claims, separators=(",", ":")).encode())
        signature = _b64(hmac.new(self._jwt_key, (header + "." + payload).encode(), hashlib.sha256).digest())
        return header + "." + payload + "." + signature

    def verify_jwt(self, jwt, use="history"):
        """Return the claims of a valid, unexpired JWT of ours made for `use`, else None (a
        guest's history JWT is no sign-in JWT, and the other way round)."""
        claims = self._verify(jwt)
        return claims if claims is not None and claims.get("use") == use else None

    def _verify(self, jwt):
        parts = jwt.split(".")
        if len(parts) != 3:
            return None
        expected = _b64(hmac.new(self._jwt_key, (parts[0] + "." + parts[1]).encode(), hashlib.sha256).digest())
        if not hmac.compare_digest(expected, parts[2]):
            return None
        try:
            claims = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
        except ValueError:
            return None
        if not isinstance(claims, dict) or not isinstance(claims.get("exp"), int) or claims["exp"] <= time.time():
            return None
        return claims


def _b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _is_typing(body):
    events = body.get("events") or []
    return body.get("type") == "Event" and any(e.get("eventType") == "Typing" for e in events)
