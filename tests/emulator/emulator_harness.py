"""A web-messaging test client and frame predicates for the emulator suite (imported by tests)."""
import json
import time
import uuid

import httpx
import jsonschema
from shyrka import SCHEMA_PATH, FrameInvalid
from websockets.sync.client import connect

from emulator.deployments import DEMO_DEPLOYMENT_ID

TEST_BOT_DELAY = 0.05


class Emulator:
    def __init__(self, port):
        self.port = port
        self.base = "http://127.0.0.1:%d" % port
        self.ws_base = "ws://127.0.0.1:%d" % port
        self.http = httpx.Client(base_url=self.base, timeout=5)

    def socket_url(self, deployment_id=DEMO_DEPLOYMENT_ID):
        return "%s/v1?deploymentId=%s" % (self.ws_base, deployment_id)

    def guest(self, deployment_id=DEMO_DEPLOYMENT_ID, origin=None, token=None):
        return Guest(self, deployment_id, origin, token)

    def patch(self, deployment_id=DEMO_DEPLOYMENT_ID, **settings):
        response = self.http.post("/_emulator/deployments/%s" % deployment_id, json=settings)
        assert response.status_code == 200, response.text
        return response.json()

    def session(self, token):
        response = self.http.get("/_emulator/sessions/%s" % token)
        assert response.status_code == 200, response.text
        return response.json()

    def control(self, token, path, body=None):
        return self.http.post("/_emulator/sessions/%s/%s" % (token, path), json=body or {})


class Guest:
    """A web-messaging client over a real socket, reading frames as parsed dicts."""

    def __init__(self, emulator, deployment_id, origin, token):
        self.emulator = emulator
        self.token = token or str(uuid.uuid4())
        self.deployment_id = deployment_id
        headers = {"Origin": origin} if origin else None
        self.ws = connect(emulator.socket_url(deployment_id), additional_headers=headers, open_timeout=5,
                          legacy=True)
        self.seen = []

    def send(self, request, raw=False):
        self.ws.send(request if raw else json.dumps(request))

    def action(self, action, **fields):
        request = {"action": action, "token": self.token}
        request.update(fields)
        self.send(request)

    def recv(self, timeout=3):
        frame = json.loads(self.ws.recv(timeout=timeout))
        self.seen.append(frame)
        return frame

    def expect(self, predicate, timeout=3):
        """The next frame matching `predicate`, skipping others (they stay in `seen`)."""
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError("no matching frame; seen: %s" % json.dumps(self.seen)[-2000:])
            frame = self.recv(timeout=remaining)
            if predicate(frame):
                return frame

    def configure(self, **fields):
        self.action("configureSession", deploymentId=self.deployment_id, **fields)
        return self.expect(lambda f: f["class"] in ("SessionResponse", "string"))

    def say(self, text, **fields):
        self.action("onMessage", message={"type": "Text", "text": text}, **fields)

    def join(self):
        self.action("onMessage", message={"type": "Event", "events": [{"eventType": "Presence",
                                                                        "presence": {"type": "Join"}}]})

    def echo(self, tracing_id="echo-1"):
        self.action("echo", tracingId=tracing_id, message={"type": "Text", "text": "ping"})
        return self.expect(lambda f: f.get("tracingId") == tracing_id)

    def quiet(self, seconds=0.2):
        """Frames that arrive within `seconds` (asserting on silence)."""
        got = []
        try:
            while True:
                got.append(self.recv(timeout=seconds))
        except TimeoutError:
            return got

    def close(self):
        self.ws.close()


def is_text(frame, entity=None, direction="Outbound"):
    body = frame.get("body")
    return (frame["class"] == "StructuredMessage" and isinstance(body, dict)
            and body.get("type") in ("Text", "Structured")
            and body.get("direction") == direction and (entity is None or body.get("originatingEntity") == entity))


def is_event(frame, event_type, kind=None, direction="Outbound"):
    body = frame.get("body")
    if frame["class"] != "StructuredMessage" or not isinstance(body, dict) or body.get("type") != "Event":
        return False
    if body.get("direction") != direction:
        return False
    for event in body.get("events", []):
        if event.get("eventType") == event_type:
            inner = event.get(event_type.lower(), {})
            if kind is None or inner.get("type") == kind:
                return True
    return False


# The schema's StructuredMessage types `content[]` loosely (BaseMessagingContent checks only
# `contentType` and `attachment`), so each item is also checked against MessageContent, which
# types every keyed shape (card, carousel, datePicker, listPicker, ...).
_CONTENT_VALIDATOR = jsonschema.Draft4Validator({
    "definitions": json.loads(SCHEMA_PATH.read_text())["definitions"], "$ref": "#/definitions/MessageContent"})


def validate_content(frame):
    body = frame.get("body")
    if frame.get("class") != "StructuredMessage" or not isinstance(body, dict):
        return
    for item in body.get("content", []):
        errors = list(_CONTENT_VALIDATOR.iter_errors(item))
        if errors:
            raise FrameInvalid("content item does not validate against MessageContent: %s\n%s"
                               % (errors[0].message, json.dumps(item)[:1000]))
        key = item["contentType"][0].lower() + item["contentType"][1:]
        if key not in item:
            raise FrameInvalid("content item lacks its %r object: %s" % (key, json.dumps(item)[:1000]))
