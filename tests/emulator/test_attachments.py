"""Attachments: presigned upload URL, PUT, UploadSuccessEvent, send, download, delete."""
import httpx
import pytest

from emulator_harness import is_text

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100


def _presign(guest, **fields):
    request = {"fileName": "photo.png", "fileType": "image/png", "fileSize": len(PNG), "tracingId": "att"}
    request.update(fields)
    guest.action("onAttachment", **request)
    return guest.expect(lambda f: f.get("tracingId") == request["tracingId"] or f["class"] == "GenerateUrlError")


def _upload(guest, data=PNG):
    presigned = _presign(guest)
    assert presigned["class"] == "PresignedUrlResponse" and presigned["type"] == "response"
    body = presigned["body"]
    response = httpx.put(body["url"], content=data, headers=dict(body["headers"], **{"Content-Type": "image/png"}))
    assert response.status_code == 200
    return body["attachmentId"], guest.expect(lambda f: f["class"] in ("UploadSuccessEvent", "UploadFailureEvent"))


def test_upload_send_and_download(emulator):
    guest = emulator.guest()
    guest.configure()
    attachment_id, event = _upload(guest)
    assert event["class"] == "UploadSuccessEvent" and event["body"]["attachmentId"] == attachment_id
    assert httpx.get(event["body"]["downloadUrl"]).content == PNG
    guest.action("onMessage", tracingId="send", message={
        "type": "Text", "text": "", "content": [{"contentType": "Attachment", "attachment": {"id": attachment_id}}]})
    echo = guest.expect(lambda f: f.get("tracingId") == "send")
    content = echo["body"]["content"][0]
    assert content["contentType"] == "Attachment" and content["attachment"]["mediaType"] == "Image"
    assert content["attachment"]["filename"] == "photo.png" and content["attachment"]["fileSize"] == len(PNG)
    assert "file" in guest.expect(lambda f: is_text(f, "Bot") and "file" in f["body"]["text"])["body"]["text"]
    guest.action("getAttachment", attachmentId=attachment_id, tracingId="dl")
    download = guest.expect(lambda f: f.get("tracingId") == "dl")
    assert download["class"] == "PresignedUrlResponse" and download["body"]["headers"] == {}
    assert httpx.get(download["body"]["url"]).content == PNG
    guest.close()


def test_client_chosen_attachment_id(emulator):
    guest = emulator.guest()
    guest.configure()
    assert _presign(guest, attachmentId="my-id")["body"]["attachmentId"] == "my-id"
    guest.close()


def test_put_with_wrong_tag_is_403(emulator):
    guest = emulator.guest()
    guest.configure()
    body = _presign(guest)["body"]
    assert httpx.put(body["url"], content=PNG).status_code == 403
    assert httpx.put(emulator.base + "/uploads/unknown", content=PNG).status_code == 404
    guest.close()


def test_oversized_upload_fails(emulator):
    emulator.patch(maxFileSizeKB=1)
    guest = emulator.guest()
    guest.configure()
    presigned = _presign(guest, fileSize=1000)["body"]
    httpx.put(presigned["url"], content=b"x" * 2000, headers=presigned["headers"])
    event = guest.expect(lambda f: f["class"] == "UploadFailureEvent")
    assert event["body"]["errorCode"] == 4002
    guest.close()


def test_delete_before_sending(emulator):
    guest = emulator.guest()
    guest.configure()
    attachment_id, _ = _upload(guest)
    guest.action("deleteAttachment", attachmentId=attachment_id, tracingId="del")
    deleted = guest.expect(lambda f: f.get("tracingId") == "del")
    assert deleted["class"] == "AttachmentDeletedResponse" and deleted["body"]["attachmentId"] == attachment_id
    guest.action("onMessage", message={"type": "Text", "text": "x", "content": [
        {"contentType": "Attachment", "attachment": {"id": attachment_id}}]})
    assert guest.recv()["code"] == 4009
    guest.close()


def test_send_before_upload_is_4010(emulator):
    guest = emulator.guest()
    guest.configure()
    attachment_id = _presign(guest)["body"]["attachmentId"]
    guest.action("onMessage", message={"type": "Text", "text": "x", "content": [
        {"contentType": "Attachment", "attachment": {"id": attachment_id}}]})
    assert guest.recv()["code"] == 4010
    guest.action("getAttachment", attachmentId=attachment_id)
    assert guest.recv()["code"] == 4010
    guest.close()


@pytest.mark.parametrize("fields, code", [
    ({"fileType": "application/pdf", "fileName": "a.pdf"}, 4001),
    ({"fileName": "evil.exe"}, 4001),
    ({"fileSize": 10240 * 1024 + 1}, 4002),
    ({"fileSize": 0}, 4002),
    ({"fileName": ""}, 4004),
    ({"fileName": "a" * 256 + ".png"}, 4005),
])
def test_presign_errors(emulator, fields, code):
    guest = emulator.guest()
    guest.configure()
    frame = _presign(guest, **fields)
    assert (frame["class"], frame["code"]) == ("string", code)
    frame = _presign(guest, errorsAsJson=True, tracingId="json", **fields)
    assert frame["class"] == "GenerateUrlError" and frame["body"]["errorCode"] == code
    guest.close()


def test_attachments_disabled(emulator):
    emulator.patch(attachmentsEnabled=False)
    guest = emulator.guest()
    assert guest.configure()["body"]["allowedMedia"]["inbound"]["fileTypes"] == []
    assert _presign(guest)["code"] == 4000
    guest.close()
