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

from . import deployments as deployments_module
from . import frames
from .sessions import Session

DEMO_CLIENT_ID = "emulator-demo-client"
DEMO_CLIENT_SECRET = "emulator-demo-secret-not-for-browsers"
ACCESS_TOKEN_SECONDS = 86400  # Genesys' default client-credentials token lifetime (reference §5.1)


class Region:
    def __init__(self, bot_delay_seconds=1.0):
        self.default_bot_delay = bot_delay_seconds
        self.deployments = deployments_module.default_deployments(bot_delay_seconds)
        self.queues = {deployments_module.DEMO_QUEUE_ID: {"name": "Demo queue"}}
        self.clients = {DEMO_CLIENT_ID: DEMO_CLIENT_SECRET}
        self.access_tokens = {}  # access token -> expiry (epoch s)
        self._jwt_key = secrets.token_bytes(32)
        self.sessions = {}
        self.attachments = {}  # attachment id -> attachments.Attachment
        self.connections = set()
        self.frames = []  # {"token", "frame"} in emission order
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
        if deployments:
            self.deployments = deployments_module.default_deployments(self.default_bot_delay)

    def spawn(self, coroutine):
        """Run background work (bot turns) that a reset can cancel."""
        task = asyncio.get_running_loop().create_task(coroutine)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
        return task

    # -- frames ------------------------------------------------------------------------------

    def record(self, frame, session=None):
        self.frames.append({"token": session.token if session else None, "frame": frame})
        if session is not None:
            session.outbound.append(frame)

    async def reply(self, connection, frame, session=None):
        """Answer one socket."""
        self.record(frame, session)
        await connection.send(frame)

    async def push(self, session, frame):
        """Send to every open socket of the session (a guest may have several tabs)."""
        self.record(frame, session)
        for connection in list(session.connections):
            await connection.send(frame)

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

    def issue_access_token(self):
        token = secrets.token_urlsafe(32)
        self.access_tokens[token] = time.time() + ACCESS_TOKEN_SECONDS
        return token, ACCESS_TOKEN_SECONDS

    def access_token_valid(self, token):
        expiry = self.access_tokens.get(token)
        return expiry is not None and time.time() < expiry

    def issue_jwt(self, session, seconds):
        """An HS256 JWT naming the session; only this process can verify it (fine for a fake)."""
        exp = int(time.time()) + seconds
        header = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
        claims = {"iss": "urn:emulator:webmessaging", "sub": session.token, "did": session.deployment_id,
                  "conv": session.conversation_id, "iat": int(time.time()), "exp": exp}
        payload = _b64(json.dumps(claims, separators=(",", ":")).encode())
        signature = _b64(hmac.new(self._jwt_key, (header + "." + payload).encode(), hashlib.sha256).digest())
        return header + "." + payload + "." + signature, exp

    def verify_jwt(self, jwt):
        """Return the claims of a valid, unexpired JWT of ours, else None."""
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
