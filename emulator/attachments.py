"""Guest attachments: presigned upload URL, the upload itself, download and delete.

A real region hands out an S3 presigned PUT URL and reports the outcome over the socket once
the file is scanned (`UploadSuccessEvent`); here the "bucket" is `/uploads/{attachmentId}` on
this server, and the outcome is pushed right after the PUT. Download links expire
(download_links.py); `getAttachment` hands out a fresh one.
"""
import secrets

from starlette.background import BackgroundTask
from starlette.responses import JSONResponse, PlainTextResponse, Response

from . import frames

MAX_FILE_NAME = 255
DEFAULT_DOWNLOAD_URL_SECONDS = 600


class Attachment:
    def __init__(self, attachment_id, session, file_name, file_type, file_size):
        self.id = attachment_id
        self.session = session
        self.file_name = file_name
        self.file_type = file_type
        self.file_size = file_size
        self.tag = "emulator=" + secrets.token_hex(8)  # stands in for the signed x-amz-tagging header
        self.data = None
        self.state = "pending"  # -> uploaded -> sent, or failed / deleted

    def media_type(self):
        major = self.file_type.split("/", 1)[0]
        return {"image": "Image", "video": "Video", "audio": "Audio"}.get(major, "File")

    def content(self, region, base):
        return {"contentType": "Attachment", "attachment": {
            "id": self.id, "url": download_url(region, base, self), "filename": self.file_name,
            "fileSize": len(self.data or b""), "mediaType": self.media_type(), "mime": self.file_type}}


def bot_file(region, session, base, file_name, file_type, data):
    """A file the platform side sends to the guest (bot flow media), as an outbound `Attachment`
    content item. It is kept like a sent upload of the session, so its link is signed and
    expires the same way and `getAttachment` renews it; it cannot be deleted (409, as sent)."""
    attachment = Attachment(frames.new_id(), session, file_name, file_type, len(data))
    attachment.data = data
    attachment.state = "sent"
    region.attachments[attachment.id] = attachment
    return attachment.content(region, base)


def upload_url(base, attachment_id):
    return "%s/uploads/%s" % (base, attachment_id)


def download_url(region, base, attachment):
    """A signed link that lives `downloadUrlSeconds` of the session's deployment."""
    deployment = region.deployments.get(attachment.session.deployment_id)
    seconds = deployment.download_url_seconds if deployment else DEFAULT_DOWNLOAD_URL_SECONDS
    return region.download_links.url(base, attachment.id, seconds)


def _type_allowed(deployment, file_type):
    for allowed in deployment.file_types:
        if allowed in ("*/*", file_type) or (allowed.endswith("/*") and file_type.startswith(allowed[:-1])):
            return True
    return False


async def _fail(region, connection, request, session, code, text, attachment_id=None):
    """`errorsAsJson:true` (transport SDK) asks for GenerateUrlError instead of a string error."""
    tracing_id = request.get("tracingId") if isinstance(request.get("tracingId"), str) else None
    if request.get("errorsAsJson") is True:
        body = {"errorCode": code, "errorMessage": text, "name": "GenerateUrlError", "message": text,
                "timestamp": frames.iso_now()}
        if attachment_id:
            body["attachmentId"] = attachment_id
        # Transport-SDK fixture: pushed as type "message" with code 200; the error is in the body.
        frame = frames.envelope("message", "GenerateUrlError", body, tracing_id=tracing_id)
    else:
        frame = frames.error(code, text, tracing_id)
    await region.reply(connection, frame, session)


async def on_attachment(region, connection, request, session):
    deployment = connection.deployment
    attachment_id = request.get("attachmentId", frames.new_id())
    if not isinstance(attachment_id, str) or not attachment_id or attachment_id in region.attachments:
        return await _fail(region, connection, request, session, 400, "Request failed. Invalid attachmentId.")
    file_name, file_type, file_size = request.get("fileName"), request.get("fileType"), request.get("fileSize")
    if session.read_only:
        return await _fail(region, connection, request, session, 409, "Session is read-only", attachment_id)
    if not deployment.attachments_enabled:
        return await _fail(region, connection, request, session, 4000, "Attachments are disabled.", attachment_id)
    if not isinstance(file_name, str) or not file_name.strip() or "/" in file_name:
        return await _fail(region, connection, request, session, 4004, "File name is invalid.", attachment_id)
    if len(file_name) > MAX_FILE_NAME:
        return await _fail(region, connection, request, session, 4005, "File name is too long.", attachment_id)
    extension = "." + file_name.rsplit(".", 1)[-1].lower() if "." in file_name else ""
    if (not isinstance(file_type, str) or not _type_allowed(deployment, file_type)
            or extension in deployment.blocked_extensions):
        return await _fail(region, connection, request, session, 4001, "File type is not allowed.", attachment_id)
    if (not isinstance(file_size, int) or isinstance(file_size, bool) or file_size <= 0
            or file_size > deployment.max_file_size_kb * 1024):
        return await _fail(region, connection, request, session, 4002, "File size is invalid.", attachment_id)
    attachment = Attachment(attachment_id, session, file_name, file_type, file_size)
    region.attachments[attachment_id] = attachment
    body = {"attachmentId": attachment_id, "headers": {"x-amz-tagging": attachment.tag},
            "url": upload_url(connection.http_base, attachment_id), "fileName": file_name, "fileSize": file_size,
            "fileType": file_type}
    await region.reply(connection, frames.envelope("response", "PresignedUrlResponse", body,
                                                   tracing_id=request.get("tracingId")), session)


def _own(region, session, request):
    attachment_id = request.get("attachmentId")
    attachment = region.attachments.get(attachment_id) if isinstance(attachment_id, str) else None
    return attachment if attachment is not None and attachment.session is session else None


async def get_attachment(region, connection, request, session):
    attachment = _own(region, session, request)
    if attachment is None or attachment.state == "deleted":
        return await _fail(region, connection, request, session, 4009, "Attachment not found.")
    if attachment.state not in ("uploaded", "sent"):
        return await _fail(region, connection, request, session, 4010, "Attachment was not successfully uploaded.")
    body = {"attachmentId": attachment.id, "headers": {},
            "url": download_url(region, connection.http_base, attachment),
            "fileName": attachment.file_name, "fileSize": len(attachment.data), "fileType": attachment.file_type}
    await region.reply(connection, frames.envelope("response", "PresignedUrlResponse", body,
                                                   tracing_id=request.get("tracingId")), session)


async def delete_attachment(region, connection, request, session):
    attachment = _own(region, session, request)
    if attachment is None or attachment.state == "deleted":
        return await _fail(region, connection, request, session, 4009, "Attachment not found.")
    if attachment.state == "sent":
        # The file is part of the conversation now (the agent has it); only an unsent upload
        # can be taken back, so this is a conflict rather than "not found".
        return await _fail(region, connection, request, session, 409,
                           "Attachment was already sent; it cannot be deleted.")
    attachment.state = "deleted"
    attachment.data = None
    await region.reply(connection, frames.envelope("message", "AttachmentDeletedResponse",
                                                   {"attachmentId": attachment.id},
                                                   tracing_id=request.get("tracingId")), session)


def claim(region, session, content):
    """Attachments referenced by an onMessage `content`, or (code, text) if one cannot be sent."""
    found = []
    for item in content:
        if not isinstance(item, dict) or item.get("contentType") != "Attachment":
            continue
        ref = item.get("attachment")
        attachment_id = ref.get("id") if isinstance(ref, dict) else None
        attachment = region.attachments.get(attachment_id) if isinstance(attachment_id, str) else None
        if attachment is None or attachment.session is not session or attachment.state == "deleted":
            return None, (4009, "Attachment not found.")
        if attachment.state != "uploaded":
            return None, (4010, "Attachment was not successfully uploaded.")
        found.append(attachment)
    return found, None


async def upload(request):
    """PUT /uploads/{attachmentId}: the emulated presigned S3 URL."""
    region = request.app.state.region
    attachment = region.attachments.get(request.path_params["attachment_id"])
    if attachment is None or attachment.state != "pending":
        return PlainTextResponse("NoSuchUpload", status_code=404)
    if request.headers.get("x-amz-tagging") != attachment.tag:
        return PlainTextResponse("SignatureDoesNotMatch", status_code=403)
    attachment.data = await request.body()
    deployment = region.deployments.get(attachment.session.deployment_id)
    limit = deployment.max_file_size_kb * 1024 if deployment else 0
    if not attachment.data or len(attachment.data) > limit:
        attachment.state = "failed"
        body = {"attachmentId": attachment.id, "errorCode": 4002, "errorMessage": "File size is invalid.",
                "timestamp": frames.iso_now()}
        event = frames.envelope("message", "UploadFailureEvent", body)
    else:
        attachment.state = "uploaded"
        base = "%s://%s" % (request.url.scheme, request.headers.get("host", request.url.netloc))
        body = {"attachmentId": attachment.id, "downloadUrl": download_url(region, base, attachment),
                "timestamp": frames.iso_now()}
        event = frames.envelope("message", "UploadSuccessEvent", body)
    # The outcome follows the PUT's own 2xx, as with the real scan-then-notify pipeline.
    return Response(status_code=200, background=BackgroundTask(region.push, attachment.session, event))


async def download(request):
    region = request.app.state.region
    attachment_id = request.path_params["attachment_id"]
    problem = region.download_links.check(attachment_id, request.query_params)
    if problem == "invalid":
        return JSONResponse({"code": "attachment.signature.invalid", "status": 403,
                             "message": "The download link is not signed by this region."}, status_code=403)
    if problem == "expired":
        # 4008 is the socket code the transport SDK maps an expired link to; a client that sees
        # it should ask getAttachment for a fresh URL.
        return JSONResponse({"code": "attachment.expired", "errorCode": 4008, "status": 403,
                             "message": "The download link has expired; request a new one with getAttachment."},
                            status_code=403)
    attachment = region.attachments.get(attachment_id)
    if attachment is None or attachment.state not in ("uploaded", "sent"):
        return PlainTextResponse("NoSuchKey", status_code=404)
    return Response(attachment.data, media_type=attachment.file_type)
