"""Every frame the client core can build validates against Genesys' schema (shyrka-chat)."""
import json

import pytest

from app.protocol import connection as c
from app.protocol import frames as f
from shyrka import FrameInvalid, validate_client_frame

T = "00000000-0000-4000-8000-000000000001"
NOW = "2026-11-21T20:00:00.000Z"

BUILT = {
    "configure": f.configure_session(T, "dep", "tr"),
    "configure_new": f.configure_session(T, "dep", start_new=True, journey_context={
        "customer": {"id": T, "idType": "cookie"}, "customerSession": {"id": "", "type": "web"}}),
    "configure_auth": f.configure_authenticated_session(T, "dep", "jwt-x"),
    "text": f.text_message(T, "hello", "tr", NOW),
    "text_attrs": f.text_message(T, "hello", "tr", NOW, {"name": "Jane"}, [("att-1", "Image")]),
    "quick_reply": f.button_response(T, "QuickReply", "Yes", "YES", "tr", NOW, "m1"),
    "card_button": f.button_response(T, "Button", "Select", "p1", "tr", NOW),
    "date_picker": f.button_response(T, "DatePicker", "", "2026-12-01T10:00:00Z", "tr", NOW),
    "list_picker": f.button_response(T, "ListPicker", "Item", "i1", "tr", NOW),
    "typing": f.typing(T, "tr", NOW),
    "join": f.presence_join(T, "tr", NOW, {"a": "b"}),
    "clear": f.presence_clear(T, "tr", NOW),
    "echo": f.echo(T, c.HEALTH_CHECK_ID),
    "jwt": f.get_jwt(T, "tr"),
    "close": f.close_session(T, "tr"),
    "upload": f.request_upload(T, "att-1", "a.png", "image/png", 10, "md5", "tr"),
    "download": f.request_download(T, "att-1", "tr"),
    "delete": f.delete_attachment(T, "att-1", "tr"),
    "get_configuration": f.get_configuration(T, "dep", "tr"),
}


@pytest.mark.parametrize("name", sorted(BUILT))
def test_built_frame_validates(name):
    validate_client_frame(BUILT[name])


def test_validator_rejects_a_wrong_frame():
    with pytest.raises(FrameInvalid):
        validate_client_frame({"action": "onMessage", "token": T, "message": {"type": "Text"}})  # no time


def test_core_outputs_validate():
    conn = c.Connection("dep", T, auto_start=True)
    conn.connect()
    outs = conn.socket_opened(0)
    outs += conn.receive(json.dumps({"type": "response", "class": "SessionResponse", "code": 200,
                                     "body": {"connected": True, "newSession": True}}), 1, NOW)
    outs += [conn.send_text("hi", "tr", NOW), conn.send_typing("tr2", NOW), conn.request_jwt("tr3")]
    outs += conn.tick(60_000, 0.5)
    sent = [o.text for o in outs if type(o).__name__ == "Send"]
    assert len(sent) == 6
    for text in sent:
        validate_client_frame(text)
