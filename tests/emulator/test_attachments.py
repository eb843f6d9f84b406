"""Attachments: presigned upload URL, PUT, UploadSuccessEvent, send, download (expiring links), delete."""
import time
import urllib.parse

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
    assert echo["body"]["type"] == "Text"  # attachments only: a Text message (SDK fixture)
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


def _failed_upload(emulator):
    """A guest whose upload was refused (over a 1 KB limit) and the UploadFailureEvent."""
    emulator.patch(maxFileSizeKB=1)
    guest = emulator.guest()
    guest.configure()
    presigned = _presign(guest, fileSize=1000)["body"]
    httpx.put(presigned["url"], content=b"x" * 2000, headers=presigned["headers"])
    return guest, guest.expect(lambda f: f["class"] == "UploadFailureEvent")


def test_oversized_upload_fails(emulator):
    guest, event = _failed_upload(emulator)
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


def _send(guest, attachment_id, tracing_id="send"):
    guest.action("onMessage", tracingId=tracing_id, message={
        "type": "Text", "text": "", "content": [{"contentType": "Attachment", "attachment": {"id": attachment_id}}]})
    return guest.expect(lambda f: f.get("tracingId") == tracing_id)


def _expires(url):
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
    assert set(query) == {"expires", "sig"}, url
    return int(query["expires"][0])


def test_download_urls_are_signed_for_ten_minutes_by_default(emulator):
    guest = emulator.guest()
    guest.configure()
    attachment_id, event = _upload(guest)
    now = time.time()
    assert 599 <= _expires(event["body"]["downloadUrl"]) - now <= 601
    content = _send(guest, attachment_id)["body"]["content"][0]["attachment"]
    assert 599 <= _expires(content["url"]) - now <= 601
    guest.action("getAttachment", attachmentId=attachment_id, tracingId="dl")
    assert 599 <= _expires(guest.expect(lambda f: f.get("tracingId") == "dl")["body"]["url"]) - now <= 601
    guest.close()


def test_expired_download_url_is_403_4008_and_get_attachment_refreshes(emulator):
    # Long enough for upload, send and the first fetches on a loaded machine (expiry is whole seconds).
    emulator.patch(downloadUrlSeconds=3)
    guest = emulator.guest()
    guest.configure()
    attachment_id, event = _upload(guest)
    url = _send(guest, attachment_id)["body"]["content"][0]["attachment"]["url"]
    for link in (event["body"]["downloadUrl"], url):
        assert httpx.get(link).status_code == 200
    time.sleep(max(0.0, _expires(url) - time.time()) + 0.05)
    for link in (event["body"]["downloadUrl"], url):
        response = httpx.get(link)
        assert response.status_code == 403
        body = response.json()
        assert body["code"] == "attachment.expired" and body["errorCode"] == 4008 and body["message"]
    guest.action("getAttachment", attachmentId=attachment_id, tracingId="fresh")
    fresh = guest.expect(lambda f: f.get("tracingId") == "fresh")
    assert fresh["class"] == "PresignedUrlResponse" and fresh["body"]["headers"] == {}
    assert fresh["body"]["url"] != url and httpx.get(fresh["body"]["url"]).content == PNG
    guest.close()


def test_unsigned_or_tampered_download_url_is_403(emulator):
    guest = emulator.guest()
    guest.configure()
    attachment_id, event = _upload(guest)
    url = event["body"]["downloadUrl"]
    bare = url.split("?", 1)[0]
    later = url.replace("expires=%d" % _expires(url), "expires=%d" % (_expires(url) + 3600))
    for link in (bare, later, url[:-1] + ("0" if url[-1] != "0" else "1")):
        response = httpx.get(link)
        assert response.status_code == 403 and response.json()["code"] == "attachment.signature.invalid"
    guest.close()


def test_download_url_seconds_is_a_deployment_setting(emulator):
    assert emulator.patch(downloadUrlSeconds=30)["downloadUrlSeconds"] == 30
    assert emulator.http.post("/_emulator/deployments/f3b8c4d2-5a6e-4b7f-8c9d-0e1f2a3b4c5d",
                              json={"downloadUrlSeconds": -1}).status_code == 400
    guest = emulator.guest()
    guest.configure()
    _, event = _upload(guest)
    assert 29 <= _expires(event["body"]["downloadUrl"]) - time.time() <= 31
    emulator.patch(downloadUrlSeconds=0)  # born expired: exercises a client's refresh path at once
    attachment_id, event = _upload(guest)
    assert httpx.get(event["body"]["downloadUrl"]).json()["errorCode"] == 4008
    guest.close()


def test_get_attachment_for_an_unknown_id_is_4009(emulator):
    guest = emulator.guest()
    guest.configure()
    guest.action("getAttachment", attachmentId="no-such-attachment", tracingId="dl")
    frame = guest.expect(lambda f: f.get("tracingId") == "dl")
    assert (frame["class"], frame["code"]) == ("string", 4009)
    guest.close()


def test_attachment_of_another_session_is_4009(emulator):
    owner = emulator.guest()
    owner.configure()
    attachment_id, _ = _upload(owner)
    other = emulator.guest()
    other.configure()
    assert _send(other, attachment_id)["code"] == 4009
    owner.close()
    other.close()


def test_sending_a_failed_upload_is_4010(emulator):
    guest, event = _failed_upload(emulator)
    frame = _send(guest, event["body"]["attachmentId"])
    assert (frame["class"], frame["code"]) == ("string", 4010)
    guest.close()


def test_delete_after_sending_is_409_and_the_file_stays(emulator):
    guest = emulator.guest()
    guest.configure()
    attachment_id, _ = _upload(guest)
    _send(guest, attachment_id)
    guest.action("deleteAttachment", attachmentId=attachment_id, tracingId="del")
    frame = guest.expect(lambda f: f.get("tracingId") == "del")
    assert (frame["class"], frame["code"]) == ("string", 409)
    guest.action("getAttachment", attachmentId=attachment_id, tracingId="dl")
    assert httpx.get(guest.expect(lambda f: f.get("tracingId") == "dl")["body"]["url"]).content == PNG
    guest.close()
