"""Client -> service frames: one function per action, each returning the JSON text to send.

Every builder takes what a real clock and id source would give (`tracing_id`, `time`) as
arguments, so frames are deterministic in tests. Shapes follow Genesys' schema (shyrka-chat):
`onMessage` carries `time` because the schema requires it, although the official SDKs omit it.
"""
import json


def _frame(action, token, tracing_id=None, **fields):
    frame = {"action": action, "token": token}
    if tracing_id:
        frame["tracingId"] = tracing_id
    for key in fields:
        if fields[key] is not None:
            frame[key] = fields[key]
    return json.dumps(frame)


def configure_session(token, deployment_id, tracing_id=None, start_new=False, journey_context=None):
    return _frame("configureSession", token, tracing_id, deploymentId=deployment_id,
                  startNew=True if start_new else None, journeyContext=journey_context)


def configure_authenticated_session(token, deployment_id, jwt, tracing_id=None, start_new=False):
    return _frame("configureAuthenticatedSession", token, tracing_id, deploymentId=deployment_id,
                  startNew=True if start_new else None, data={"code": jwt})


def _channel(custom_attributes):
    if custom_attributes:
        return {"metadata": {"customAttributes": dict(custom_attributes)}}
    return None


def text_message(token, text, tracing_id, time, custom_attributes=None, attachments=()):
    """attachments: (attachment id, mediaType) pairs of uploaded files; the schema requires the
    mediaType (Image, Video, Audio, File) although the SDKs send only the id."""
    message = {"type": "Text", "text": text}
    if attachments:
        message["content"] = [{"contentType": "Attachment", "attachment": {"id": a, "mediaType": kind}}
                              for a, kind in attachments]
    channel = _channel(custom_attributes)
    if channel:
        message["channel"] = channel
    return _frame("onMessage", token, tracing_id, time=time, message=message)


def button_response(token, kind, text, payload, tracing_id, time, originating_message_id=None):
    """A quick reply (kind "QuickReply"), card postback ("Button"), date ("DatePicker") or list
    ("ListPicker") selection. Card postbacks travel as Structured messages, the rest as Text."""
    response = {"text": text, "payload": payload, "type": kind}
    if originating_message_id:
        response["originatingMessageId"] = originating_message_id
    message = {
        "type": "Structured" if kind == "Button" else "Text",
        "text": text if kind == "Button" else "",
        "content": [{"contentType": "ButtonResponse", "buttonResponse": response}],
    }
    return _frame("onMessage", token, tracing_id, time=time, message=message)


def _event(token, event, tracing_id, time, custom_attributes=None):
    message = {"type": "Event", "events": [event]}
    channel = _channel(custom_attributes)
    if channel:
        message["channel"] = channel
    return _frame("onMessage", token, tracing_id, time=time, message=message)


def typing(token, tracing_id, time):
    return _event(token, {"eventType": "Typing", "typing": {"type": "On"}}, tracing_id, time)


def presence_join(token, tracing_id, time, custom_attributes=None):
    return _event(token, {"eventType": "Presence", "presence": {"type": "Join"}}, tracing_id, time,
                  custom_attributes)


def presence_clear(token, tracing_id, time):
    return _event(token, {"eventType": "Presence", "presence": {"type": "Clear"}}, tracing_id, time)


def echo(token, tracing_id, text="ping"):
    return _frame("echo", token, tracing_id, message={"type": "Text", "text": text})


def get_jwt(token, tracing_id):
    return _frame("getJwt", token, tracing_id)


def close_session(token, tracing_id=None, close_all_connections=True):
    return _frame("closeSession", token, tracing_id, closeAllConnections=bool(close_all_connections))


def request_upload(token, attachment_id, file_name, file_type, file_size, file_md5, tracing_id):
    return _frame("onAttachment", token, tracing_id, attachmentId=attachment_id, fileName=file_name,
                  fileType=file_type, fileSize=file_size, fileMd5=file_md5, errorsAsJson=True)


def request_download(token, attachment_id, tracing_id):
    return _frame("getAttachment", token, tracing_id, attachmentId=attachment_id)


def delete_attachment(token, attachment_id, tracing_id):
    return _frame("deleteAttachment", token, tracing_id, attachmentId=attachment_id)


def get_configuration(token, deployment_id, tracing_id):
    return _frame("getConfiguration", token, tracing_id, deploymentId=deployment_id)
