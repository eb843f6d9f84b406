"""Validate web-messaging socket frames against Genesys' own schema (shyrka-chat, MIT).

The schema is Swagger 2.0; its `definitions` are JSON-Schema draft 4 objects, so each frame is
checked against `{"$ref": "#/definitions/<Name>"}` with the whole definitions table as the root.

Two readings of the schema are ours (documented in emulator/README.md):
- A server frame's `body` is validated against the definition named by its `class`. The envelope
  (`BaseMessage`) declares `body` an object, but `class: "string"` frames (the service's error
  replies, e.g. `{"class":"string","code":4011,"body":"message too long"}`) carry a JSON string:
  for that class alone the class name is the body's type.
- `class: "Unknown"` has no definition and is never valid for us to emit.
"""
import json
import pathlib

import jsonschema

SCHEMA_PATH = pathlib.Path(__file__).parent / "schema" / "shyrka-chat.swagger.json"
_DEFINITIONS = json.loads(SCHEMA_PATH.read_text())["definitions"]

# action -> request definition (the model names do not all follow the action names)
REQUEST_DEFINITIONS = {
    "configureSession": "ConfigureSessionRequest",
    "configureAuthenticatedSession": "ConfigureAuthenticatedSessionRequest",
    "onMessage": "SendMessageRequest",
    "echo": "SendEchoRequest",
    "getJwt": "GetJwtRequest",
    "onAttachment": "GenerateUploadUrlRequest",
    "getAttachment": "GenerateDownloadUrlRequest",
    "deleteAttachment": "DeleteAttachmentRequest",
    "closeSession": "CloseSessionRequest",
    "getConfiguration": "GetConfigurationRequest",
}

# class -> body definition; "string" is handled apart (see module docstring)
BODY_DEFINITIONS = {
    name: ("ErrorMessage" if name == "Error" else name)
    for name in _DEFINITIONS["MessageDataType"]["enum"]
    if name not in ("string", "Unknown")
}

_validators = {}


def _validator(name):
    if name not in _validators:
        schema = {"definitions": _DEFINITIONS, "$ref": "#/definitions/" + name}
        _validators[name] = jsonschema.Draft4Validator(schema)
    return _validators[name]


class FrameInvalid(AssertionError):
    pass


def _check(name, obj, what):
    errors = sorted(_validator(name).iter_errors(obj), key=lambda e: list(e.path))
    if errors:
        detail = "; ".join(
            "%s at %s" % (e.message, "/".join(str(p) for p in e.path) or "(root)") for e in errors[:5]
        )
        raise FrameInvalid("%s does not validate against %s: %s\n%s" % (what, name, detail, json.dumps(obj)[:2000]))


def _load(frame):
    if isinstance(frame, (str, bytes)):
        return json.loads(frame)
    return frame


def validate_client_frame(frame):
    """Raise FrameInvalid unless `frame` (text or dict) is a schema-valid client request."""
    obj = _load(frame)
    if not isinstance(obj, dict):
        raise FrameInvalid("client frame is not a JSON object: %r" % (obj,))
    name = REQUEST_DEFINITIONS.get(obj.get("action"))
    if name is None:
        raise FrameInvalid("client frame has an action the schema does not define: %r" % (obj.get("action"),))
    _check(name, obj, "client frame")
    return obj


def validate_server_frame(frame):
    """Raise FrameInvalid unless `frame` (text or dict) is a schema-valid server frame."""
    obj = _load(frame)
    if not isinstance(obj, dict):
        raise FrameInvalid("server frame is not a JSON object: %r" % (obj,))
    cls = obj.get("class")
    envelope = dict(obj)
    if cls == "string":
        if not isinstance(obj.get("body"), str):
            raise FrameInvalid("class 'string' frame must carry a string body: %s" % json.dumps(obj)[:500])
        envelope["body"] = {}
    _check("BaseMessage", envelope, "server frame envelope")
    if cls != "string":
        name = BODY_DEFINITIONS.get(cls)
        if name is None:
            raise FrameInvalid("server frame class %r has no body definition" % (cls,))
        _check(name, obj["body"], "server frame body (%s)" % cls)
    return obj
